"""Shamir's secret sharing over GF(2^8), one polynomial per byte of the secret.

Rule: A. Shamir, "How to share a secret", Communications of the ACM 22(11), 1979.
For each byte s of the secret a polynomial f(x) = s + a_1 x + ... + a_{k-1} x^{k-1}
is drawn with coefficients a_i uniform in GF(2^8) (from :mod:`secrets`); trustee i
(i = 1..n) receives f(i). Any k shares give f(0) = s by Lagrange interpolation at 0;
k - 1 shares are consistent with every value of s equally often, so they tell
nothing about it. The field is the AES field (see :mod:`kenes.core.custody.field`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from kenes.core.custody.errors import CustodyError
from kenes.core.custody.field import div, mul

MAX_SHARES = 255
MIN_THRESHOLD = 2
_SET_ID = re.compile(r"[0-9a-f]{8}")


@dataclass(frozen=True)
class Share:
    """One trustee's share of a secret.

    ``index`` is the x coordinate (1..255), ``threshold`` is k, ``value`` holds f(index)
    for each byte of the secret (so it is as long as the secret), ``set_id`` names the
    sharing: all shares of one split carry it, and shares of two splits never mix.
    """

    index: int
    threshold: int
    value: bytes
    set_id: str

    def __repr__(self) -> str:
        # Never print the share's value: a share in a traceback or a log is a share leaked.
        return (
            f"Share(index={self.index}, threshold={self.threshold}, "
            f"value=<{len(self.value)} bytes>, set_id={self.set_id!r})"
        )


def new_set_id() -> str:
    """A fresh random name for a sharing: 8 lowercase hex characters."""
    return secrets.token_hex(4)


def split(secret: bytes, *, shares: int, threshold: int, set_id: str | None = None) -> list[Share]:
    """Split ``secret`` into ``shares`` shares, any ``threshold`` of which recover it.

    Shares have x coordinates 1..shares and carry ``set_id`` (a fresh random one if
    None). Requires 2 <= threshold <= shares <= 255 and a non-empty secret.
    """
    _check_counts(shares=shares, threshold=threshold)
    if not secret:
        raise CustodyError("The secret to share is empty.", code="empty_secret")
    if set_id is None:
        set_id = new_set_id()
    _check_set_id(set_id)
    # coefficients[b] = [a_1, ..., a_{k-1}] for secret byte b
    coefficients = [secrets.token_bytes(threshold - 1) for _ in secret]
    return _shares_of_polynomials(secret, coefficients, shares=shares, set_id=set_id)


def _shares_of_polynomials(
    secret: bytes, coefficients: Sequence[bytes], *, shares: int, set_id: str
) -> list[Share]:
    """Shares 1..shares of the polynomials secret[b] + coefficients[b][0] x + ... .

    Separate from :func:`split` only so the published vectors, made with fixed
    coefficients, can be reproduced; every real split draws them from ``secrets``.
    """
    threshold = len(coefficients[0]) + 1
    result = []
    for x in range(1, shares + 1):
        value = bytes(
            _evaluate(constant, higher, x)
            for constant, higher in zip(secret, coefficients, strict=True)
        )
        result.append(Share(index=x, threshold=threshold, value=value, set_id=set_id))
    return result


def combine(shares: Sequence[Share]) -> bytes:
    """Recover the secret from at least k shares of one split.

    Raises CustodyError when fewer than k shares are given, when shares of different
    splits (set_id, threshold or length) are mixed, when an index repeats, or when
    more than k shares are given and one of them disagrees with the others.
    """
    chosen = check_shares(shares)
    first = chosen[0]
    k = first.threshold
    basis, rest = chosen[:k], chosen[k:]
    secret = _interpolate(basis, 0)
    for extra in rest:
        if _interpolate(basis, extra.index) != extra.value:
            raise CustodyError(
                f"Share {extra.index} does not agree with shares "
                f"{', '.join(str(s.index) for s in basis)}: one of them was copied wrongly.",
                code="disagreeing_share",
                params={"index": extra.index},
            )
    return secret


def reshare(shares_k: Sequence[Share], *, shares: int, threshold: int) -> list[Share]:
    """Recombine k shares and split the same secret again under a new set_id.

    For a trustee who leaves (or a changed k or n): the secret, and so every key it
    wraps, stays the same, so nothing is re-encrypted. The old shares still open the
    old set; destroying them is the trustees' duty, which no software can enforce.
    """
    secret = combine(shares_k)
    old = shares_k[0].set_id
    set_id = new_set_id()
    while set_id == old:
        set_id = new_set_id()
    return split(secret, shares=shares, threshold=threshold, set_id=set_id)


def check_shares(shares: Sequence[Share]) -> list[Share]:
    """Validate a collection of shares for :func:`combine`; return them as a list.

    Checks each share's own fields, then that they belong to one split, carry no
    index twice, and number at least k.
    """
    given = list(shares)
    if not given:
        raise CustodyError("No shares were given.", code="no_shares")
    for share in given:
        _check_share(share)
    first = given[0]
    for share in given[1:]:
        if share.set_id != first.set_id:
            raise CustodyError(
                f"Shares of two different sets were mixed ({first.set_id} and "
                f"{share.set_id}): use shares of one set only.",
                code="mixed_sets",
                params={"first": first.set_id, "other": share.set_id},
            )
        if share.threshold != first.threshold or len(share.value) != len(first.value):
            raise CustodyError(
                f"Share {share.index} does not match share {first.index} of set "
                f"{first.set_id} (threshold or length differ): one of them is damaged.",
                code="mismatched_share",
                params={"index": share.index, "first": first.index},
            )
    seen: set[int] = set()
    for share in given:
        if share.index in seen:
            raise CustodyError(
                f"Share {share.index} was given twice: each trustee's share counts once.",
                code="duplicate_share",
                params={"index": share.index},
            )
        seen.add(share.index)
    if len(given) < first.threshold:
        raise CustodyError(
            f"{first.threshold} shares are needed, {len(given)} were given: "
            f"{first.threshold - len(given)} more trustee(s) must enter their share.",
            code="too_few_shares",
            params={"needed": first.threshold, "given": len(given)},
        )
    return given


def _check_counts(*, shares: int, threshold: int) -> None:
    if not MIN_THRESHOLD <= threshold <= shares <= MAX_SHARES:
        raise CustodyError(
            f"Cannot split into {shares} shares with threshold {threshold}: "
            f"it needs 2 <= threshold <= shares <= {MAX_SHARES}.",
            code="bad_counts",
            params={"shares": shares, "threshold": threshold},
        )


def _check_set_id(set_id: str) -> None:
    if not _SET_ID.fullmatch(set_id):
        raise CustodyError("A set id is 8 lowercase hexadecimal characters.", code="bad_set_id")


def _check_share(share: Share) -> None:
    _check_set_id(share.set_id)
    if not 1 <= share.index <= MAX_SHARES:
        raise CustodyError(
            f"A share's index is 1..{MAX_SHARES}, not {share.index}.", code="bad_share"
        )
    if not MIN_THRESHOLD <= share.threshold <= MAX_SHARES:
        raise CustodyError(
            f"A share's threshold is 2..{MAX_SHARES}, not {share.threshold}.", code="bad_share"
        )
    if not share.value:
        raise CustodyError(f"Share {share.index} is empty.", code="bad_share")


def _evaluate(constant: int, higher: bytes, x: int) -> int:
    """f(x) for f = constant + higher[0] x + higher[1] x^2 + ..., by Horner's rule."""
    result = 0
    for coefficient in reversed(higher):
        result = mul(result, x) ^ coefficient
    return mul(result, x) ^ constant


def _interpolate(points: Sequence[Share], at: int) -> bytes:
    """The value at x = ``at`` of the polynomial through ``points``, byte by byte.

    Lagrange: f(at) = sum_i y_i * prod_{j != i} (at - x_j) / (x_i - x_j); in
    characteristic 2 subtraction is XOR. The x coordinates are public, so the
    weights are computed once and applied to every byte.
    """
    weights = []
    for i, share in enumerate(points):
        weight = 1
        for j, other in enumerate(points):
            if i != j:
                weight = mul(weight, div(at ^ other.index, share.index ^ other.index))
        weights.append(weight)
    length = len(points[0].value)
    out = bytearray(length)
    for weight, share in zip(weights, points, strict=True):
        for b in range(length):
            out[b] ^= mul(weight, share.value[b])
    return bytes(out)
