"""Making, normalising and hashing personal codes (no database here).

A code is 15 characters from Crockford's base-32 alphabet (no I, L, O, U:
nothing to confuse on a cheap phone or a photocopy), printed in groups of
five: 75 random bits. People retype codes badly, so reading one ignores case,
spaces and dashes and takes I/L as 1 and O as 0 (Crockford's decoding rules).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 15
GROUP = 5
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(text: str) -> str | None:
    """The code as stored for hashing, or None if it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\u00a0\t").translate(_READ_AS)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
