"""The wrapped field keys on disk: `<KENES_CUSTODY_DIR>/keys.json`, never the keys themselves.

The file holds, per field key, its id and the key wrapped under the master key, plus what
unsealing needs to tell good shares from bad ones: k, n, the share set's id and the master's
check value. Neither the master nor a field key is ever written anywhere.

A file rather than a database table: the key holder reads it before (and without) the
database, and the key material stays out of database dumps and replicas, which are copied
more widely than the server's var/ folder.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from .errors import CustodyProblem

if TYPE_CHECKING:
    from kenes.core.custody.shamir import Share

# The crypto (kenes.core.custody) is imported where it is used: kenes.security.keys asks
# `is_set_up()` in every process, which needs none of it.
FORMAT = "kenes-custody-v1"
FILE_NAME = "keys.json"
LOCK_NAME = ".keys.lock"
RETIRED_KEPT = 20  # set ids remembered after re-sharing, to name old paper when it comes back


def custody_dir() -> Path:
    return Path(settings.KENES_CUSTODY_DIR)


def custody_file() -> Path:
    return custody_dir() / FILE_NAME


def is_set_up() -> bool:
    return custody_file().exists()


def key_id(raw: bytes) -> str:
    """The name a sealed value carries for the key that sealed it (kenes.security.keys)."""
    return hashlib.sha256(raw).hexdigest()[:8]


def wrap_purpose(wrapped_key_id: str) -> str:
    """Binds each wrapped key to its id: a key moved to another id's slot does not unwrap."""
    return f"kenes field key {wrapped_key_id}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    wrapped: bytes


@dataclass(frozen=True)
class CustodyRecord:
    threshold: int
    trustees: int
    set_id: str
    master_check: str
    keys: tuple[WrappedKey, ...]  # newest first, as KENES_FIELD_KEYS was
    created: str = ""
    # set ids of earlier splits (newest first): their shares are refused by name
    retired_sets: tuple[str, ...] = ()

    def matches(self, master: bytes) -> bool:
        from kenes.core.custody.wrap import master_matches

        return master_matches(master, self.master_check)

    def to_json(self) -> dict[str, Any]:
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        return {
            "format": FORMAT,
            "threshold": self.threshold,
            "trustees": self.trustees,
            "set_id": self.set_id,
            "master_check": self.master_check,
            "keys": [{"key_id": k.key_id, "wrapped": _b64(k.wrapped)} for k in self.keys],
            "created": self.created or now,
            "changed": now,
            "retired_sets": list(self.retired_sets),
        }


BeforeCommit = Callable[[list[str], "CustodyRecord"], None]
"""Called with the new share texts and record just before keys.json is replaced (under the
lock): writing the share sheets there means a failure leaves the old custody in force."""


