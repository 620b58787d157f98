"""Talking to the key holder (kenes.custody.holder) from commands, web and task workers."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import resource
import socket
from pathlib import Path
from typing import Any

from django.conf import settings

from .errors import CustodyProblem

MAX_REQUEST = 64 * 1024


def marker_path(socket_path: Path) -> Path:
    """Beside the socket while the holder is unsealed: kenes.custody.holder."""
    return socket_path.with_name(socket_path.stem + ".unsealed")


def throttle_marker_path(socket_path: Path) -> Path:
    """Beside the socket while the holder runs: a random id of its current throttle key
    (never the key), rewritten under a new inode whenever the key changes."""
    return socket_path.with_name(socket_path.stem + ".throttle")


class HolderUnavailable(CustodyProblem):
    pass


def socket_path() -> Path:
    return Path(settings.KENES_KEYHOLDER_SOCKET)


def call(request: dict[str, Any], *, timeout: float = 10.0) -> dict[str, Any]:
    path = socket_path()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        try:
            conn.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise HolderUnavailable(
                f"The key holder is not running (no one listens on {path}): "
                "start it with `kenes keyholder`."
            ) from exc
        conn.sendall(json.dumps(request).encode() + b"\n")
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        size = 0
        while chunk := conn.recv(65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > 16 * MAX_REQUEST:
                break
    except OSError as exc:
        raise HolderUnavailable(f"The key holder on {path} did not answer ({exc}).") from exc
    finally:
        conn.close()
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError as exc:
        raise HolderUnavailable(f"The key holder on {path} gave no answer.") from exc
    if not isinstance(answer, dict):
        raise HolderUnavailable(f"The key holder on {path} gave no answer.")
    return answer


def marker_identity(path: str | None = None) -> tuple[int, int] | None:
    """Which unsealing the holder's marker file names (inode, mtime), None when sealed.

    One stat: what every worker pays per request to learn that its cached keys still hold.
    """
    try:
        st = os.stat(path or marker_path(socket_path()))
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def fetch_keys() -> tuple[bytes, ...] | None:
    """The unwrapped field keys from the holder, newest first; None when it is sealed
    or not running (a holder that is not running holds no keys: sealed)."""
    try:
        answer = call({"op": "keys"})
    except HolderUnavailable:
        return None
    if answer.get("sealed", True) or not answer.get("keys"):
        return None
    # a process that holds field keys writes no core file
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    return tuple(base64.urlsafe_b64decode(k) for k in answer["keys"])


def fetch_throttle_key() -> bytes | None:
    """The holder's throttle key (kenes.participation.throttle), sealed or not; None when
    no holder answers."""
    try:
        answer = call({"op": "throttle"})
    except HolderUnavailable:
        return None
    text = answer.get("key")
    if not answer.get("ok") or not isinstance(text, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(text)
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def forget_marker() -> None:
    """`kenes seal` with no holder to tell: remove the marker so no worker keeps its keys."""
    marker_path(socket_path()).unlink(missing_ok=True)


def holder_status() -> dict[str, Any]:
    """The holder's state and the shares entered so far (how many, by whom; never a share).

    A holder that is not running holds no keys and no shares: sealed, `running` false.
    """
    try:
        answer = call({"op": "status"})
    except HolderUnavailable:
        return {"ok": False, "running": False, "sealed": True, "entered": 0, "entered_by": []}
    return {"running": True, **answer}


def seal() -> None:
    """Drop the keys now, in the holder and (through the marker) in every worker.

    Also when the holder is gone: no holder, no keys, and removing the marker still stops
    every worker that cached them.
    """
    with contextlib.suppress(HolderUnavailable):
        call({"op": "seal"})
    forget_marker()


def enter_share(text: str, *, trustee: str) -> dict[str, Any]:
    """One trustee's share towards an unseal (kenes.custody.holder.KeyHolder.enter)."""
    return call({"op": "enter", "share": text, "trustee": trustee})
