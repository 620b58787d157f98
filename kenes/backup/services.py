"""Making a backup, restoring one, and keeping archives no longer than KENES_BACKUP_KEEP_DAYS.

    do_backup(out_dir=None, *, acting_user) -> BackupResult
    do_restore(archive, identity_file, *, acting_user, passphrase=None) -> RestoreResult
    do_prune(*, acting_user, now=None) -> list of deleted archive names
    run_due() -- the worker's housekeeping: a backup when one is due, then retention

An archive holds the database (kenes.backup.database) and what var/ must keep: the wrapped
field keys (custody/keys.json) and the backup recipients. Not the key holder's socket, not
prepared files or caches, not the secrets of the environment (KENES_SECRET_KEY,
KENES_SERVICE_KEY, KENES_FIELD_KEYS, nor their development copies in var/): whoever holds
one trustee's age key reads the archive, and must not read the members with it.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.custody.store import custody_file

from . import archive, database, recipients
from .errors import BackupProblem

logger = logging.getLogger("kenes.backup")

ARCHIVE_NAME = re.compile(r"kenes-backup-(\d{8}T\d{6})Z(?:-\d+)?\.age")
STAMP = "%Y%m%dT%H%M%S"
LOCK_NAME = ".backup.lock"


def var_files() -> dict[str, Path]:
    """What var/ must keep, by its name in the archive."""
    return {
        "custody/keys.json": custody_file(),
        "custody/backup-recipients.json": recipients.recipients_file(),
    }


def archive_time(name: str) -> datetime.datetime | None:
    """When an archive was made, from its name (a copy keeps its name, not its mtime)."""
    found = ARCHIVE_NAME.fullmatch(name)
    if found is None:
        return None
    return datetime.datetime.strptime(found.group(1), STAMP).replace(tzinfo=datetime.UTC)


@contextlib.contextmanager
def _private_folder(beside: Path) -> Iterator[Path]:
    """A 0700 folder for the database copy, removed afterwards whatever happens.

    Beside the database (SQLite) or in var/: the copy is never more exposed than the
    database itself, and a restored SQLite file moves into place in one rename.
    """
    beside.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".kenes-backup-", dir=beside))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _work_base() -> Path:
    if database.engine() == database.SQLITE:
        return database.sqlite_path().parent
    return Path(settings.VAR_DIR)


# --- backup -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    archive: Path
    bytes: int
    created: str
    engine: str
    recipients: list[recipients.Recipient]
    contents: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "archive": str(self.archive),
            "bytes": self.bytes,
            "created": self.created,
            "engine": self.engine,
            "recipients": [{"name": r.name, "public_key": r.public_key} for r in self.recipients],
            "contents": self.contents,
        }


def check_recipients() -> list[recipients.Recipient]:
    found = recipients.all_recipients()
    if not found:
        raise BackupProblem(
            _(
                "There is nobody to encrypt the backup to: add a trustee's age public key "
                "(`kenes backup recipients add NAME age1...`) or set KENES_BACKUP_RECIPIENTS. "
                "Nothing was written."
            )
        )
    return found


def do_backup(out_dir: Path | None = None, *, acting_user: Any) -> BackupResult:
    """Write one encrypted archive into `out_dir` (default KENES_BACKUP_DIR) and audit it."""
    to = check_recipients()
    keys = [recipients.parse_public_key(r.public_key) for r in to]
    folder = Path(out_dir or settings.KENES_BACKUP_DIR)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupProblem(
            _("The folder %(path)s cannot be made (%(error)s); nothing was written.")
            % {"path": folder, "error": exc.strerror or exc}
        ) from exc
    engine = database.engine()
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    with _private_folder(_work_base()) as work:
        dump = database.dump(work)
        files = [(dump.name, dump)]
        files += [(name, path) for name, path in var_files().items() if path.exists()]
        manifest = {
            "format": archive.FORMAT,
            "created": now.isoformat(),
            "engine": engine,
            "database": dump.name,
            "files": [name for name, _path in files[1:]],
        }
        partial = folder / f".kenes-backup-{os.getpid()}-{now.strftime(STAMP)}.partial"
        size = archive.write(partial, manifest, files, keys)
        try:
            target = _place(partial, folder, now)
        finally:
            partial.unlink(missing_ok=True)
    audit.record_standalone(
        "backup.made",
        acting_user=acting_user,
        target_type="backup",
        target_id=target.name,
        detail={
            "bytes": size,
            "engine": engine,
            "recipients": [r.name for r in to],
            "folder": str(folder),
        },
    )
    return BackupResult(target, size, now.isoformat(), engine, to, [dump.name, *manifest["files"]])


def _place(partial: Path, folder: Path, now: datetime.datetime) -> Path:
    """Give the finished archive its name: a link never replaces another archive."""
    stem = f"kenes-backup-{now.strftime(STAMP)}Z"
    for n in range(1, 1000):
        target = folder / (f"{stem}.age" if n == 1 else f"{stem}-{n}.age")
        try:
            os.link(partial, target)
        except FileExistsError:
            continue
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return target
    raise BackupProblem(_("Too many backups in one second; nothing was written."))


# --- restore ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    archive: Path
    created: str
    engine: str
    contents: list[str]
    audit: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "restored": True,
            "archive": str(self.archive),
            "created": self.created,
            "engine": self.engine,
            "contents": self.contents,
            "audit": self.audit,
        }


def check_empty() -> None:
    """A restore goes only into an empty database, on a server without custody of its own."""
    used = database.tables_in_use()
    if used:
        raise BackupProblem(
            _(
                "This database is not empty (%(tables)s hold rows): a backup is restored only "
                "into an empty database. Nothing was changed."
            )
            % {"tables": ", ".join(used[:5]) + (", …" if len(used) > 5 else "")}
        )
    if custody_file().exists():
        raise BackupProblem(
            _(
                "This server already has keys in custody (%(path)s): a backup is restored only "
                "on a fresh server. Nothing was changed."
            )
            % {"path": custody_file()}
        )


def do_restore(
    archive_path: Path,
    identity_file: Path,
    *,
    acting_user: Any,
    passphrase: Callable[[], str] | None = None,
) -> RestoreResult:
    """Bring back the database and var/ files of an archive, all or nothing.

    `passphrase()` opens an identity file encrypted with a passphrase (`age -p`); it is
    asked only for such a file, before anything else is read or written."""
    identities = archive.read_identities(identity_file, passphrase)
    check_empty()
    allowed = set(database.DUMP_NAMES.values()) | set(var_files())
    with _private_folder(_work_base()) as work:
        manifest = archive.read(archive_path, identities, work, allowed)
        engine = str(manifest.get("engine", ""))
        dump_name = database.DUMP_NAMES.get(engine)
        names = [str(n) for n in manifest.get("files", [])]
        if (
            dump_name is None
            or manifest.get("database") != dump_name
            or not (work / dump_name).is_file()
            or any(n not in var_files() or not (work / n).is_file() for n in names)
        ):
            raise BackupProblem(
                _("The archive %(path)s is incomplete; nothing was restored.")
                % {"path": archive_path}
            )
        if engine == database.SQLITE:
            database.check_sqlite_copy(work / dump_name)
        check_empty()  # again: decrypting took a while
        _check_places_free(names)
        database.restore(work / dump_name, engine)
        for name in names:
            target = var_files()[name]
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.link(work / name, target)
            os.chmod(target, 0o600)
    created = str(manifest.get("created", ""))
    audit.record_standalone(
        "backup.restored",
        acting_user=acting_user,
        target_type="backup",
        target_id=archive_path.name,
        detail={"created": created, "engine": engine},
    )
    return RestoreResult(
        archive_path, created, engine, [dump_name, *names], audit.verify().as_json()
    )


def _check_places_free(names: list[str]) -> None:
    for name in names:
        target = var_files()[name]
        if target.exists():
            raise BackupProblem(
                _("%(path)s already exists on this server; nothing was restored.")
                % {"path": target}
            )


# --- retention --------------------------------------------------------------------------------


def do_prune(*, acting_user: Any, now: datetime.datetime | None = None) -> list[str]:
    """Delete the archives in KENES_BACKUP_DIR made more than KENES_BACKUP_KEEP_DAYS ago.

    Only files named as `kenes backup` names its archives are looked at; each deletion is
    audited in the transaction that commits only once the file is gone.
    """
    folder = Path(settings.KENES_BACKUP_DIR)
    if not folder.is_dir():
        return []
    now = now or datetime.datetime.now(datetime.UTC)
    keep_days = settings.KENES_BACKUP_KEEP_DAYS
    cutoff = now - datetime.timedelta(days=keep_days)
    deleted = []
    for path in sorted(folder.iterdir()):
        made = archive_time(path.name)
        if made is None or made >= cutoff or not path.is_file():
            continue
        with transaction.atomic():
            audit.record(
                "backup.deleted",
                acting_user=acting_user,
                target_type="backup",
                target_id=path.name,
                detail={"created": made.isoformat(), "days": keep_days},
            )
            path.unlink()
        deleted.append(path.name)
    return deleted


def newest_archive_time() -> datetime.datetime | None:
    folder = Path(settings.KENES_BACKUP_DIR)
    if not folder.is_dir():
        return None
    times = [t for t in (archive_time(p.name) for p in folder.iterdir()) if t is not None]
    return max(times, default=None)


def run_due(now: datetime.datetime | None = None) -> None:
    """The worker's turn: a backup every KENES_BACKUP_EVERY_HOURS (0: never), then retention.

    One worker at a time (a lock beside the archives); the others skip this round.
    """
    folder = Path(settings.KENES_BACKUP_DIR)
    hours = settings.KENES_BACKUP_EVERY_HOURS
    if hours <= 0 and not folder.is_dir():
        return
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        now = now or datetime.datetime.now(datetime.UTC)
        newest = newest_archive_time()
        if hours > 0 and (newest is None or now - newest >= datetime.timedelta(hours=hours)):
            try:
                do_backup(acting_user="worker")
            except BackupProblem as exc:
                logger.warning("Scheduled backup not made: %s", exc)
        do_prune(acting_user="worker", now=now)
    finally:
        os.close(fd)
