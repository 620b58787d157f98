"""Real processes for custody: `kenes keyholder` on a temporary var dir, and the commands
trustees and operators type (`kenes custody init`, `kenes unseal`, `kenes seal`)."""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import isolated_env
from tests.web.conftest import client_for, registry  # noqa: F401  (fixtures used here)

KENES = [sys.executable, "-m", "kenes"]


@dataclass
class Custody:
    """A var dir, the environment its commands run in, and the holder running on it."""

    var: Path
    env: dict[str, str]
    holders: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def socket(self) -> Path:
        return self.var / "run" / "keyholder.sock"

    def kenes(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """One command in its own process. This test process then looks at custody afresh at
        its next use, as a new request, task or command would: a process trusts its view for
        up to a second, and a fast machine runs a command in less."""
        from kenes.security import keys

        try:
            return subprocess.run(
                [*KENES, *args],
                env=self.env,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            keys._forget_check()

    def init(self, trustees: int = 5, threshold: int = 3) -> list[str]:
        done = self.kenes(
            "custody", "init", "--trustees", str(trustees), "--threshold", str(threshold), "--json"
        )
        assert done.returncode == 0, done.stderr
        payload = json.loads(done.stdout)
        assert payload["trustees"] == trustees and payload["threshold"] == threshold
        return list(payload["shares"])

    def unseal(self, shares: list[str]) -> subprocess.CompletedProcess[str]:
        return self.kenes("unseal", stdin="".join(s + "\n" for s in shares))

    def status(self) -> dict[str, object]:
        done = self.kenes("custody", "status", "--json")
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def sealed(self) -> bool:
        """What `kenes custody status` says, asked from this process (no start-up to pay)."""
        from kenes.custody import client

        try:
            return bool(client.call({"op": "status"})["sealed"])
        except client.HolderUnavailable:
            return True

    def start_holder(self) -> subprocess.Popen[str]:
        """`kenes keyholder`, once it says it listens (it prints one line then)."""
        holder = subprocess.Popen(
            [*KENES, "keyholder"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.holders.append(holder)
        assert holder.stdout is not None
        ready, _, _ = select.select([holder.stdout], [], [], 30)
        line = holder.stdout.readline() if ready else ""
        assert line.startswith("Key holder on"), (line, holder.poll())
        from kenes.security import keys

        keys._forget_check()
        return holder

    def stop_holder(self, holder: subprocess.Popen[str]) -> None:
        from kenes.security import keys

        holder.terminate()
        holder.wait(timeout=30)
        keys._forget_check()


@pytest.fixture
def custody(settings) -> Iterator[Custody]:  # type: ignore[no-untyped-def]
    """A short var dir (a unix socket path holds 107 bytes at most), this test process's
    field keys in its environment, and the test's settings pointed at it."""
    var = Path(tempfile.mkdtemp(prefix="kc-", dir="/tmp"))
    env = isolated_env(
        {
            "KENES_ENV": "development",
            "KENES_VAR_DIR": str(var),
            "KENES_SECRET_KEY": "custody-test-" + "x" * 40,
            "KENES_FIELD_KEYS": ",".join(settings.KENES_FIELD_KEYS),
        }
    )
    settings.KENES_CUSTODY_DIR = var / "custody"
    settings.KENES_KEYHOLDER_SOCKET = var / "run" / "keyholder.sock"
    state = Custody(var, env)
    try:
        yield state
    finally:
        for holder in state.holders:
            if holder.poll() is None:
                holder.kill()
                holder.wait(timeout=30)
        shutil.rmtree(var, ignore_errors=True)


def wait_for(predicate: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Polls a state another process changes (never a timed assertion: only a bound)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)


def files_under(folder: Path) -> dict[Path, bytes]:
    return {
        p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_socket()
    }


def database_values() -> tuple[list[str], list[bytes]]:
    """Every value of every table, as a seizure reads the database: texts and raw bytes."""
    from django.db import connection

    texts: list[str] = []
    blobs: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        blobs.append(bytes(value))
                    elif value is not None:
                        texts.append(str(value))
    return texts, blobs
