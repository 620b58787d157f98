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
