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

from django.db.models import Q, QuerySet

from kenes.agenda import phases
from kenes.agenda.models import Consultation
from kenes.registry.models import RoleKind
from kenes.registry.scoping import is_admin, roles_of


class Action(StrEnum):
    MANAGE = "manage"  # move phase, issue codes, moderate, seed, recompute, programme
    VIEW = "view"  # the officers' detail page, analysis summary, moderation queue read-only


def _auditor(user: Any) -> bool:
    return any(r.kind == RoleKind.AUDITOR for r in roles_of(user))


def runs(user: Any, consultation: Consultation) -> bool:
    """Is `user` an officer of the consultation's electorate?"""
    if is_admin(user):
        return True
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL and consultation.region_code == role.region_code:
            return bool(role.region_code)
        if role.kind == RoleKind.GROUP and consultation.group_id == role.group_id:
            return role.group_id is not None
    return False


def can(user: Any, action: Action, consultation: Consultation) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action == Action.MANAGE:
        return runs(user, consultation)
    if action == Action.VIEW:
        return _auditor(user) or runs(user, consultation)
    return False


def sees_consultations(user: Any) -> bool:
    """May `user` open the list of consultations? Officers and auditors."""
    return bool(getattr(user, "is_authenticated", False)) and (
        is_admin(user) or bool(roles_of(user))
    )


def visible_consultations(user: Any) -> QuerySet[Consultation]:
    """Exactly the consultations `can(user, VIEW, ...)` allows."""
    if is_admin(user) or _auditor(user):
        return Consultation.objects.all()
    condition = Q(pk__in=[])
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL and role.region_code:
            condition |= Q(region_code=role.region_code)
        elif role.kind == RoleKind.GROUP and role.group_id is not None:
            condition |= Q(group_id=role.group_id)
    return Consultation.objects.filter(condition)


def may_call(user: Any, *, region_code: str = "", group_id: int | None = None) -> bool:
    """May `user` call a consultation of this electorate? The same rule as `runs`."""
    return runs(user, Consultation(region_code=region_code, group_id=group_id))


def may_create(user: Any) -> bool:
    """May `user` call any consultation (do they run any electorate)?"""
    if is_admin(user):
        return True
    return any(
        (r.kind == RoleKind.REGIONAL and r.region_code)
        or (r.kind == RoleKind.GROUP and r.group_id is not None)
        for r in roles_of(user)
    )


# --- the report (added by the REPORT helper; kenes/web/views/agenda_report.py) -----------


def can_see_report(user: Any, consultation: Consultation, *, holds_code: bool = False) -> bool:
    """Officers of the electorate and auditors always (as `can(VIEW)`); a participant, who
    holds a live personal code of this consultation, only in the report phase."""
    if can(user, Action.VIEW, consultation):
        return True
    return holds_code and phases.allows(consultation.phase, "see_report")
