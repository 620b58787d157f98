"""Merge conflicts: entries whose IIN is known under another name, birth date or region.

An import or a hand entry never merges such an entry (kenes.registry.importing); it
waits here until a national admin compares it with the record and decides:

- join: the record is right; the person joins the group as the record has them;
- correct: the entry is right; the record takes its name, birth date and region, and the
  person joins the group;
- refuse: not the same person, or not to be added; nothing changes.

Every decision is audited in the same transaction; the audit names the fields, never
their values (those are fingerprinted).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.registry.models import (
    ConflictState,
    Member,
    MergeConflict,
)
from kenes.registry.rosters import add_members
from kenes.registry.scoping import Action, can
from kenes.security.sealing import fingerprint

RESOLUTIONS = (ConflictState.JOINED, ConflictState.CORRECTED, ConflictState.REFUSED)
# Entered field -> the record's field it is compared with.
COMPARED = {"full_name": "full_name", "birth_date": "birth_date", "region": "region_code"}


@dataclass(frozen=True)
class ConflictView:
    """One open conflict as the admin compares it: the record's values beside the entry's."""

    conflict: MergeConflict
    record: dict[str, Any]
    entered: dict[str, Any]
    differs: list[str]


def _check_admin(user: Any) -> None:
    if not can(user, Action.RESOLVE_CONFLICTS):
        raise PermissionDenied


def open_conflict_count(*, acting_user: Any) -> int:
    """How many conflicts wait (0 for anyone who may not resolve them): no personal data."""
    if not can(acting_user, Action.RESOLVE_CONFLICTS):
        return 0
    return MergeConflict.objects.filter(state=ConflictState.OPEN).count()


def open_conflicts(*, acting_user: Any) -> list[ConflictView]:
    """The conflicts waiting for a decision, with both sides' personal data; the look is
    audited (ids only)."""
    _check_admin(acting_user)
    conflicts = list(
        MergeConflict.objects.filter(state=ConflictState.OPEN).select_related("member")
    )
    audit.record_standalone(
        "member.conflicts_view",
        acting_user=acting_user,
        detail={"conflicts": [c.pk for c in conflicts]},
    )
    views = []
    for conflict in conflicts:
        entered = json.loads(conflict.entered)
        if entered.get("birth_date"):
            entered["birth_date"] = datetime.date.fromisoformat(entered["birth_date"])
        member = conflict.member
        record = {
            "full_name": member.full_name,
            "birth_date": member.birth_date,
            "region": member.region_code,
            "iin": member.iin,
        }
        views.append(ConflictView(conflict, record, entered, conflict.differs.split(",")))
    return views


def do_resolve_conflict(conflict_id: int, resolution: str, *, acting_user: Any) -> MergeConflict:
    """Decide one open conflict (see the module's docstring), audited in the same transaction."""
    _check_admin(acting_user)
    if resolution not in RESOLUTIONS:
        raise ValidationError(_("Choose join, correct or refuse."))
    with transaction.atomic():
        conflict = MergeConflict.objects.select_for_update().filter(pk=conflict_id).first()
        if conflict is None:
            raise ValidationError(_("There is no such conflict."))
        if conflict.state != ConflictState.OPEN:
            raise ValidationError(_("This conflict was already decided; nothing changed."))
        entered = json.loads(conflict.entered)
        detail: dict[str, Any] = {
            # No group: beside the member id it would say who is in the group.
            "conflict": conflict.pk,
            "resolution": str(resolution),
            "fields": conflict.differs.split(","),
        }
        if resolution == ConflictState.CORRECTED:
            detail |= _correct_record(conflict.member_id, entered)
        if resolution in (ConflictState.JOINED, ConflictState.CORRECTED):
            already = add_members(
                conflict.group.pk, joined=[(conflict.member_id, conflict.entered)]
            )
            detail["membership_added"] = not already
        conflict.state = resolution
        conflict.resolved_by = acting_user
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["state", "resolved_by", "resolved_at"])
        audit.record(
            "member.conflict_resolve",
            acting_user=acting_user,
            target_type="member",
            target_id=conflict.member_id,
            detail=detail,
        )
    return conflict


def _correct_record(member_id: int, entered: dict[str, Any]) -> dict[str, Any]:
    """Give the record the entry's name, birth date and region; old and new as fingerprints."""
    member = Member.objects.select_for_update().get(pk=member_id)
    new = {
        "full_name": entered["full_name"],
        "birth_date": datetime.date.fromisoformat(entered["birth_date"]),
        "region_code": entered["region"],
    }
    old = {field: getattr(member, field) for field in new}
    for field, value in new.items():
        setattr(member, field, value)
    member.save(update_fields=[*new, "updated_at"])
    return {
        "old": {f: "fp:" + fingerprint(str(v)) for f, v in old.items()},
        "new": {f: "fp:" + fingerprint(str(v)) for f, v in new.items()},
    }
