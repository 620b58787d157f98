"""Wrapping keys under the master key: AES-256-GCM, versioned, bound to a purpose.

A wrapped blob is ``version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)``
(NIST SP 800-38D; the 96-bit nonce is random, from :func:`os.urandom`, which keeps
the chance of a repeat negligible for the few thousand wraps one master key will
ever see). The associated data is the version byte followed by the UTF-8 purpose
("field-key", "totp", ...), so a blob wrapped for one purpose does not unwrap as
another and a blob's version cannot be changed without breaking its tag.

``master_check`` is HMAC-SHA-256 of a fixed label under the master key, cut to 128
bits: stored beside the wrapped keys it tells a wrong reconstruction (a share
copied wrongly that still passed its checksum, shares of an old set) from a right
one before anything is unwrapped, and, as a pseudo-random function of a 256-bit
key, it reveals nothing usable about the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kenes.core.custody.errors import CustodyError

VERSION = 1
MASTER_LENGTH = 32
_NONCE_LENGTH = 12
_TAG_LENGTH = 16
_CHECK_LABEL = b"kenes custody master check v1"
_CHECK_PREFIX = "v1:"


def new_master() -> bytes:
    """A fresh random 256-bit master key."""
    return os.urandom(MASTER_LENGTH)


def wrap(master: bytes, plaintext: bytes, *, purpose: str) -> bytes:
    """Encrypt ``plaintext`` (usually a key) under ``master`` for ``purpose``."""
    aead = AESGCM(_checked_master(master))
    nonce = os.urandom(_NONCE_LENGTH)
    return bytes([VERSION]) + nonce + aead.encrypt(nonce, plaintext, _aad(VERSION, purpose))


def unwrap(master: bytes, blob: bytes, *, purpose: str) -> bytes:
    """Decrypt a blob made by :func:`wrap` with the same master key and purpose.

    Raises CustodyError when the blob is too short or of an unknown version, and
    when the master key or purpose is wrong or the blob was altered (GCM cannot
    tell these apart, and neither does this message).
    """
    aead = AESGCM(_checked_master(master))
    if len(blob) < 1 + _NONCE_LENGTH + _TAG_LENGTH:
        raise CustodyError(
            "The wrapped key is too short: it was cut off or is not a wrapped key.",
            code="bad_blob",
        )
    version = blob[0]
    if version != VERSION:
        raise CustodyError(
            f"The wrapped key has format version {version}; this Kenes reads version {VERSION}.",
            code="unknown_version",
            params={"version": version},
        )
    nonce, sealed = blob[1 : 1 + _NONCE_LENGTH], blob[1 + _NONCE_LENGTH :]
    try:
        return aead.decrypt(nonce, sealed, _aad(version, purpose))
    except InvalidTag:
        raise CustodyError(
            f"The wrapped {purpose} key does not open: the master key is wrong "
            "(shares of another set?) or the stored key was altered.",
            code="does_not_open",
            params={"purpose": purpose},
        ) from None


def master_check(master: bytes) -> str:
    """A short verifier of the master key, safe to store: "v1:" and 32 hex characters."""
    digest = hmac.new(_checked_master(master), _CHECK_LABEL, hashlib.sha256).digest()
    return _CHECK_PREFIX + digest[:16].hex()


def master_matches(master: bytes, check: str) -> bool:
    """Whether ``master`` is the key ``check`` (from :func:`master_check`) was made from."""
    return hmac.compare_digest(master_check(master), check)


def _checked_master(master: bytes) -> bytes:
    if len(master) != MASTER_LENGTH:
        raise CustodyError(
            f"The master key is {len(master)} bytes; it must be {MASTER_LENGTH} (AES-256).",
            code="bad_master",
        )
    return master


def _aad(version: int, purpose: str) -> bytes:
    if not purpose:
        raise CustodyError("A wrapped key needs a purpose (e.g. 'field-key').", code="no_purpose")
    return bytes([version]) + purpose.encode("utf-8")
