"""The key holder: one small process that alone rebuilds the master key and keeps the
unwrapped field keys in memory, serving them to the web workers and the task worker.

It listens on a unix socket (KENES_KEYHOLDER_SOCKET, default var/run/keyholder.sock): the
socket file is 0600 in a 0700 folder, and every connection's peer is checked with
SO_PEERCRED to run as this process's user. Requests and answers are one JSON line each:

    {"op": "status"}                 -> {"ok": true, "sealed": bool}
    {"op": "unseal", "shares": [..]} -> {"ok": true} | {"ok": false, "error": sentence}
    {"op": "seal"}                   -> {"ok": true}
    {"op": "enter", "share": text, "trustee": id}
        -> {"ok": true, "counted": bool, "sealed": bool, "entered": n, "threshold": k, ...}
         | {"ok": false, "error": sentence, "code": code, "params": {...}, "entered": n, ...}
    {"op": "keys"}                   -> {"ok": true, "sealed": false, "generation": g,
                                         "keys": [urlsafe base64, newest first]}
    {"op": "forget"}                 -> {"ok": true, "sealed": bool, "forgotten": [key ids]}
        (after `kenes custody drop-key`: the keys no longer in keys.json leave memory, under
        a new generation, so every worker fetches the keys again at its next request)
    {"op": "throttle"}               -> {"ok": true, "key": urlsafe base64}
        (sealed or not: the key of the wrong-code throttle, below)

The throttle key keys the hashes of client addresses that sent wrong personal codes
(kenes.participation.throttle). Members vote while sealed, so it is served sealed too; it
is made at random when the holder starts and again at every seal, kept in this process's
memory only and never written, so a copy of the disk and the environment cannot tell which
addresses mistyped a code. Beside the socket, `keyholder.throttle` holds a random id of the
current throttle key (not the key), under a new inode at each change: workers stat it to
know that the key they cached is still the holder's. A new key forgives the wrong codes
counted under the old one (at most FAILURE_LIMIT per address, WINDOW = 15 minutes).

While unsealed it keeps a marker file beside the socket (`keyholder.unsealed`) holding the
generation, a random id of this unsealing: workers stat it before using keys they cached,
so `kenes seal` reaches every worker at its next request without a round trip per request.
The marker holds no key material. A holder that starts removes a stale marker: a restart
is a seal.

Trustees unsealing from the web page each send their own share (`enter`): the holder keeps
the shares entered so far in memory only, one per trustee and per share number, until k
are in (then it unseals), a seal, or KENES_UNSEAL_WINDOW_SECONDS after the first one. A
share that cannot be read, is of another set or was entered already does not count; no
answer ever carries a share, only how many are in and which trustees entered them.

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
import time
from pathlib import Path
from typing import Any

from kenes.core.custody.errors import CustodyError
from kenes.core.custody.shamir import Share, combine
from kenes.core.custody.share_text import share_from_text
from kenes.core.custody.wrap import unwrap

from . import store
from .client import MAX_REQUEST, marker_path, throttle_marker_path
from .errors import CustodyProblem

logger = logging.getLogger("kenes.custody")

_PR_SET_DUMPABLE = 4
_MCL_CURRENT, _MCL_FUTURE = 1, 2


class Refused(Exception):
    """An unseal that changes nothing: the sentence says why."""


class KeyHolder:
    """The state: sealed (no keys) or unsealed (the field keys and a generation id)."""

    def __init__(
        self, socket_path: Path, custody_file: Path, *, window_seconds: float = 900.0
    ) -> None:
        self.socket_path = socket_path
        self.custody_file = custody_file
        self.marker = marker_path(socket_path)
        self.throttle_marker = throttle_marker_path(socket_path)
        self.window_seconds = window_seconds
        self._lock = threading.Lock()
        self._keys: tuple[bytes, ...] = ()
        self._generation = ""
        # Shares entered one by one (the web page): trustee id -> share, until k are in.
        self._entered: dict[str, Share] = {}
        self._entered_since = 0.0
        # The wrong-code throttle's key: memory only, served sealed or not (the docstring).
        self._throttle_key = secrets.token_bytes(32)

    @property
    def sealed(self) -> bool:
        return not self._keys

    def status(self) -> dict[str, Any]:
        with self._lock:
            self._expire()
            return {"ok": True, "sealed": self.sealed, **self._collection()}

    def _collection(self) -> dict[str, Any]:
        """How far the shares entered one by one are (never a share); under the lock."""
        left = None
        if self._entered:
            left = max(0, round(self._entered_since + self.window_seconds - time.monotonic()))
        return {
            "entered": len(self._entered),
            "entered_by": sorted(self._entered),
            "expires_in": left,
        }

    def _expire(self) -> None:
        """Forget the shares entered when the window since the first one has passed."""
        if self._entered and time.monotonic() - self._entered_since >= self.window_seconds:
            self._forget_entered()

    def _forget_entered(self) -> None:
        self._entered = {}
        self._entered_since = 0.0

    def expire(self) -> None:
        with self._lock:
            self._expire()

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

    def throttle(self) -> dict[str, Any]:
        with self._lock:
            return {"ok": True, "key": store.field_key_text(self._throttle_key)}

    def new_throttle_key(self) -> None:
        """A fresh throttle key, and a fresh id beside the socket so that every worker
        fetches it at its next request (the wrong codes counted so far are forgiven)."""
        with self._lock:
            self._new_throttle_key()

    def _new_throttle_key(self) -> None:
        self._throttle_key = secrets.token_bytes(32)
        self._write_file(self.throttle_marker, secrets.token_hex(16))

    def forget(self) -> dict[str, Any]:
        """Drop from memory the field keys that keys.json no longer lists. It can only take
        keys away: one missing from the file is not in this process's memory either."""
        try:
            record = store.read_record(self.custody_file)
        except CustodyProblem as exc:
            return {"ok": False, "error": str(exc)}
        listed = {k.key_id for k in record.keys}
        with self._lock:
            kept = tuple(k for k in self._keys if store.key_id(k) in listed)
            forgotten = [store.key_id(k) for k in self._keys if store.key_id(k) not in listed]
            if forgotten and kept:
                self._keys = kept
                self._generation = secrets.token_hex(16)
                self._write_marker()  # a new inode: workers fetch the keys again
            elif forgotten:  # nothing left to serve: a seal
                self.marker.unlink(missing_ok=True)
                self._keys = ()
                self._generation = ""
            return {"ok": True, "sealed": self.sealed, "forgotten": forgotten}

    def seal(self) -> dict[str, Any]:
        with self._lock:
            self.marker.unlink(missing_ok=True)  # first: workers stop trusting their caches
            self._keys = ()
            self._generation = ""
            self._forget_entered()  # a seal also ends a collection of shares under way
            if self.throttle_marker.exists():  # a serving holder: a seal looks like a restart
                self._new_throttle_key()
        return {"ok": True, "sealed": True}

    def unseal(self, texts: list[str]) -> dict[str, Any]:
        try:
            keys = self._unwrap(texts)
        except Refused as exc:
            return {"ok": False, "error": f"{exc} Nothing changed."}
        with self._lock:
            self._install(keys)
        return {"ok": True, "sealed": False}

    def _install(self, keys: tuple[bytes, ...]) -> None:
        """Under the lock: unsealed with `keys` (unless already), no shares left waiting."""
        if not self._keys:
            self._keys = keys
            self._generation = secrets.token_hex(16)
            self._write_marker()
        self._forget_entered()

    def enter(self, text: str, trustee: str) -> dict[str, Any]:
        """One trustee's share towards an unseal: counted once, kept in memory until k are in.

        Refused without counting: a share that cannot be read, one of another set, a
        second share from the same trustee, a share number another trustee entered.
        The same share entered again by the same trustee is no error and counts once.
        """
        try:
            record = store.read_record(self.custody_file)
        except CustodyProblem as exc:
            return self._refusal(str(exc), "not_set_up")
        try:  # outside the lock: locating a typo takes up to half a second
            share = share_from_text(text.strip())
        except CustodyError as exc:
            return self._refusal(f"This share cannot be read: {exc}", exc.code, exc.params)
        except ValueError as exc:
            return self._refusal(f"This share cannot be read: {exc}", "not_a_share")
        if str(share.set_id) != record.set_id:
            return self._refusal(
                "This share belongs to another set of shares, not to this server's.",
                "another_set",
            )
        with self._lock:
            self._expire()
            if self._keys:
                return {"ok": True, "counted": False, "sealed": False, **self._collection()}
            mine = self._entered.get(trustee)
            if mine is not None:
                if mine == share:
                    return {"ok": True, "counted": False, "sealed": True, **self._collection()}
                return self._refusal(
                    "You have already entered a share; another trustee must enter theirs.",
                    "trustee_already_entered",
                    locked=True,
                )
            if any(s.index == share.index for s in self._entered.values()):
                return self._refusal(
                    "This share has already been entered by another trustee.",
                    "share_already_entered",
                    locked=True,
                )
            if not self._entered:
                self._entered_since = time.monotonic()
            self._entered[trustee] = share
            if len(self._entered) < record.threshold:
                return {"ok": True, "counted": True, "sealed": True, **self._collection()}
            by = sorted(self._entered)
            shares = list(self._entered.values())
            self._forget_entered()
            try:
                keys = self._open(shares, record)
            except Refused as exc:
                return self._refusal(
                    f"{exc} The shares entered are forgotten: every trustee must enter "
                    "theirs again.",
                    "does_not_rebuild",
                    locked=True,
                )
            self._install(keys)
            return {
                "ok": True,
                "counted": True,
                "sealed": False,
                "unsealed_by": by,
                **self._collection(),
            }

    def _refusal(
        self,
        sentence: str,
        code: str,
        params: dict[str, Any] | None = None,
        *,
        locked: bool = False,
    ) -> dict[str, Any]:
        if locked:
            collection = self._collection()
        else:
            with self._lock:
                self._expire()
                collection = self._collection()
        return {
            "ok": False,
            "error": sentence,
            "code": code,
            "params": dict(params or {}),
            "sealed": self.sealed,
            **collection,
        }

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
        return self._open(shares, record)

    def _open(self, shares: list[Share], record: store.CustodyRecord) -> tuple[bytes, ...]:
        """The field keys, from shares already read and of this server's set."""
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
        self._write_file(self.marker, self._generation)

    @staticmethod
    def _write_file(path: Path, text: str) -> None:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text + "\n")
        os.replace(tmp, path)  # a new inode: workers' cached stat no longer matches

    def answer(self, request: Any) -> dict[str, Any]:
        op = request.get("op") if isinstance(request, dict) else None
        if op == "status":
            return self.status()
        if op == "keys":
            return self.keys()
        if op == "seal":
            return self.seal()
        if op == "forget":
            return self.forget()
        if op == "throttle":
            return self.throttle()
        if op == "unseal":
            shares = request.get("shares")
            if not isinstance(shares, list) or not all(isinstance(s, str) for s in shares):
                return {"ok": False, "error": "The shares must be a list of texts."}
            return self.unseal(shares)
        if op == "enter":
            share, trustee = request.get("share"), request.get("trustee")
            if not isinstance(share, str) or not isinstance(trustee, str) or not trustee:
                return {"ok": False, "error": "A share and the trustee who enters it are needed."}
            return self.enter(share, trustee)
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

    def service_actions(self) -> None:
        # every poll interval: shares entered are forgotten on time, not at the next request
        self.holder.expire()


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


def serve(
    socket_path: Path,
    custody_file: Path,
    *,
    ready: Any = None,
    window_seconds: float | None = None,
) -> None:
    """Run the holder until SIGTERM or SIGINT; it starts (and ends) sealed."""
    if window_seconds is None:
        from django.conf import settings

        window_seconds = float(getattr(settings, "KENES_UNSEAL_WINDOW_SECONDS", 900))
    holder = KeyHolder(socket_path, custody_file, window_seconds=window_seconds)
    _claim_socket(socket_path)
    holder.marker.unlink(missing_ok=True)  # a restart is a seal
    holder.new_throttle_key()  # and forgives wrong codes: the old key is gone with its process
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
        holder.throttle_marker.unlink(missing_ok=True)
        server.server_close()
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
