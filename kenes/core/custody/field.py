"""Arithmetic in GF(2^8) with the AES (Rijndael) polynomial x^8 + x^4 + x^3 + x + 1 (0x11B).

The field of FIPS-197 section 4: addition is XOR, multiplication is carry-less
multiplication reduced modulo 0x11B. The same field is used by HashiCorp Vault's
``shamir`` package and by SLIP-0039, whose published tables the tests reproduce.

Multiplication is a fixed eight-round shift-and-add loop with no table indexed by
a secret byte (Vault moved away from log/exp tables for the same reason: cache
timing). CPython gives no constant-time guarantee, but nothing here branches on
secret data; the inverse is a^254 by a fixed square-and-multiply chain.
"""

from __future__ import annotations

POLYNOMIAL = 0x11B
_REDUCTION = POLYNOMIAL & 0xFF  # 0x1B: what x^8 is congruent to


def add(a: int, b: int) -> int:
    """a + b (and a - b: the field has characteristic 2)."""
    return a ^ b


def mul(a: int, b: int) -> int:
    """a * b in GF(2^8) modulo 0x11B, by eight fixed rounds of shift-and-add."""
    product = 0
    for _ in range(8):
        product ^= -(b & 1) & a
        a = ((a << 1) & 0xFF) ^ (-(a >> 7) & _REDUCTION)
        b >>= 1
    return product


def inverse(a: int) -> int:
    """The multiplicative inverse a^-1 = a^254 (Fermat: a^255 = 1 for a != 0).

    Raises ZeroDivisionError for 0, which has no inverse.
    """
    if a == 0:
        raise ZeroDivisionError("0 has no inverse in GF(2^8)")
    # 254 = 0b11111110: seven squarings, multiplying in a after each of the first six.
    result = a
    for _ in range(6):
        result = mul(mul(result, result), a)
    return mul(result, result)


def div(a: int, b: int) -> int:
    """a / b; raises ZeroDivisionError when b is 0."""
    return mul(a, inverse(b))
