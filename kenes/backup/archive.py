"""One archive: a tar stream, encrypted to age recipients while it is written.

The tar stream goes through a pipe straight into age (pyrage), which writes the encrypted
file: the archive never exists unencrypted, and neither side holds more than a buffer in
memory. Reading runs the other way: age decrypts into a pipe, the tar reader takes the
members out into a private folder, and only once age has checked the very last chunk
(age authenticates every 64 KiB chunk and marks the final one, so a cut-short or altered
file is an error) does the caller use what came out.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from kenes.security import passphrase as passphrases
from kenes.security.passphrase import PassphraseProblem

from .errors import BackupProblem

ROOT = "kenes-backup"
MANIFEST = "manifest.json"
FORMAT = "kenes-backup-v1"
CHUNK = 1 << 16


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(f"{ROOT}/{name}")
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info  # uid, gid and owner names stay empty: nothing about the machine


def write(
    target: Path, manifest: dict[str, Any], files: Sequence[tuple[str, Path]], recipients: list[Any]
) -> int:
    """Write the encrypted archive to `target` (created 0600, must not exist); its size."""
    import pyrage

    body = json.dumps(manifest, indent=2).encode()
    read_end, write_end = os.pipe()
    failed: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(write_end, "wb") as sink, tarfile.open(fileobj=sink, mode="w|") as tar:
                tar.addfile(_tarinfo(MANIFEST, len(body)), io.BytesIO(body))
                for name, path in files:
                    with open(path, "rb") as fh:
                        tar.addfile(_tarinfo(name, os.fstat(fh.fileno()).st_size), fh)
        except BaseException as exc:  # reported by the caller's thread
            failed.append(exc)

    producer = threading.Thread(target=produce, name="kenes-backup-tar")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    producer.start()
    try:
        with os.fdopen(read_end, "rb") as source, os.fdopen(fd, "wb") as out:
            pyrage.encrypt_io(source, out, recipients)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        producer.join()
        target.unlink(missing_ok=True)
        raise
    producer.join()
    if failed:
        target.unlink(missing_ok=True)
        raise BackupProblem(
            _("The backup could not be written (%(error)s); no archive was left.")
            % {"error": failed[0]}
        )
    return target.stat().st_size


def read_identities(path: Path, passphrase: Callable[[], str] | None = None) -> list[Any]:
    """The age secret keys (AGE-SECRET-KEY-1...) in an identity file, as age-keygen writes it,
    or as `age-keygen | age -p` writes it: encrypted with a passphrase, which `passphrase()`
    then gives (asked only for such a file). A wrong passphrase is a sentence."""
    import pyrage

    try:
        data = path.read_bytes()[: 1 << 20]
    except OSError as exc:
        raise BackupProblem(
            _("The identity file %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": exc}
        ) from exc
    if passphrases.is_encrypted(data):
        data = _decrypted_identity(path, data, passphrase)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise BackupProblem(
            _("The identity file %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": exc}
        ) from exc
    found = []
    for line in lines:
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                found.append(pyrage.x25519.Identity.from_str(line))
            except Exception as exc:  # pyrage.IdentityError
                raise BackupProblem(
                    _("The identity file %(path)s holds a key that is not a valid age key.")
                    % {"path": path}
                ) from exc
    if not found:
        raise BackupProblem(
            _("The identity file %(path)s holds no age secret key (AGE-SECRET-KEY-1...).")
            % {"path": path}
        )
    return found


def _decrypted_identity(path: Path, data: bytes, passphrase: Callable[[], str] | None) -> bytes:
    if passphrase is None:
        raise BackupProblem(
            _("The identity file %(path)s is protected by a passphrase.") % {"path": path}
        )
    try:
        given = passphrase()
    except PassphraseProblem as exc:  # none could be read: its own sentence
        raise BackupProblem(str(exc)) from exc
    try:
        return passphrases.decrypt(data, given)
    except PassphraseProblem as exc:
        raise BackupProblem(
            _(
                "The passphrase does not open the identity file %(path)s (or the file was "
                "edited, or encrypted to a key rather than a passphrase). Nothing was restored."
            )
            % {"path": path}
        ) from exc


def read(archive: Path, identities: list[Any], folder: Path, allowed: set[str]) -> dict[str, Any]:
    """Decrypt `archive` and put its members (only names in `allowed`) into `folder`.

    Returns the manifest. Raises a sentence if the archive is not for these identities, is
    damaged or cut short, or holds anything unexpected; `folder` may then hold partial
    files, which the caller removes.
    """
    import pyrage

    try:
        source = open(archive, "rb")  # noqa: SIM115  (closed by the decrypting thread)
    except OSError as exc:
        raise BackupProblem(
            _("The archive %(path)s cannot be read (%(error)s).")
            % {"path": archive, "error": exc.strerror or exc}
        ) from exc
    read_end, write_end = os.pipe()
    failed: list[BaseException] = []

    def decrypt() -> None:
        try:
            with source, os.fdopen(write_end, "wb") as sink:
                pyrage.decrypt_io(source, sink, identities)
        except BaseException as exc:
            failed.append(exc)

    decrypter = threading.Thread(target=decrypt, name="kenes-restore-age")
    decrypter.start()
    manifest: dict[str, Any] | None = None
    unpacked: BaseException | None = None
    try:
        with os.fdopen(read_end, "rb") as stream:
            try:
                manifest = _unpack(stream, folder, allowed)
                while stream.read(CHUNK):  # age checks its last chunk only at the end
                    pass
            except (tarfile.TarError, BackupProblem, OSError, ValueError, EOFError) as exc:
                unpacked = exc
    finally:
        decrypter.join()
    # A reader that stopped early (a wrong member) breaks age's pipe: its own reason counts.
    if failed and not (unpacked is not None and _broken_pipe(failed[0])):
        raise _decryption_problem(failed[0], archive) from failed[0]
    if isinstance(unpacked, BackupProblem):
        raise unpacked
    if unpacked is not None or manifest is None:
        raise BackupProblem(
            _("%(path)s is not a Kenes backup (%(error)s); nothing was restored.")
            % {"path": archive, "error": unpacked or _("no manifest")}
        )
    return manifest


def _broken_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or "Broken pipe" in str(exc)


def _decryption_problem(exc: BaseException, archive: Path) -> BackupProblem:
    text = str(exc)
    if "No matching keys" in text:
        return BackupProblem(
            _(
                "The identity given does not open %(path)s: the archive was not encrypted to "
                "that key. Nothing was restored."
            )
            % {"path": archive}
        )
    return BackupProblem(
        _(
            "%(path)s cannot be decrypted: it is damaged, cut short or not an age archive "
            "(%(error)s). Nothing was restored."
        )
        % {"path": archive, "error": text}
    )


def _unpack(stream: IO[bytes], folder: Path, allowed: set[str]) -> dict[str, Any]:
    manifest: dict[str, Any] | None = None
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            name = member.name.removeprefix(f"{ROOT}/")
            if not member.isfile() or (name != MANIFEST and name not in allowed):
                raise BackupProblem(
                    _(
                        "The archive holds %(name)s, which a Kenes backup does not; nothing "
                        "was restored."
                    )
                    % {"name": member.name[:100]}
                )
            extracted = tar.extractfile(member)
            assert extracted is not None  # a regular file
            if name == MANIFEST:
                manifest = json.loads(extracted.read(1 << 20).decode())
                if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                    raise BackupProblem(
                        _("This archive's format is not %(format)s; nothing was restored.")
                        % {"format": FORMAT}
                    )
                continue
            target = folder / name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(extracted, out, CHUNK)
    if manifest is None:
        raise BackupProblem(_("The archive holds no manifest; nothing was restored."))
    return manifest
