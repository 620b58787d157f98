"""The background worker goes on after the database was locked (issue 10, finding 3).

django-tasks-db's `db_worker` loop exits when SQLite is locked at the moment it claims a
task; imports then stopped until someone restarted it. `kenes worker` is run for real
against a SQLite file that another process locks (BEGIN EXCLUSIVE) for longer than the
worker's lock timeout; afterwards the worker is alive and runs a task queued after the lock.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import isolated_env
from tests.system.demo_server import KENES

ENQUEUE = """
import django, json
django.setup()
from kenes.registry.tasks import check_upload
result = check_upload.enqueue("00000000-0000-0000-0000-000000000000")
print(json.dumps(str(result.id)))
"""

STATUS = """
import django, json, sys
django.setup()
from django_tasks_db.models import DBTaskResult
print(json.dumps(DBTaskResult.objects.get(pk=sys.argv[1]).status))
"""


def _python(code: str, env: dict[str, str], *args: str) -> object:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "kenes.settings"},
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_worker_survives_a_locked_database_and_runs_the_next_task(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = isolated_env(
        {"KENES_ENV": "development", "KENES_VAR_DIR": str(var), "KENES_SQLITE_TIMEOUT": "0.5"}
    )
    subprocess.run([*KENES, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    worker = subprocess.Popen(
        [*KENES, "worker", "--interval", "0.1", "--no-startup-delay"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(1.5)  # the worker polls
        lock = sqlite3.connect(var / "kenes.sqlite3", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        time.sleep(3)  # several of the worker's claims meet "database is locked"
        lock.execute("COMMIT")
        lock.close()
        assert worker.poll() is None, worker.communicate()[0]
        task_id = _python(ENQUEUE, env)
        deadline = time.monotonic() + 30
        status = "READY"
        while time.monotonic() < deadline and status in ("READY", "RUNNING"):
            time.sleep(0.3)
            status = _python(STATUS, env, str(task_id))
        assert status in ("SUCCESSFUL", "FAILED"), status  # it was run after the lock
        assert worker.poll() is None
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0]
    assert "Database error in the worker loop" in output
