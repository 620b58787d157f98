"""Who may do what with an election: the ONE place these permissions are decided.

- national admin: everything, for every electorate.
- regional coordinator: runs votes whose electorate is their region.
- group coordinator: runs votes whose electorate is their group.
- auditor: sees turnout and results of every vote, runs none.
- anyone: sees a published result and ballot box. Voters need no account, only their code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from kenes.ballots import phases
from kenes.ballots.models import Election
from kenes.registry.scoping import (
    electorates_run_by,
    electorates_seen_by,
    is_admin,
    is_auditor,
    roles_of,
    runs_electorate,
)


class Action(StrEnum):
    MANAGE = "manage"  # create, add candidates, open, close, tally, publish, paper, reissue
    VIEW_TURNOUT = "view_turnout"
    VIEW_RESULT = "view_result"


def runs(user: Any, election: Election) -> bool:
    """Is `user` an officer of the election's electorate? (kenes.registry.scoping)"""
    return runs_electorate(user, region_code=election.region_code, group_id=election.group_id)


def can(user: Any, action: Action, election: Election) -> bool:
    if action == Action.VIEW_RESULT and election.phase == phases.PUBLISHED:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action == Action.MANAGE:
        return runs(user, election)
    if action in (Action.VIEW_TURNOUT, Action.VIEW_RESULT):
        return is_auditor(user) or runs(user, election)
    return False


def sees_elections(user: Any) -> bool:
    """May `user` open the list of elections? Officers and auditors; voters need no account."""
    return is_admin(user) or bool(roles_of(user))


def visible_elections(user: Any) -> QuerySet[Election]:
    """The elections whose officers' page `user` may open: exactly those `can` lets them
    see the turnout of (admin and auditor: all; a coordinator: their region's or group's).
    """
    seen = electorates_seen_by(user)
    return Election.objects.all() if seen is None else Election.objects.filter(seen)


def may_create(user: Any) -> bool:
    """May `user` call any vote at all (is there an electorate they run)?"""
    return electorates_run_by(user).any


def may_call(user: Any, *, region_code: str = "", group_id: int | None = None) -> bool:
    """May `user` call a vote of this electorate? The same rule as `runs`, before it exists."""
    return runs_electorate(user, region_code=region_code, group_id=group_id)
