"""The app server and CPU accounting of bench.ballots_load (Linux: reads /proc)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants, live or already reaped (/proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    # fields[11:15] = utime, stime, cutime, cstime (cutime: children it has waited for)
    ticks = sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK") + sum(tree_cpu(int(c)) for c in children)


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server listening on the URL's port (tests/pgserver.py starts it)."""
    port = url.rsplit(":", 1)[1].split("/")[0]
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"postgres") and f"-p {port}".encode() in b" ".join(argv):
                return int(proc.name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    """`gunicorn APP` on 127.0.0.1:<free port>, no access log, stopped with SIGTERM."""

    def __init__(self, app: str, env: dict[str, str], server: str, log: Path) -> None:
        self.port = _free_port()
        kind, _, shape = server.partition(":")
        workers, _, threads = shape.partition("x")
        cmd = [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{self.port}"]
        cmd += ["--workers", workers, "--worker-class", kind, "--timeout", "120"]
        cmd += ["--backlog", "2048", "--error-logfile", str(log), "--log-level", "warning"]
        if threads:
            cmd += ["--threads", threads]
        # Django's own log (warnings) goes to a file; closed in stop().
        self.output = open(log.with_suffix(".out"), "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.output.close()