def read_record(path: Path | None = None) -> CustodyRecord:
    path = path or custody_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return CustodyRecord(
            threshold=int(data["threshold"]),
            trustees=int(data["trustees"]),
            set_id=str(data["set_id"]),
            master_check=str(data["master_check"]),
            keys=tuple(WrappedKey(str(k["key_id"]), _unb64(k["wrapped"])) for k in data["keys"]),
            created=str(data.get("created", "")),
            retired_sets=tuple(str(s) for s in data.get("retired_sets", ())),
        )
    except FileNotFoundError as exc:
        raise CustodyProblem(
            f"Custody is not set up: {path} does not exist (`kenes custody init`)."
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CustodyProblem(f"{path} is not a Kenes custody file ({exc}).") from exc


def parse_field_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise CustodyProblem(
            "A key in KENES_FIELD_KEYS is not 32 bytes of urlsafe base64; "
            "custody can only take the keys the server already works with."
        )
    return raw


def field_key_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def create(
    field_key_texts: list[str],
    *,
    trustees: int,
    threshold: int,
    before_commit: BeforeCommit | None = None,
) -> list[str]:
    """Wrap the field keys under a new master, write the record, return the share texts.

    Refuses when custody is already set up: a second set of shares would leave the first
    trustees holding paper that opens nothing, and nobody would notice until too late.
    """
    from kenes.core.custody.shamir import split
    from kenes.core.custody.share_text import share_to_text
    from kenes.core.custody.wrap import master_check, wrap

    if not 2 <= threshold <= trustees:
        raise CustodyProblem(
            f"The threshold must be at least 2 and at most the number of trustees "
            f"(got {threshold} of {trustees})."
        )
    if not field_key_texts:
        raise CustodyProblem(
            "KENES_FIELD_KEYS is empty: there is no key to put into custody "
            "(set it to the keys the server works with, or `kenes keygen` for a new one)."
        )
    path = custody_file()
    if path.exists():
        raise CustodyProblem(
            f"Custody is already set up ({path}): the trustees already hold shares. "
            "Nothing changed."
        )
    raws = [parse_field_key(t) for t in field_key_texts]
    master = secrets.token_bytes(32)
    shares = split(master, shares=trustees, threshold=threshold)
    record = CustodyRecord(
        threshold=threshold,
        trustees=trustees,
        set_id=shares[0].set_id,
        master_check=master_check(master),
        keys=tuple(
            WrappedKey(key_id(raw), wrap(master, raw, purpose=wrap_purpose(key_id(raw))))
            for raw in raws
        ),
    )
    del master
    texts = [share_to_text(s) for s in shares]
    if before_commit is not None:
        before_commit(texts, record)
    _write_new(path, json.dumps(record.to_json(), indent=2) + "\n")
    return texts


def _write_whole(path: Path, text: str, *, place: Callable[[Path, Path], None]) -> None:
    """Write `text` to a 0600 temporary file beside `path`, fsync it, put it in place with
    `place(tmp, path)` (a link or a rename: atomic, never half-written), fsync the folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        place(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _write_new(path: Path, text: str) -> None:
    """Create `path` with `text` (0600, fsynced) or fail if it exists, even under a race."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def link(tmp: Path, target: Path) -> None:
        try:
            os.link(tmp, target)  # atomic "create if absent" with the whole content
        except FileExistsError as exc:
            raise CustodyProblem(
                f"Custody is already set up ({target}): the trustees already hold shares. "
                "Nothing changed."
            ) from exc

    _write_whole(path, text, place=link)


# Changing custody: re-sharing, a new master, a new field key ----------------------------
#
# Each change takes k current shares, runs under one lock (a second change waits, then
# finds the set id it was given shares of replaced and is refused), and replaces keys.json
# in one rename: a reader (the key holder unsealing, a worker's stat) sees the old file or
# the new one, never half of either. The lock lives beside keys.json so every process on
# this var/ takes the same one.


class _Refused(CustodyProblem):
    def __init__(self, sentence: str) -> None:
        super().__init__(f"{sentence} Nothing changed.")


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One change of custody at a time on this var/ (an exclusive flock)."""
    path = custody_file()
    if not path.exists():
        raise _Refused(f"Custody is not set up: {path} does not exist (`kenes custody init`).")
    fd = os.open(path.with_name(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def check_counts(*, trustees: int, threshold: int) -> None:
    from kenes.core.custody.shamir import MAX_SHARES

    if not 2 <= threshold <= trustees <= MAX_SHARES:
        raise _Refused(
            f"The threshold must be at least 2 and at most the number of trustees, "
            f"which is at most {MAX_SHARES} (got {threshold} of {trustees})."
        )


def rebuild_master(texts: Sequence[str], record: CustodyRecord) -> bytes:
    """The master key from the trustees' share texts, checked against `master_check`.

    Raises a sentence ending in "Nothing changed." naming the share at fault: unreadable,
    of a retired set (replaced by re-sharing or a new master), of another server, too few,
    not fitting together, or not rebuilding this server's master.
    """
    from kenes.core.custody.errors import CustodyError
    from kenes.core.custody.shamir import combine
    from kenes.core.custody.share_text import share_from_text

    texts = [t.strip() for t in texts if t.strip()]
    shares: list[Share] = []
    for number, text in enumerate(texts, 1):
        try:
            share = share_from_text(text)
        except (CustodyError, ValueError) as exc:
            raise _Refused(f"Share {number} cannot be read: {exc}") from exc
        if share.set_id in record.retired_sets:
            raise _Refused(
                f"Share {number} belongs to set {share.set_id}, which was replaced: it opens "
                f"nothing any more (this server's shares are of set {record.set_id})."
            )
        if share.set_id != record.set_id:
            raise _Refused(
                f"Share {number} belongs to set {share.set_id}, not to this server's set "
                f"{record.set_id}."
            )
        shares.append(share)
    if len(shares) < record.threshold:
        raise _Refused(
            f"{record.threshold} of the {record.trustees} trustees' shares are needed, one "
            f"per line on stdin; {len(shares)} given."
        )
    try:
        master = combine(shares)
    except (CustodyError, ValueError) as exc:
        raise _Refused(f"These shares do not fit together: {exc}") from exc
    if not record.matches(master):
        raise _Refused(
            "These shares do not rebuild this server's master key "
            "(is one of them mistyped, or from another server?)."
        )
    return master


def _fresh_set_id(record: CustodyRecord) -> str:
    from kenes.core.custody.shamir import new_set_id

    used = {record.set_id, *record.retired_sets}
    set_id = new_set_id()
    while set_id in used:
        set_id = new_set_id()
    return set_id


def _retire(record: CustodyRecord) -> tuple[str, ...]:
    return (record.set_id, *record.retired_sets)[:RETIRED_KEPT]


def _commit(
    record: CustodyRecord, shares: list[Share], before_commit: BeforeCommit | None
) -> list[str]:
    from kenes.core.custody.share_text import share_to_text

    texts = [share_to_text(s) for s in shares]
    text = json.dumps(record.to_json(), indent=2) + "\n"
    if before_commit is not None:
        before_commit(texts, record)
    _replace(custody_file(), text)
    return texts


def reshare(
    share_texts: Sequence[str],
    *,
    trustees: int,
    threshold: int,
    before_commit: BeforeCommit | None = None,
) -> tuple[CustodyRecord, list[str]]:
    """K current shares in, N new shares (any K' of them) out, under a new set id.

    The master key is the same, so every wrapped key (and all data) stays as it is. The
    old set id is retired: the server refuses its shares by name. Paper copies of k old
    shares still rebuild the master, which opens any old copy of keys.json: for a trustee
    who cannot be trusted to destroy theirs, `rotate_master`.
    """
    from kenes.core.custody.shamir import split

    check_counts(trustees=trustees, threshold=threshold)
    with _locked():
        record = read_record()
        master = rebuild_master(share_texts, record)
        shares = split(master, shares=trustees, threshold=threshold, set_id=_fresh_set_id(record))
        del master
        new = replace(
            record,
            threshold=threshold,
            trustees=trustees,
            set_id=shares[0].set_id,
            retired_sets=_retire(record),
        )
        return new, _commit(new, shares, before_commit)


def rotate_master(
    share_texts: Sequence[str],
    *,
    trustees: int | None = None,
    threshold: int | None = None,
    before_commit: BeforeCommit | None = None,
) -> tuple[CustodyRecord, list[str]]:
    """K current shares in: a new master key, the field keys re-wrapped under it, new shares.

    Only keys.json changes (the wrapped keys, the check value, the set id): the field keys,
    and so every sealed value, stay the same. Old shares, even with an old copy of
    keys.json, rebuild only the old master, which opens nothing in the new file.
    """
    from kenes.core.custody.errors import CustodyError
    from kenes.core.custody.shamir import split
    from kenes.core.custody.wrap import master_check, new_master, unwrap, wrap

    with _locked():
        record = read_record()
        trustees = record.trustees if trustees is None else trustees
        threshold = record.threshold if threshold is None else threshold
        check_counts(trustees=trustees, threshold=threshold)
        old_master = rebuild_master(share_texts, record)
        master = new_master()
        wrapped = []
        for key in record.keys:
            purpose = wrap_purpose(key.key_id)
            try:
                raw = unwrap(old_master, key.wrapped, purpose=purpose)
            except (CustodyError, ValueError) as exc:
                raise _Refused(f"Field key {key.key_id} does not unwrap: {exc}") from exc
            if key_id(raw) != key.key_id:
                raise _Refused(f"Field key {key.key_id} unwraps to another key.")
            wrapped.append(WrappedKey(key.key_id, wrap(master, raw, purpose=purpose)))
            del raw
        del old_master
        shares = split(master, shares=trustees, threshold=threshold, set_id=_fresh_set_id(record))
        new = replace(
            record,
            threshold=threshold,
            trustees=trustees,
            set_id=shares[0].set_id,
            master_check=master_check(master),
            keys=tuple(wrapped),
            retired_sets=_retire(record),
        )
        del master
        return new, _commit(new, shares, before_commit)


def add_key(share_texts: Sequence[str]) -> tuple[CustodyRecord, str]:
    """A new random field key, wrapped under the master (rebuilt from k shares), put first.

    The first key is the one new values are sealed under and `kenes rotate-keys` re-seals
    everything under (kenes.security.keys.current_key, served by the key holder once it
    has unsealed this file). The shares and the set id stay the same. Returns the new
    record and the new key's id.
    """
    from kenes.core.custody.wrap import wrap

    with _locked():
        record = read_record()
        master = rebuild_master(share_texts, record)
        raw = secrets.token_bytes(32)
        new_id = key_id(raw)
        while any(k.key_id == new_id for k in record.keys):  # 32-bit ids: be sure
            raw = secrets.token_bytes(32)
            new_id = key_id(raw)
        new_key = WrappedKey(new_id, wrap(master, raw, purpose=wrap_purpose(new_id)))
        del master, raw
        new = replace(record, keys=(new_key, *record.keys))
        _replace(custody_file(), json.dumps(new.to_json(), indent=2) + "\n")
        return new, new_id


def drop_key(key_id: str, *, check: Callable[[CustodyRecord], None]) -> CustodyRecord:
    """Remove an old field key from keys.json; returns the new record.

    Refused (nothing changed) for a key that is not in the file (dropped already?) and for
    the newest one, which seals everything new. `check(record)` runs under the lock just
    before the file is replaced and refuses by raising (the command counts there the sealed
    values that still name the key). No share is needed: nothing is wrapped, and a key
    taken out of the file cannot be put back by anyone without the key itself.
    """
    with _locked():
        record = read_record()
        ids = [k.key_id for k in record.keys]
        if key_id not in ids:
            raise _Refused(
                f"Field key {key_id} is not in {custody_file()} (keys: {', '.join(ids)}); "
                "was it dropped already?"
            )
        if ids[0] == key_id:
            raise _Refused(
                f"Field key {key_id} is the newest: everything new is sealed under it. Add "
                "another with `kenes custody add-key` and run `kenes rotate-keys` first."
            )
        check(record)
        new = replace(record, keys=tuple(k for k in record.keys if k.key_id != key_id))
        _replace(custody_file(), json.dumps(new.to_json(), indent=2) + "\n")
        return new


def _replace(path: Path, text: str) -> None:
    """Replace `path` with `text` (0600) in one rename: whole, fsynced, never half-written."""
    _write_whole(path, text, place=os.replace)
