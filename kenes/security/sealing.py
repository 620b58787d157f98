"""AES-256-GCM sealing of personal data and keyed blind indexes.

A sealed value is text: ``v1$<key id>$<urlsafe base64 of nonce || ciphertext>``.
The blind index is HMAC-SHA256 under a key derived from the field key, so
equal IINs can be found (duplicates, search) without decrypting anything, and a
database dump alone does not let anyone test guesses.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kenes.security.keys import (
    FieldKey,
    Sealed,
    current_key,
    field_keys,
    key_by_id,
    service_index_secret,
)

PREFIX = "v1"
_ciphers: dict[str, AESGCM] = {}


def _cipher(key: FieldKey) -> AESGCM:
    cipher = _ciphers.get(key.key_id)
    if cipher is None:
        cipher = _ciphers[key.key_id] = AESGCM(key.secret)
    return cipher


def seal(plaintext: str, *, key: FieldKey | None = None, context: bytes = b"") -> str:
    key = key or current_key()
    nonce = os.urandom(12)
    body = _cipher(key).encrypt(nonce, plaintext.encode(), context or None)
    return f"{PREFIX}${key.key_id}${base64.urlsafe_b64encode(nonce + body).decode()}"


def open_sealed(sealed: str, *, context: bytes = b"") -> str:
    version, key_id, body = sealed.split("$", 2)
    if version != PREFIX:
        raise ValueError(f"Unknown sealed format {version!r}.")
    raw = base64.urlsafe_b64decode(body)
    return _cipher(key_by_id(key_id)).decrypt(raw[:12], raw[12:], context or None).decode()


def sealed_key_id(sealed: str) -> str:
    return sealed.split("$", 2)[1]


def blind_index(value: str, *, key: FieldKey | None = None) -> str:
    key = key or current_key()
    return hmac.new(key.index_secret, value.encode(), hashlib.sha256).hexdigest()


def blind_index_candidates(value: str) -> list[str]:
    """The index under every configured key: finds rows not yet rotated to the newest key."""
    return [blind_index(value, key=k) for k in field_keys()]


def service_index(value: str) -> str:
    """HMAC under the service key (not in custody): for indexes that work while sealed.

    Only for values that carry a secret of their own (a personal code), or whose exposure is
    acceptable (docs/ballots-threat-model.md, "The service key").
    """
    return hmac.new(service_index_secret(), value.encode(), hashlib.sha256).hexdigest()


def code_index_candidates(value: str) -> list[str]:
    """The service-key index, then (while unsealed) the field-key indexes of codes issued
    before the service key existed: the plain code is stored nowhere, so those cannot be
    re-indexed; they keep working whenever the field keys are at hand."""
    found = [service_index(value)]
    with contextlib.suppress(Sealed):
        found.extend(blind_index_candidates(value))
    return found


def fingerprint(value: str) -> str:
    """A short keyed hash for audit entries: shows that a value changed, not what it is."""
    return blind_index(value)[:16]
