"""The key holder: one small process that alone rebuilds the master key and keeps the
unwrapped field keys in memory, serving them to the web workers and the task worker.

It listens on a unix socket (KENES_KEYHOLDER_SOCKET, default var/run/keyholder.sock): the
socket file is 0600 in a 0700 folder, and every connection's peer is checked with
SO_PEERCRED to run as this process's user. Requests and answers are one JSON line each:

    {"op": "status"}                 -> {"ok": true, "sealed": bool}
    {"op": "unseal", "shares": [..]} -> {"ok": true} | {"ok": false, "error": sentence}
    {"op": "seal"}                   -> {"ok": true}
    {"op": "keys"}                   -> {"ok": true, "sealed": false, "generation": g,
                                         "keys": [urlsafe base64, newest first]}

While unsealed it keeps a marker file beside the socket (`keyholder.unsealed`) holding the
generation, a random id of this unsealing: workers stat it before using keys they cached,
so `kenes seal` reaches every worker at its next request without a round trip per request.
The marker holds no key material. A holder that starts removes a stale marker: a restart
is a seal.

The master exists only inside `unseal`, for as long as it takes to unwrap the field keys.
The process refuses core dumps and ptrace by other processes of the same user
(PR_SET_DUMPABLE 0), and locks its memory against swapping where the system allows it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import resource
import secrets
import signal
import socket
import socketserver
import struct
import threading
from pathlib import Path
from typing import Any

from kenes.core.custody.errors import CustodyError
from kenes.core.custody.shamir import combine
from kenes.core.custody.share_text import share_from_text
from kenes.core.custody.wrap import unwrap

from . import store
from .client import MAX_REQUEST, marker_path
from .errors import CustodyProblem

logger = logging.getLogger("kenes.custody")

_PR_SET_DUMPABLE = 4
_MCL_CURRENT, _MCL_FUTURE = 1, 2


class Refused(Exception):
    """An unseal that changes nothing: the sentence says why."""


class KeyHolder:
    """The state: sealed (no keys) or unsealed (the field keys and a generation id)."""

    def __init__(self, socket_path: Path, custody_file: Path) -> None:
        self.socket_path = socket_path
        self.custody_file = custody_file
        self.marker = marker_path(socket_path)
        self._lock = threading.Lock()
        self._keys: tuple[bytes, ...] = ()
        self._generation = ""

    @property
    def sealed(self) -> bool:
        return not self._keys

    def status(self) -> dict[str, Any]:
        return {"ok": True, "sealed": self.sealed}

    def keys(self) -> dict[str, Any]:
        with self._lock:
            if not self._keys:
                return {"ok": True, "sealed": True}
            return {
                "ok": True,
                "sealed": False,
                "generation": self._generation,
                "keys": [store.field_key_text(k) for k in self._keys],
            }

    def seal(self) -> dict[str, Any]:
        with self._lock:
            self.marker.unlink(missing_ok=True)  # first: workers stop trusting their caches
            self._keys = ()
            self._generation = ""
        return {"ok": True, "sealed": True}

    def unseal(self, texts: list[str]) -> dict[str, Any]:
        try:
            keys = self._unwrap(texts)
        except Refused as exc:
            return {"ok": False, "error": f"{exc} Nothing changed."}
        with self._lock:
            if not self._keys:
                self._keys = keys
                self._generation = secrets.token_hex(16)
                self._write_marker()
        return {"ok": True, "sealed": False}

    def _unwrap(self, texts: list[str]) -> tuple[bytes, ...]:
        try:
            record = store.read_record(self.custody_file)
        except CustodyProblem as exc:
            raise Refused(str(exc)) from exc
        texts = [t.strip() for t in texts if t.strip()]
        shares = []
        for number, text in enumerate(texts, 1):
            try:
                share = share_from_text(text)
            except (CustodyError, ValueError) as exc:
                raise Refused(f"Share {number} cannot be read: {exc}") from exc
            if str(share.set_id) != record.set_id:
                raise Refused(
                    f"Share {number} belongs to another set of shares, not to this server's."
                )
            shares.append(share)
        if len(shares) < record.threshold:
            raise Refused(
                f"{record.threshold} of the {record.trustees} trustees' shares are needed "
                f"to unseal; {len(shares)} given."
            )
        try:
            master = combine(shares)
        except (CustodyError, ValueError) as exc:
            raise Refused(f"These shares do not fit together: {exc}") from exc
        if not record.matches(master):
            raise Refused(
                "These shares do not rebuild this server's master key "
                "(is one of them mistyped, or from another server?)."
            )
        keys = []
        for wrapped in record.keys:
            try:
                raw = unwrap(master, wrapped.wrapped, purpose=store.wrap_purpose(wrapped.key_id))
            except (CustodyError, ValueError) as exc:
                raise Refused(f"Field key {wrapped.key_id} does not unwrap: {exc}") from exc
            if store.key_id(raw) != wrapped.key_id:
                raise Refused(f"Field key {wrapped.key_id} unwraps to another key.")
            keys.append(raw)
        del master
        return tuple(keys)

    def _write_marker(self) -> None:
        tmp = self.marker.with_name(f".{self.marker.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self._generation + "\n")
        os.replace(tmp, self.marker)  # a new inode: workers' cached stat no longer matches

    def answer(self, request: Any) -> dict[str, Any]:
        op = request.get("op") if isinstance(request, dict) else None
        if op == "status":
            return self.status()
        if op == "keys":
            return self.keys()
        if op == "seal":
            return self.seal()
        if op == "unseal":
            shares = request.get("shares")
            if not isinstance(shares, list) or not all(isinstance(s, str) for s in shares):
                return {"ok": False, "error": "The shares must be a list of texts."}
            return self.unseal(shares)
        return {"ok": False, "error": f"Unknown request {op!r}."}


def peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server
    timeout = 10  # a client that never finishes its line does not hold a thread forever

    def handle(self) -> None:
        uid = peer_uid(self.request)
        if uid != os.geteuid():
            logger.warning("Refused a connection from another user (uid %s)", uid)
            return
        line = self.rfile.readline(MAX_REQUEST + 1)
        try:
            request = json.loads(line) if len(line) <= MAX_REQUEST else None
        except ValueError:
            request = None
        answer = self.server.holder.answer(request)
        self.wfile.write(json.dumps(answer).encode() + b"\n")


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, holder: KeyHolder) -> None:
        self.holder = holder
        super().__init__(path, _Handler)


def harden() -> list[str]:
    """Keep the keys out of core files, other processes' ptrace and (where allowed) swap."""
    notes = []
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    notes.append("no core dumps")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
            notes.append("not dumpable or traceable by other processes")
        soft, _hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
        if os.geteuid() == 0 or soft == resource.RLIM_INFINITY:
            if libc.mlockall(_MCL_CURRENT | _MCL_FUTURE) == 0:
                notes.append("memory locked (never swapped)")
        else:
            notes.append(
                "memory NOT locked (RLIMIT_MEMLOCK is limited: set LimitMEMLOCK=infinity, "
                "or run without swap or with encrypted swap)"
            )
    except (OSError, AttributeError):
        notes.append("prctl/mlockall unavailable")
    return notes


def _claim_socket(path: Path) -> None:
    if len(os.fsencode(path)) > 107:
        raise CustodyProblem(
            f"The socket path {path} is too long for a unix socket (107 bytes at most); "
            "set KENES_KEYHOLDER_SOCKET to a shorter one."
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    if path.exists() or path.is_symlink():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink()  # left by a holder that died: nobody listens
        else:
            raise CustodyProblem(f"A key holder is already running on {path}.")
        finally:
            probe.close()


def serve(socket_path: Path, custody_file: Path, *, ready: Any = None) -> None:
    """Run the holder until SIGTERM or SIGINT; it starts (and ends) sealed."""
    holder = KeyHolder(socket_path, custody_file)
    _claim_socket(socket_path)
    holder.marker.unlink(missing_ok=True)  # a restart is a seal
    old_umask = os.umask(0o177)
    try:
        server = _Server(str(socket_path), holder)
    finally:
        os.umask(old_umask)
    os.chmod(socket_path, 0o600)

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        if ready:
            ready(harden())
        server.serve_forever(poll_interval=0.5)
    finally:
        holder.seal()
        server.server_close()
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
