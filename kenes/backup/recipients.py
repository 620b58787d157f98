"""Who backups are encrypted to: the trustees' age public keys.

Kept in `<KENES_CUSTODY_DIR>/backup-recipients.json`, next to the wrapped keys: a file
rather than a table, so that a restore on a new machine brings it back with keys.json, and
so that the list is read without (and before) the database. KENES_BACKUP_RECIPIENTS adds
keys from the environment, for a server without custody or a script that backs up to one
machine's key.

Only public keys are held here: a trustee makes their key pair on their own machine
(`age-keygen -o trustee.key`) and gives the `age1...` line; the secret key never reaches
the server.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.custody.store import custody_dir

from .errors import BackupProblem

FORMAT = "kenes-backup-recipients-v1"
FILE_NAME = "backup-recipients.json"
LOCK_NAME = ".backup-recipients.lock"
NAME_PATTERN = re.compile(r"[\w.@-]{1,64}")
FROM_ENVIRONMENT = "KENES_BACKUP_RECIPIENTS"


@dataclass(frozen=True)
class Recipient:
    name: str
    public_key: str
    added: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "public_key": self.public_key, "added": self.added}


def recipients_file() -> Path:
    return custody_dir() / FILE_NAME


def parse_public_key(text: str) -> Any:
    """An age X25519 recipient (`age1...`), or a sentence saying what is wrong."""
    import pyrage

    text = text.strip()
    try:
        return pyrage.x25519.Recipient.from_str(text)
    except Exception as exc:  # pyrage.RecipientError, ValueError: an unreadable key
        raise BackupProblem(
            _("%(key)s is not an age public key (it starts with age1, e.g. from age-keygen).")
            % {"key": text[:80]}
        ) from exc


def _read(path: Path | None = None) -> list[Recipient]:
    path = path or recipients_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except ValueError as exc:
        raise BackupProblem(_("%(path)s is not a Kenes recipients file.") % {"path": path}) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupProblem(_("%(path)s is not a Kenes recipients file.") % {"path": path})
    return [
        Recipient(str(r["name"]), str(r["public_key"]), str(r.get("added", "")))
        for r in data.get("recipients", [])
    ]


def from_file() -> list[Recipient]:
    return _read()


def from_environment() -> list[Recipient]:
    return [
        Recipient(f"{FROM_ENVIRONMENT}[{i}]", key)
        for i, key in enumerate(settings.KENES_BACKUP_RECIPIENTS, 1)
    ]


def all_recipients() -> list[Recipient]:
    """Those in the file, then those from the environment, each public key once."""
    seen: set[str] = set()
    found = []
    for recipient in [*from_file(), *from_environment()]:
        if recipient.public_key not in seen:
            seen.add(recipient.public_key)
            found.append(recipient)
    return found


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    folder = custody_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(recipients: list[Recipient]) -> None:
    """Replace the file in one rename (0600, fsynced): readers see the old list or the new."""
    path = recipients_file()
    text = json.dumps({"format": FORMAT, "recipients": [r.as_json() for r in recipients]}, indent=2)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def do_add_recipient(name: str, public_key: str, *, acting_user: Any) -> Recipient:
    """Add a trustee's age public key under `name`; later backups are encrypted to it too."""
    if not NAME_PATTERN.fullmatch(name):
        raise BackupProblem(
            _("A recipient's name is 1 to 64 letters, digits, dots, dashes or underscores.")
        )
    public_key = public_key.strip()
    parse_public_key(public_key)
    with _locked():
        current = _read()
        if any(r.name == name for r in current):
            raise BackupProblem(
                _("A recipient named %(name)s already exists; nothing changed.") % {"name": name}
            )
        if any(r.public_key == public_key for r in current):
            raise BackupProblem(_("This public key is already a recipient; nothing changed."))
        added = Recipient(
            name, public_key, datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        )
        with transaction.atomic():
            audit.record(
                "backup.recipient_add",
                acting_user=acting_user,
                target_type="backup_recipient",
                target_id=name,
                detail={"public_key": public_key},
            )
            _write([*current, added])
    return added


def do_remove_recipient(name: str, *, acting_user: Any) -> Recipient:
    """Later backups are no longer encrypted to `name`'s key (earlier ones still are)."""
    with _locked():
        current = _read()
        gone = next((r for r in current if r.name == name), None)
        if gone is None:
            raise BackupProblem(
                _("There is no recipient named %(name)s; nothing changed.") % {"name": name}
            )
        with transaction.atomic():
            audit.record(
                "backup.recipient_remove",
                acting_user=acting_user,
                target_type="backup_recipient",
                target_id=name,
                detail={"public_key": gone.public_key},
            )
            _write([r for r in current if r.name != name])
    return gone
