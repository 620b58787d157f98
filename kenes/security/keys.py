"""Field keys from the environment (KENES_FIELD_KEYS, newest first).

Each key is 32 random bytes in urlsafe base64. A key is named by the first
8 hex digits of SHA-256 over it, so a ciphertext says which key sealed it and
old keys keep decrypting until `kenes rotate-keys` has re-encrypted everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    secret: bytes

    @cached_property
    def index_secret(self) -> bytes:
        """A separate secret for blind indexes, derived so one key never serves two purposes."""
        return hmac.new(self.secret, b"kenes blind index v1", hashlib.sha256).digest()


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_key(text: str) -> FieldKey:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured(
            "A key in KENES_FIELD_KEYS is not base64; generate one with `kenes keygen`."
        ) from exc
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "Each key in KENES_FIELD_KEYS must be 32 bytes; generate one with `kenes keygen`."
        )
    return FieldKey(hashlib.sha256(raw).hexdigest()[:8], raw)


@lru_cache(maxsize=8)
def _keys_from(texts: tuple[str, ...]) -> tuple[FieldKey, ...]:
    if not texts:
        raise ImproperlyConfigured(
            "KENES_FIELD_KEYS is empty: personal data cannot be encrypted or read. "
            "Set it to a key from `kenes keygen`."
        )
    return tuple(parse_key(t) for t in texts)


def field_keys() -> tuple[FieldKey, ...]:
    """All configured keys, newest first."""
    return _keys_from(tuple(settings.KENES_FIELD_KEYS))


def current_key() -> FieldKey:
    return field_keys()[0]


def key_by_id(key_id: str) -> FieldKey:
    for key in field_keys():
        if key.key_id == key_id:
            return key
    raise ImproperlyConfigured(
        f"Data was encrypted with key {key_id}, which is not in KENES_FIELD_KEYS. "
        "Add the old key back (after the new one) and run `kenes rotate-keys`."
    )
