"""Who may do what with seat scenarios: the ONE place these permissions are decided.

- national admin: everything, every scenario.
- regional and group coordinators (officers): create scenarios; see their own and the shared
  ones; edit, run, share and delete only their own.
- auditor: sees the shared scenarios and the historical replays; creates and edits none.
- anyone else: nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from kenes.parliament.models import Scenario
from kenes.registry.models import RoleKind
from kenes.registry.scoping import is_admin, roles_of

OFFICERS = {RoleKind.ADMIN, RoleKind.REGIONAL, RoleKind.GROUP}


class Action(StrEnum):
    CREATE = "create"
    VIEW = "view"
    EDIT = "edit"  # edit, run again, share or unshare, delete


def _kinds(user: Any) -> set[str]:
    return {r.kind for r in roles_of(user)}


def is_officer(user: Any) -> bool:
    return is_admin(user) or bool(_kinds(user) & OFFICERS)


def sees_scenarios(user: Any) -> bool:
    """May `user` open the scenario pages and the historical replays at all?"""
    return is_officer(user) or RoleKind.AUDITOR in _kinds(user)


def visible_scenarios(user: Any) -> QuerySet[Scenario]:
    """The scenarios `user` may open: admin all; others their own and the shared ones."""
    if is_admin(user):
        return Scenario.objects.all()
    if not sees_scenarios(user):
        return Scenario.objects.none()
    return Scenario.objects.filter(Q(created_by=user) | Q(shared=True))


def can(user: Any, action: Action, scenario: Scenario | None = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action == Action.CREATE:
        return is_officer(user)
    if scenario is None:
        return False
    if is_admin(user):
        return True
    own = scenario.created_by_id == user.pk and is_officer(user)
    if action == Action.EDIT:
        return own
    if action == Action.VIEW:
        return own or (scenario.shared and sees_scenarios(user))
    return False
