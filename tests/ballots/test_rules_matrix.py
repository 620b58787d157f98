"""Every role against every action, for a party-wide, a regional and a group vote."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kenes.ballots import rules, services
from kenes.ballots.models import Election
from kenes.ballots.rules import Action

pytestmark = pytest.mark.django_db

M, T, R = Action.MANAGE, Action.VIEW_TURNOUT, Action.VIEW_RESULT

# electorate -> role -> actions allowed before publication
EXPECTED = {
    "party": {"admin": {M, T, R}, "regional": set(), "group": set(), "auditor": {T, R}},
    "almaty": {"admin": {M, T, R}, "regional": {M, T, R}, "group": set(), "auditor": {T, R}},
    "workers": {"admin": {M, T, R}, "regional": set(), "group": {M, T, R}, "auditor": {T, R}},
    "farmers": {"admin": {M, T, R}, "regional": set(), "group": set(), "auditor": {T, R}},
}


def _election(scope: str, groups) -> Election:  # type: ignore[no-untyped-def]
    kwargs = {"almaty": {"region_code": "KZ-75"}}.get(scope, {})
    if scope in groups:
        kwargs = {"group": groups[scope]}
    return services.do_create_election(
        scope, cutoff_on=timezone.localdate(), acting_user="test", **kwargs
    )


@pytest.mark.parametrize("scope", sorted(EXPECTED))
def test_each_role_may_run_only_votes_of_its_own_electorate(scope, groups, officers):
    election = _election(scope, groups)
    for role, allowed in {**EXPECTED[scope], "nobody": set()}.items():
        for action in Action:
            assert rules.can(officers[role], action, election) == (action in allowed), (
                role,
                action,
            )
    for action in Action:
        assert not rules.can(AnonymousUser(), action, election)


def test_a_published_result_is_public(groups, officers):
    election = _election("party", groups)
    election.phase = "published"
    assert rules.can(AnonymousUser(), Action.VIEW_RESULT, election)
    assert not rules.can(AnonymousUser(), Action.VIEW_TURNOUT, election)
