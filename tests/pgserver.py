"""A real PostgreSQL server for the test run, started from the PostgreSQL binaries.

`initdb` refuses to run as root, so as root the server runs as the `postgres`
system user, with its data and socket in a temporary folder it owns; as an
ordinary user it runs directly. It listens on 127.0.0.1 on a free port and
is stopped when the test process exits.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

_url: str | None = None


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if found:
        candidates.insert(0, str(Path(found).resolve().parent))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    raise RuntimeError(
        "PostgreSQL binaries not found: install the Debian package `postgresql` "
        "(initdb and pg_ctl under /usr/lib/postgresql/*/bin)."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_server() -> str:
    """Start the server once per process; return its DATABASE_URL."""
    global _url
    if _url is not None:
        return _url
    bin_dir = _bin_dir()
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="kenes-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if root:
        owner = pwd.getpwnam("postgres")
        for path in (base, sock):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "kenes",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "-N",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = (
        f"-h 127.0.0.1 -p {port} -k {sock} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=60"
    )
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "kenes",
            "kenes",
        ],
        check=True,
        capture_output=True,
    )
    _url = f"postgres://kenes@127.0.0.1:{port}/kenes"
    return _url
