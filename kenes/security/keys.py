"""Field keys: from the environment (KENES_FIELD_KEYS, newest first), or, once custody is
set up (`kenes custody init`), from the key holder that k trustees unsealed (kenes.custody).

With custody, a process caches the keys it fetched and, at its first use in each request
and each background task (and at least once a second inside long ones), stats the
holder's marker file: one stat tells that the holder is still unsealed under the same
unsealing, so `kenes seal` reaches every web and task worker at its next request or task.
Sealed, `field_keys()` raises `Sealed` (a sentence; pages answer 503 with it,
kenes.web.sealed).

Each key is 32 random bytes in urlsafe base64. A key is named by the first
8 hex digits of SHA-256 over it, so a ciphertext says which key sealed it and
old keys keep decrypting until `kenes rotate-keys` has re-encrypted everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_started
from django.test.signals import setting_changed
from django_tasks.signals import task_started

from kenes.custody import client as custody_client
from kenes.custody import store as custody_store
from kenes.custody.errors import CustodyProblem, Sealed

__all__ = [
    "FieldKey",
    "Sealed",
    "current_key",
    "field_keys",
    "key_by_id",
    "new_key",
    "service_index_secret",
    "throttle_secret",
]


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


CHECK_EVERY = 1.0
"""Seconds a process trusts its view of custody inside one request, task or command."""


@dataclass(frozen=True)
class _Custody:
    checked_at: float | None = None  # None: check at the next use
    set_up: bool = False
    marker: tuple[int, int] | None = None
    keys: tuple[FieldKey, ...] = ()


_custody = _Custody()


@dataclass(frozen=True)
class _Throttle:
    checked_at: float | None = None  # None: check at the next use
    holder: tuple[int, int] | None = None  # the holder's throttle id file, when it served
    secret: bytes = b""


_throttle = _Throttle()


def _forget_check(**kwargs: Any) -> None:
    global _custody, _throttle
    _custody = replace(_custody, checked_at=None)
    _throttle = replace(_throttle, checked_at=None)


def _forget_everything(*, setting: str = "", **kwargs: Any) -> None:
    global _custody, _throttle
    if setting in {"KENES_FIELD_KEYS", "KENES_CUSTODY_DIR", "KENES_KEYHOLDER_SOCKET"}:
        _custody = _Custody()
    if setting in {
        "KENES_CUSTODY_DIR",
        "KENES_KEYHOLDER_SOCKET",
        "KENES_SERVICE_KEY",
        "SECRET_KEY",
    }:
        _throttle = _Throttle()


request_started.connect(_forget_check, dispatch_uid="kenes.security.keys")
task_started.connect(_forget_check, dispatch_uid="kenes.security.keys")
setting_changed.connect(_forget_everything, dispatch_uid="kenes.security.keys")


def _sealed() -> Sealed:
    try:
        record = custody_store.read_record()
    except CustodyProblem:
        return Sealed(threshold=0, trustees=0)
    return Sealed(threshold=record.threshold, trustees=record.trustees)


@lru_cache(maxsize=4)
def _custody_paths(custody_dir: Any, socket: Any) -> tuple[str, str]:
    """The custody file and the holder's marker as strings: two plain stats per check."""
    return (
        os.path.join(custody_dir, custody_store.FILE_NAME),
        os.fspath(custody_client.marker_path(Path(socket))),
    )


def _check_custody(now: float) -> _Custody:
    global _custody
    custody_file, marker_file = _custody_paths(
        settings.KENES_CUSTODY_DIR, settings.KENES_KEYHOLDER_SOCKET
    )
    if not os.path.exists(custody_file):
        _custody = _Custody(checked_at=now)
        return _custody
    marker = custody_client.marker_identity(marker_file)
    if marker is None:
        _custody = _Custody(checked_at=None, set_up=True)  # sealed: look again next time
        raise _sealed()
    if _custody.keys and _custody.marker == marker:
        _custody = replace(_custody, checked_at=now)
        return _custody
    raws = custody_client.fetch_keys()
    if not raws:
        _custody = _Custody(checked_at=None, set_up=True)
        raise _sealed()
    keys = tuple(FieldKey(hashlib.sha256(raw).hexdigest()[:8], raw) for raw in raws)
    _custody = _Custody(checked_at=now, set_up=True, marker=marker, keys=keys)
    return _custody


