"""Django's SQLite backend, creating the database file 0600 in a 0700 folder.

SQLite creates a missing database file with mode 0644 less the process umask: on most
machines anyone with an account could read the registry's sealed rows, the audit log and
the voters' roll (world-readable, finding 22 of issue 10). Here the file is created, before
SQLite opens it, with 0600; a file or our own var/ folder found with wider rights (an
install from before) is narrowed. SQLite gives the `-wal` and `-shm` files it creates the
database file's mode, so they are private too; ones found from before are narrowed as well.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3 import base

_FILE = 0o600
_FOLDER = 0o700


def _narrow(path: Path, mode: int) -> None:
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & ~mode:
        path.chmod(mode)


def make_private(database: str) -> None:
    """Create `database` (a file path) 0600 if missing, in a 0700 folder if missing, and
    narrow its log files and Kenes' own var/ folder if they allow more."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory (tests), or a URI whose options SQLite reads itself
    path = Path(database)
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=_FOLDER, parents=True, exist_ok=True)
    var_dir = getattr(settings, "VAR_DIR", None)
    if var_dir is not None and folder.resolve() == Path(var_dir).resolve():
        _narrow(folder, _FOLDER)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, _FILE))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        _narrow(name, _FILE)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        make_private(str(conn_params.get("database", "")))
        return super().get_new_connection(conn_params)
