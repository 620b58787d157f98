"""Servers the tests start as real processes: a free local port, and waiting until the
process listens on it (a bound on the wait, never a timed assertion)."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_listening(
    port: int, process: subprocess.Popen, log: Path | None = None, seconds: float = 60
) -> None:  # type: ignore[type-arg]
    """Returns once 127.0.0.1:`port` accepts a connection; fails with the process's log if
    the process ends first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            said = log.read_text(errors="replace") if log is not None and log.exists() else ""
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode}): {said}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not listen within {seconds} s: {said}"
                ) from None
            time.sleep(0.2)
