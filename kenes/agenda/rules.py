"""Who may do what with a consultation: the ONE place these permissions are decided.

Mirrors kenes/ballots/rules.py:
- national admin: everything, for every consultation.
- regional coordinator: runs consultations of their region.
- group coordinator: runs consultations of their group.
- auditor: sees every consultation (counts, analysis, programme), changes nothing.
- participants need no account, only their personal code (kenes/web/views/agenda.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from kenes.agenda import phases
from kenes.agenda.models import Consultation
from kenes.registry.scoping import (
    electorates_run_by,
    electorates_seen_by,
    is_admin,
    is_auditor,
    roles_of,
    runs_electorate,
)


class Action(StrEnum):
    MANAGE = "manage"  # move phase, issue codes, moderate, seed, recompute, programme
    VIEW = "view"  # the officers' detail page, analysis summary, moderation queue read-only


def runs(user: Any, consultation: Consultation) -> bool:
    """Is `user` an officer of the consultation's electorate? (kenes.registry.scoping)"""
    return runs_electorate(
        user, region_code=consultation.region_code, group_id=consultation.group_id
    )


def can(user: Any, action: Action, consultation: Consultation) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action == Action.MANAGE:
        return runs(user, consultation)
    if action == Action.VIEW:
        return is_auditor(user) or runs(user, consultation)
    return False


def sees_consultations(user: Any) -> bool:
    """May `user` open the list of consultations? Officers and auditors."""
    return bool(getattr(user, "is_authenticated", False)) and (
        is_admin(user) or bool(roles_of(user))
    )


def visible_consultations(user: Any) -> QuerySet[Consultation]:
    """Exactly the consultations `can(user, VIEW, ...)` allows."""
    seen = electorates_seen_by(user)
    return Consultation.objects.all() if seen is None else Consultation.objects.filter(seen)


def may_call(user: Any, *, region_code: str = "", group_id: int | None = None) -> bool:
    """May `user` call a consultation of this electorate? The same rule as `runs`."""
    return runs_electorate(user, region_code=region_code, group_id=group_id)


def may_create(user: Any) -> bool:
    """May `user` call any consultation (do they run any electorate)?"""
    return electorates_run_by(user).any


# --- the report (added by the REPORT helper; kenes/web/views/agenda_report.py) -----------


def can_see_report(user: Any, consultation: Consultation, *, holds_code: bool = False) -> bool:
    """Officers of the electorate and auditors always (as `can(VIEW)`); a participant, who
    holds a live personal code of this consultation, only in the report phase."""
    if can(user, Action.VIEW, consultation):
        return True
    return holds_code and phases.allows(consultation.phase, "see_report")