def field_keys() -> tuple[FieldKey, ...]:
    """All keys, newest first: the key holder's under custody, else KENES_FIELD_KEYS.

    Raises `Sealed` when custody is set up and the key holder holds no keys.
    """
    now = time.monotonic()
    state = _custody
    if state.checked_at is None or now - state.checked_at >= CHECK_EVERY:
        state = _check_custody(now)
    if state.set_up:
        return state.keys
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


# The service key ------------------------------------------------------------------------
#
# Not in custody, on purpose: it keys only what must work while the server is sealed (the
# personal-code index, the ballot slot; the wrong-code throttle only without custody, below).
# Every value it hashes for codes and slots contains a personal code of 75 random bits, so a
# seized copy of it lets nobody invert an index without guessing a code
# (docs/ballots-threat-model.md).


@lru_cache(maxsize=4)
def _service_index_secret(text: str, fallback: str) -> bytes:
    if not text:  # production without it: `kenes check --deploy` says so (kenes.E030)
        secret = hashlib.sha256(b"kenes service key from SECRET_KEY v1:" + fallback.encode())
        raw = secret.digest()
    else:
        try:
            raw = parse_key(text).secret
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(
                "KENES_SERVICE_KEY must be 32 bytes of urlsafe base64; generate one with "
                "`kenes keygen`."
            ) from exc
    return hmac.new(raw, b"kenes service index v1", hashlib.sha256).digest()


def service_index_secret() -> bytes:
    """The HMAC key of the indexes that work while sealed (never a field key)."""
    return _service_index_secret(settings.KENES_SERVICE_KEY, settings.SECRET_KEY)


@register(Tags.security, deploy=True)
def check_service_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False) or settings.KENES_SERVICE_KEY:
        return []
    return [
        Error(
            "KENES_SERVICE_KEY is not set.",
            hint=(
                "Set it to a key from `kenes keygen`, apart from SECRET_KEY: it keys the "
                "personal-code and ballot-slot indexes that members use while the server is "
                "sealed."
            ),
            id="kenes.E030",
        )
    ]


# The throttle key ------------------------------------------------------------------------
#
# The wrong-code throttle hashes client addresses (kenes.participation.throttle). Under
# custody its key is made at random by the key holder at its start (and at every seal) and
# kept only in memory: a seized copy of the disk and the environment cannot test whether an
# address mistyped a code. A process caches it as it caches the field keys: at its first use
# in each request and task (and at least every CHECK_EVERY inside long ones) it stats the
# holder's throttle id file (kenes.custody.client.throttle_marker_path), and asks the holder
# again only when that file changed, so every web and task worker hashes with the same key
# within a request of a change. Without custody the service key serves, as before.


def _throttle_paths(custody_dir: Any, socket: Any) -> tuple[str, str]:
    custody_file, _marker = _custody_paths(custody_dir, socket)
    return custody_file, os.fspath(custody_client.throttle_marker_path(Path(socket)))


@lru_cache(maxsize=1)
def _process_throttle_secret() -> bytes:
    """Custody set up but no holder serving: this process's own random key, never written.

    Wrong codes are then counted per process (each web worker alone) until a holder
    serves: weaker, but nothing on disk can test an address.
    """
    return secrets.token_bytes(32)


def _throttle_from_holder(raw: bytes) -> bytes:
    return hmac.new(raw, b"kenes throttle index v1", hashlib.sha256).digest()


def _check_throttle(now: float) -> bytes:
    global _throttle
    custody_file, id_file = _throttle_paths(
        settings.KENES_CUSTODY_DIR, settings.KENES_KEYHOLDER_SOCKET
    )
    if not os.path.exists(custody_file):
        _throttle = _Throttle(checked_at=now, secret=service_index_secret())
        return _throttle.secret
    holder = custody_client.marker_identity(id_file)
    if holder is not None and holder == _throttle.holder and _throttle.secret:
        _throttle = replace(_throttle, checked_at=now)
        return _throttle.secret
    raw = custody_client.fetch_throttle_key() if holder is not None else None
    if raw is None:
        _throttle = _Throttle(checked_at=now, secret=_process_throttle_secret())
    else:
        _throttle = _Throttle(checked_at=now, holder=holder, secret=_throttle_from_holder(raw))
    return _throttle.secret


def throttle_secret() -> bytes:
    """The HMAC key of the wrong-code throttle's address hashes, sealed or not: the key
    holder's under custody (in no file), else the service index secret."""
    now = time.monotonic()
    state = _throttle
    if state.checked_at is None or now - state.checked_at >= CHECK_EVERY or not state.secret:
        return _check_throttle(now)
    return state.secret
