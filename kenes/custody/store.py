"""The wrapped field keys on disk: `<KENES_CUSTODY_DIR>/keys.json`, never the keys themselves.

The file holds, per field key, its id and the key wrapped under the master key, plus what
unsealing needs to tell good shares from bad ones: k, n, the share set's id and the master's
check value. Neither the master nor a field key is ever written anywhere.

A file rather than a database table: the key holder reads it before (and without) the
database, and the key material stays out of database dumps and replicas, which are copied
more widely than the server's var/ folder.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from .errors import CustodyProblem

# The crypto (kenes.core.custody) is imported where it is used: kenes.security.keys asks
# `is_set_up()` in every process, which needs none of it.
FORMAT = "kenes-custody-v1"
FILE_NAME = "keys.json"


def custody_dir() -> Path:
    return Path(settings.KENES_CUSTODY_DIR)


def custody_file() -> Path:
    return custody_dir() / FILE_NAME


def is_set_up() -> bool:
    return custody_file().exists()


def key_id(raw: bytes) -> str:
    """The name a sealed value carries for the key that sealed it (kenes.security.keys)."""
    return hashlib.sha256(raw).hexdigest()[:8]


def wrap_purpose(wrapped_key_id: str) -> str:
    """Binds each wrapped key to its id: a key moved to another id's slot does not unwrap."""
    return f"kenes field key {wrapped_key_id}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    wrapped: bytes


@dataclass(frozen=True)
class CustodyRecord:
    threshold: int
    trustees: int
    set_id: str
    master_check: str
    keys: tuple[WrappedKey, ...]  # newest first, as KENES_FIELD_KEYS was

    def matches(self, master: bytes) -> bool:
        from kenes.core.custody.wrap import master_matches

        return master_matches(master, self.master_check)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "threshold": self.threshold,
            "trustees": self.trustees,
            "set_id": self.set_id,
            "master_check": self.master_check,
            "keys": [{"key_id": k.key_id, "wrapped": _b64(k.wrapped)} for k in self.keys],
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }


def read_record(path: Path | None = None) -> CustodyRecord:
    path = path or custody_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return CustodyRecord(
            threshold=int(data["threshold"]),
            trustees=int(data["trustees"]),
            set_id=str(data["set_id"]),
            master_check=str(data["master_check"]),
            keys=tuple(WrappedKey(str(k["key_id"]), _unb64(k["wrapped"])) for k in data["keys"]),
        )
    except FileNotFoundError as exc:
        raise CustodyProblem(
            f"Custody is not set up: {path} does not exist (`kenes custody init`)."
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CustodyProblem(f"{path} is not a Kenes custody file ({exc}).") from exc


def parse_field_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise CustodyProblem(
            "A key in KENES_FIELD_KEYS is not 32 bytes of urlsafe base64; "
            "custody can only take the keys the server already works with."
        )
    return raw


def field_key_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def create(field_key_texts: list[str], *, trustees: int, threshold: int) -> list[str]:
    """Wrap the field keys under a new master, write the record, return the share texts.

    Refuses when custody is already set up: a second set of shares would leave the first
    trustees holding paper that opens nothing, and nobody would notice until too late.
    """
    from kenes.core.custody.shamir import split
    from kenes.core.custody.share_text import share_to_text
    from kenes.core.custody.wrap import master_check, wrap

    if not 2 <= threshold <= trustees:
        raise CustodyProblem(
            f"The threshold must be at least 2 and at most the number of trustees "
            f"(got {threshold} of {trustees})."
        )
    if not field_key_texts:
        raise CustodyProblem(
            "KENES_FIELD_KEYS is empty: there is no key to put into custody "
            "(set it to the keys the server works with, or `kenes keygen` for a new one)."
        )
    path = custody_file()
    if path.exists():
        raise CustodyProblem(
            f"Custody is already set up ({path}): the trustees already hold shares. "
            "Nothing changed."
        )
    raws = [parse_field_key(t) for t in field_key_texts]
    master = secrets.token_bytes(32)
    shares = split(master, shares=trustees, threshold=threshold)
    record = CustodyRecord(
        threshold=threshold,
        trustees=trustees,
        set_id=shares[0].set_id,
        master_check=master_check(master),
        keys=tuple(
            WrappedKey(key_id(raw), wrap(master, raw, purpose=wrap_purpose(key_id(raw))))
            for raw in raws
        ),
    )
    _write_new(path, json.dumps(record.to_json(), indent=2) + "\n")
    del master
    return [share_to_text(s) for s in shares]


def _write_new(path: Path, text: str) -> None:
    """Create `path` with `text` (0600, fsynced) or fail if it exists, even under a race."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic "create if absent" with the whole content
        except FileExistsError as exc:
            raise CustodyProblem(
                f"Custody is already set up ({path}): the trustees already hold shares. "
                "Nothing changed."
            ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
