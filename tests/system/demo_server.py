"""A real Kenes on the demo's SQLite database, as the system tests run it.

`seeded_demo(var)` seeds `kenes demo --no-serve` into `var` and returns the environment and the
codes of the demo's open election; `start_server(env, port)` starts `kenes runserver` and
returns once it answers. Shared by the tests that kill, copy or lock what a server runs on.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import isolated_env
from tests.listening import free_port  # noqa: F401  (the system tests import it from here)

KENES = [sys.executable, "-m", "kenes"]


def seeded_demo(var: Path, *, members: int = 200) -> tuple[dict[str, str], list[str]]:
    """The demo seeded into `var`: its environment and the open election's kept codes."""
    env = isolated_env({"KENES_ENV": "development", "KENES_VAR_DIR": str(var)})
    subprocess.run(
        [*KENES, "demo", "--no-serve", "--members", str(members)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    lines = [line.split("\t") for line in (var / "demo-codes.txt").read_text().splitlines()]
    return env, [code for code, _name, title in lines if title == lines[0][2]]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`kenes runserver` on `port`, once it accepts connections (60 s at most)."""
    server = subprocess.Popen(
        [*KENES, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")
