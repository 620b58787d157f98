"""The database into a file and back: SQLite's online backup, PostgreSQL's pg_dump.

SQLite: the online backup API copies the database page by page into a new file while the
server goes on (in WAL mode writers are not blocked), as one consistent snapshot.

PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --single-transaction`.
Chosen over Django's serialisation (dumpdata/loaddata) because it copies the stored bytes:
sealed values, hashes and the audit chain come back exactly as they were, without passing
through the field classes (no key needed, it works while sealed), in one snapshot taken in
one transaction, with sequences, and without loading the whole dump into memory (loaddata's
JSON does). The price is a pg_dump at least as new as the server (docs/backup.md).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections
from django.utils.translation import gettext as _

from .errors import BackupProblem

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DUMP_NAMES = {SQLITE: "database.sqlite3", POSTGRESQL: "database.pgdump"}
# Tables `kenes migrate` fills by itself: rows there do not make a database "in use".
FILLED_BY_MIGRATE = {
    ("contenttypes", "contenttype"),
    ("auth", "permission"),
    ("audit", "chainhead"),
}


def engine() -> str:
    vendor = connections["default"].vendor
    if vendor == "sqlite":
        return SQLITE
    if vendor == "postgresql":
        return POSTGRESQL
    raise BackupProblem(
        _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor}
    )


def _settings() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def sqlite_path() -> Path:
    return Path(_settings()["NAME"])


# --- taking a copy ------------------------------------------------------------------------


def dump(folder: Path) -> Path:
    """The database, copied into a new file in `folder` (a private folder the caller removes)."""
    target = folder / DUMP_NAMES[engine()]
    if engine() == SQLITE:
        _sqlite_snapshot(sqlite_path(), target)
    else:
        _pg_dump(target)
    return target


def _sqlite_snapshot(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: one read transaction, one consistent snapshot
        finally:
            dst.close()
    finally:
        src.close()


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest /usr/lib/postgresql/*/bin (Debian)."""
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    raise BackupProblem(
        _(
            "%(tool)s was not found: install PostgreSQL's client programs "
            "(the Debian package postgresql-client) at least as new as the server."
        )
        % {"tool": name}
    )


def _version(folder: str) -> int:
    try:
        return int(Path(folder).parent.name)
    except ValueError:
        return 0


def _pg_environment() -> dict[str, str]:
    db = _settings()
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    options = db.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        raise BackupProblem(_("%(what)s failed: %(error)s") % {"what": what, "error": last[:500]})


def _pg_dump(target: Path) -> None:
    _run(
        [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "-f", str(target)],
        "pg_dump",
    )


# --- is the database in use? ----------------------------------------------------------------


def tables_in_use() -> list[str]:
    """The tables of this database that hold rows of their own (not what migrate fills in).

    An empty list: the database is empty (a new file, a new PostgreSQL database, or one
    `kenes migrate` has only prepared).
    """
    connection = connections["default"]
    existing = set(connection.introspection.table_names())
    used = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if (meta.app_label, meta.model_name) in FILLED_BY_MIGRATE:
                continue
            table = meta.db_table
            if table not in existing or meta.proxy or not meta.managed:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                used.append(table)
    if ("audit_chainhead" in existing) and not used:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM audit_chainhead WHERE count > 0 LIMIT 1")
            if cursor.fetchone() is not None:
                used.append("audit_chainhead")
    return sorted(used)


# --- bringing it back -----------------------------------------------------------------------


def restore(dump_file: Path, dump_engine: str) -> None:
    """Put the database from `dump_file` in place of this (empty) one, all or nothing."""
    if dump_engine != engine():
        raise BackupProblem(
            _(
                "This archive holds a %(archived)s database but this server uses %(here)s: "
                "restore it on a server with the same kind of database."
            )
            % {"archived": dump_engine, "here": engine()}
        )
    if dump_engine == SQLITE:
        _sqlite_restore(dump_file, sqlite_path())
    else:
        connections.close_all()  # no statement of ours prepared against the tables replaced
        _run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                _settings()["NAME"],
                str(dump_file),
            ],
            "pg_restore",
        )


def check_sqlite_copy(copy: Path) -> None:
    try:
        db = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            (result,) = db.execute("PRAGMA integrity_check").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        result = str(exc)
    if result != "ok":
        raise BackupProblem(
            _("The database in this archive is damaged (%(problem)s); nothing was restored.")
            % {"problem": str(result)[:200]}
        )


def _sqlite_restore(copy: Path, target: Path) -> None:
    """Move the checked copy over the target in one rename (same folder, same filesystem).

    The target's write-ahead log goes first: a log left beside the new file would be read
    as part of it.
    """
    check_sqlite_copy(copy)
    connections.close_all()
    if target.exists():
        db = sqlite3.connect(target)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    staged = target.with_name(f".{target.name}.restoring")
    shutil.move(copy, staged)  # a rename when the private folder is beside the target
    os.chmod(staged, 0o600)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staged, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
