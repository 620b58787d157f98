"""Who may do what with an election: the ONE place these permissions are decided.

- national admin: everything, for every electorate.
- regional coordinator: runs votes whose electorate is their region.
- group coordinator: runs votes whose electorate is their group.
- auditor: sees turnout and results of every vote, runs none.
- anyone: sees a published result and ballot box. Voters need no account, only their code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from kenes.ballots import phases
from kenes.ballots.models import Election
from kenes.registry.models import RoleKind
from kenes.registry.scoping import is_admin, roles_of


class Action(StrEnum):
    MANAGE = "manage"  # create, add candidates, open, close, tally, publish, paper, reissue
    VIEW_TURNOUT = "view_turnout"
    VIEW_RESULT = "view_result"


def runs(user: Any, election: Election) -> bool:
    """Is `user` an officer of the election's electorate?"""
    if is_admin(user):
        return True
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL and election.region_code == role.region_code:
            return bool(role.region_code)
        if role.kind == RoleKind.GROUP and election.group_id == role.group_id:
            return role.group_id is not None
    return False


def can(user: Any, action: Action, election: Election) -> bool:
    if action == Action.VIEW_RESULT and election.phase == phases.PUBLISHED:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    auditor = any(r.kind == RoleKind.AUDITOR for r in roles_of(user))
    if action == Action.MANAGE:
        return runs(user, election)
    if action in (Action.VIEW_TURNOUT, Action.VIEW_RESULT):
        return auditor or runs(user, election)
    return False


def sees_elections(user: Any) -> bool:
    """May `user` open the list of elections? Officers and auditors; voters need no account."""
    return is_admin(user) or bool(roles_of(user))


def visible_elections(user: Any) -> QuerySet[Election]:
    """The elections whose officers' page `user` may open: exactly those `can` lets them
    see the turnout of (admin and auditor: all; a coordinator: their region's or group's).
    """
    if is_admin(user) or any(r.kind == RoleKind.AUDITOR for r in roles_of(user)):
        return Election.objects.all()
    condition = Q(pk__in=[])
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL and role.region_code:
            condition |= Q(region_code=role.region_code)
        elif role.kind == RoleKind.GROUP and role.group_id is not None:
            condition |= Q(group_id=role.group_id)
    return Election.objects.filter(condition)


@dataclass(frozen=True)
class Electorates:
    """The electorates a user may call a vote of: the whole party, regions, groups."""

    whole_party: bool
    region_codes: tuple[str, ...]
    group_ids: tuple[int, ...] | None  # None: every group


def electorates_run_by(user: Any) -> Electorates:
    """Admin: any electorate; a regional coordinator: their region; a group one: their group."""
    if is_admin(user):
        return Electorates(True, (), None)
    regions = tuple(
        sorted({r.region_code for r in roles_of(user) if r.kind == RoleKind.REGIONAL} - {""})
    )
    group_ids = tuple(
        sorted(
            {
                r.group_id
                for r in roles_of(user)
                if r.kind == RoleKind.GROUP and r.group_id is not None
            }
        )
    )
    return Electorates(False, regions, group_ids)


def may_create(user: Any) -> bool:
    """May `user` call any vote at all (is there an electorate they run)?"""
    runs_some = electorates_run_by(user)
    return runs_some.whole_party or bool(runs_some.region_codes) or bool(runs_some.group_ids)


def may_call(user: Any, *, region_code: str = "", group_id: int | None = None) -> bool:
    """May `user` call a vote of this electorate? The same rule as `runs`, before it exists."""
    return runs(user, Election(region_code=region_code, group_id=group_id))
