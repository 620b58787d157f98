"""The data folder is private: SQLite's database and its log files 0600, var/ 0700.

Run as a server runs: the real `kenes migrate` in a fresh process with the usual umask
(022, which leaves new files world-readable), then the files it left are stat'ed; and a
connection held open while writing, so the -wal and -shm files exist while they are read.
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import textwrap

from tests.conftest import isolated_env
from tests.registry.test_commands import kenes


def _mode(path) -> int:  # type: ignore[no-untyped-def]
    return stat.S_IMODE(os.stat(path).st_mode)


def test_migrate_creates_the_database_0600_in_a_var_folder_0700(tmp_path):
    var = tmp_path / "var"
    old = os.umask(0o022)
    try:
        done = kenes("migrate", env={"KENES_ENV": "development", "KENES_VAR_DIR": str(var)})
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert _mode(var) == 0o700
    database = var / "kenes.sqlite3"
    assert _mode(database) == 0o600
    assert all(_mode(var / name) == 0o600 for name in os.listdir(var)), os.listdir(var)


def test_the_write_ahead_log_of_a_running_server_is_private_too(tmp_path):
    var = tmp_path / "var"
    script = textwrap.dedent(
        """
        import os, stat, sys
        import django
        django.setup()
        from django.db import connection
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:  # a write: the log files exist while open
            cursor.execute("CREATE TABLE probe (x INTEGER)")
            cursor.execute("INSERT INTO probe VALUES (1)")
        folder = sys.argv[1]
        print({n: oct(stat.S_IMODE(os.stat(os.path.join(folder, n)).st_mode))
               for n in sorted(os.listdir(folder))})
        """
    )
    old = os.umask(0o022)
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(var)],
            capture_output=True,
            text=True,
            timeout=120,
            env=isolated_env(
                {
                    "KENES_ENV": "development",
                    "KENES_VAR_DIR": str(var),
                    "DJANGO_SETTINGS_MODULE": "kenes.settings",
                }
            ),
        )
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    modes = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert "kenes.sqlite3-wal" in modes and "kenes.sqlite3-shm" in modes, modes
    assert set(modes.values()) == {"0o600"}, modes


def test_a_database_left_world_readable_by_an_older_install_is_narrowed(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    database = var / "kenes.sqlite3"
    database.touch()
    database.chmod(0o644)
    done = kenes("migrate", env={"KENES_ENV": "development", "KENES_VAR_DIR": str(var)})
    assert done.returncode == 0, done.stderr
    assert _mode(database) == 0o600 and _mode(var) == 0o700
