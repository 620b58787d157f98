"""Writing and verifying the audit log. Other apps call only this module.

Every `record` must run inside the caller's transaction (`transaction.atomic`)
so that the change and its audit entry commit or fail together.

An entry holds no personal data in the clear: the auditor reads aggregates only. A value a
caller marks with `fingerprint_text`, and every text under a key that names personal data
(`PERSONAL_KEYS`: a name typed into a search, an uploaded file's name, a member's name,
IIN, phone, address or birth date), is stored as ``fp:`` and a keyed fingerprint
(kenes.security.sealing.fingerprint): the same text gives the same fingerprint, so repeated
searches for one person can be seen, but the text cannot be read or guessed without the key.

Nor does an entry about one member name them (issue 12): an officer's role and group are in
the clear, and a coordinator sees only the members of their group, so "coordinator X looked
at member 123" would tell that 123 is in X's group. `record` stores such an entry's target as
`member_target(id)`, a keyed hash under a sealed secret (kenes.audit.secrets); the member's
own page and the registry find a member's entries with `entries_about_member`. Entries
written before this change keep the clear id (the chain cannot be rewritten):
`entries_about_member` finds those too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kenes.audit.models import AuditEntry, ChainHead
from kenes.audit.secrets import keyed_hash
from kenes.security.sealing import fingerprint

GENESIS = "0" * 64
FINGERPRINT_PREFIX = "fp:"
#: Keys whose text values are personal data wherever they appear in an entry's detail.
PERSONAL_KEYS = frozenset(
    {"q", "file", "filename", "full_name", "iin", "phone", "address", "birth_date"}
)
#: Keys that are personal only inside a search's "query" (a group's "name" is not).
PERSONAL_QUERY_KEYS = frozenset({"name"})
#: The target type of an entry about one member: its target id is `member_target(id)`.
MEMBER = "member"
#: The IndexSecret the member tokens are keyed with (kenes.audit.secrets).
MEMBER_SECRET = "audit-member"


def member_target(member_id: Any) -> str:
    """The target id an entry about this member carries: a keyed hash of the id (64 hex
    characters) under a sealed secret, so a seized copy of the database cannot say which
    member an entry is about, nor test a guess. Raises Sealed while the server is sealed."""
    return keyed_hash(MEMBER_SECRET, _member_id_text(member_id))


def _member_id_text(member_id: Any) -> str:
    text = str(member_id).strip()
    return str(int(text)) if text.isdigit() else text  # 7, "7" and " 7" are one member


def is_member_token(target_type: str, target_id: str) -> bool:
    """Whether this target is a member token (not a clear id of an entry from before)."""
    return target_type == MEMBER and len(target_id) == 64 and not target_id.isdigit()


def entries_about_member(member_id: Any) -> QuerySet[AuditEntry]:
    """The entries whose target is this member, newest first: by its token, and by its clear
    id in entries written before the tokens (the append-only chain keeps them as written).
    Raises Sealed while the server is sealed."""
    clear = _member_id_text(member_id)
    return AuditEntry.objects.filter(
        target_type=MEMBER, target_id__in=[member_target(clear), clear]
    ).order_by("-id")


def fingerprint_text(text: str) -> str:
    """``fp:`` and the keyed fingerprint of `text`, with case and spacing ignored (a search
    for "иванов" and one for "Иванов " give the same fingerprint)."""
    if text.startswith(FINGERPRINT_PREFIX):
        return text
    return FINGERPRINT_PREFIX + fingerprint(" ".join(text.split()).casefold())


def without_personal_data(detail: Any, *, parent: str = "") -> Any:
    """`detail` with every text under a personal key replaced by its fingerprint."""
    if isinstance(detail, dict):
        return {
            key: (
                _fingerprinted(value)
                if key in PERSONAL_KEYS or (parent == "query" and key in PERSONAL_QUERY_KEYS)
                else without_personal_data(value, parent=key)
            )
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return [without_personal_data(value, parent=parent) for value in detail]
    return detail


def _fingerprinted(value: Any) -> Any:
    if isinstance(value, str):
        return fingerprint_text(value) if value else value
    if isinstance(value, list):
        return [_fingerprinted(v) for v in value]
    if isinstance(value, dict):
        return {k: _fingerprinted(v) for k, v in value.items()}
    return value


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "detail": entry.detail,
        "prev": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def actor_label(user: Any) -> tuple[str, int | None]:
    if user is None:
        return "system", None
    if isinstance(user, str):
        return user, None
    if not getattr(user, "is_authenticated", False):
        return "anonymous", None
    return user.get_username(), user.pk


def record(
    action: str,
    *,
    acting_user: Any,
    target_type: str = "",
    target_id: Any = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction.

    A member target (`target_type="member"`) is stored as `member_target(target_id)`, so
    an entry about a member raises Sealed while the server is sealed."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    if target_type == MEMBER:
        target_id = member_target(target_id)  # before the chain is locked: it reads a row
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # The migration creates the head; this only runs after a flush (tests).
        ChainHead.objects.bulk_create(
            [ChainHead(pk=1, last_hash=GENESIS, count=0)], ignore_conflicts=True
        )
        head = ChainHead.objects.select_for_update().get(pk=1)
    actor, actor_id = actor_label(acting_user)
    entry = AuditEntry(
        at=timezone.now().replace(microsecond=0),
        actor=actor,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=without_personal_data(json.loads(json.dumps(detail or {}, default=str))),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    entry.save()
    ChainHead.objects.filter(pk=1).update(last_hash=entry.hash, count=head.count + 1)
    return entry


@dataclass(frozen=True)
class Verification:
    intact: bool
    entries: int
    head: str
    first_bad_id: int | None = None
    problem: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "head": self.head,
            "first_bad_id": self.first_bad_id,
            "problem": self.problem,
        }


def _entries(after_id: int = 0) -> Iterator[AuditEntry]:
    entries = AuditEntry.objects.order_by("id")
    if after_id:
        entries = entries.filter(id__gt=after_id)
    return entries.iterator(chunk_size=2000)


def verify(*, after: tuple[int, int, str] | None = None) -> Verification:
    """Walk the chain from the start; report the first entry that does not fit.

    `after` = (count, entry id, hash): start after that entry instead, taking the chain up
    to it as checked (kenes.audit.receipts: a head a genuine receipt already signed).
    """
    count, last_id, prev = after if after is not None else (0, 0, GENESIS)
    for entry in _entries(last_id):
        if entry.prev_hash != prev:
            return Verification(
                False,
                count,
                prev,
                entry.id,
                "its link to the previous entry is broken "
                "(an entry before it was removed or altered)",
            )
        if entry_hash(entry) != entry.hash:
            return Verification(False, count, prev, entry.id, "its content does not match its hash")
        prev = entry.hash
        count += 1
        last_id = entry.id
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != count):
        return Verification(
            False,
            count,
            prev,
            last_id + 1 if head.count > count else None,
            f"the chain head records {head.count} entries ending in {head.last_hash[:12]}…, "
            f"but {count} entries ending in {prev[:12]}… are present "
            "(entries were removed at the end)",
        )
    return Verification(True, count, prev)


@transaction.atomic
def record_standalone(action: str, **kwargs: Any) -> AuditEntry:
    """For events with no other change to commit with (e.g. a look at personal data)."""
    return record(action, **kwargs)


def detail_for_reading(entry: AuditEntry) -> Any:
    """An entry's detail as the audit page shows it: personal data as fingerprints, also in
    entries written before `record` fingerprinted them (the chain keeps what was written)."""
    return without_personal_data(entry.detail)


def entries_newest_first(action_prefix: str = "") -> QuerySet[AuditEntry]:
    """Entries for reading (the audit log page); filtered by an action prefix."""
    entries = AuditEntry.objects.order_by("-id")
    return entries.filter(action__startswith=action_prefix) if action_prefix else entries


def actions_recorded() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
