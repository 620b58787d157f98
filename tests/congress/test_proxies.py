"""Proxies: never at a founding congress, capped per holder, no chains, presence-aware, one
ballot and receipt per mandate, revocable with a new code for the giver."""

from __future__ import annotations

import pytest

from kenes.ballots import casting
from kenes.ballots.models import Ballot
from kenes.ballots.services import BallotError, CodeRefused
from kenes.congress import hall, proxies, services
from kenes.congress.models import CongressKind, Delegate
from kenes.congress.services import CongressError
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(people, officers):  # type: ignore[no-untyped-def]
    admin = officers["admin"]
    congress = make_congress(admin)  # ordinary: one mandate per holder
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seated[:5]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    code_of = {i.member_id: i.code for i in hall.do_issue_voting_codes(congress, acting_user=admin)}
    delegates = [Delegate.objects.get(pk=s.delegate.pk) for s in seated]
    return congress, seated, delegates, code_of, admin


def test_a_founding_congress_takes_no_proxies(people, officers):
    admin = officers["admin"]
    founding = make_congress(admin, kind="founding", slug="f")
    seated = services.do_add_delegates(founding, people[:2], acting_user=admin)
    giver, holder = (Delegate.objects.get(pk=s.delegate.pk) for s in seated)
    with pytest.raises(CongressError, match="allows no proxies"):
        proxies.do_give(giver, holder, acting_user=admin)


def test_the_holder_casts_one_ballot_per_mandate_each_with_its_receipt(session):
    congress, _seated, d, code_of, admin = session
    absent, holder = d[6], d[0]
    _proxy, mandate = proxies.do_give(absent, holder, acting_user=admin)
    vote = hall.do_create_vote(congress, title="Резолюция", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    with pytest.raises(CodeRefused):  # the giver's own slip no longer votes
        casting.do_cast(vote.election, code_of[absent.member_id], [[0]])
    own = casting.do_cast(vote.election, code_of[holder.member_id], [[0]])
    carried = casting.do_cast(vote.election, mandate, [[1]])
    assert own != carried
    hall.do_close_vote(vote, acting_user=admin)
    vote.refresh_from_db()
    assert vote.present_at_open == 5  # proxies do not make anyone present
    assert Ballot.objects.filter(election=vote.election).count() == 2
    assert vote.election.result["votes"] == {"yes": 1, "no": 1, "abstain": 0}


def test_a_mandate_counts_only_while_its_holder_is_in_the_hall(session, officers):
    congress, seated, d, _code_of, admin = session
    absent, holder = d[6], d[0]
    _proxy, mandate = proxies.do_give(absent, holder, acting_user=admin)
    services.do_check_in(congress, seated[0].badge_code, arriving=False, acting_user=admin)
    services.do_check_in(congress, seated[5].badge_code, acting_user=admin)  # still quorate
    vote = hall.do_create_vote(congress, title="Регламент", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    with pytest.raises(BallotError):  # the giver's vote is not on the roll
        casting.do_cast(vote.election, mandate, [[0]])


def test_caps_chains_and_presence_are_refused(session):
    _congress, _seated, d, _code_of, admin = session
    proxies.do_give(d[6], d[0], acting_user=admin)
    with pytest.raises(CongressError, match="carries 1 mandates already"):
        proxies.do_give(d[7], d[0], acting_user=admin)
    with pytest.raises(CongressError, match="no chains"):
        proxies.do_give(d[7], d[6], acting_user=admin)  # the giver cannot hold
    with pytest.raises(CongressError, match="given a proxy already"):
        proxies.do_give(d[6], d[1], acting_user=admin)
    with pytest.raises(CongressError, match="in the hall"):
        proxies.do_give(d[1], d[2], acting_user=admin)  # present: votes in person
    kind = CongressKind.objects.get(key="ordinary")
    assert kind.proxies_per_holder == 1


def test_revoking_gives_the_giver_a_new_code_and_kills_the_mandate(session):
    congress, seated, d, _code_of, admin = session
    giver, holder = d[6], d[0]
    proxy, mandate = proxies.do_give(giver, holder, acting_user=admin)
    with pytest.raises(CongressError, match="revoke the proxy first"):
        services.do_check_in(congress, seated[6].badge_code, acting_user=admin)
    new_own = proxies.do_revoke(proxy, acting_user=admin)
    with pytest.raises(CongressError, match="revoked already"):
        proxies.do_revoke(proxy, acting_user=admin)
    services.do_check_in(congress, seated[6].badge_code, acting_user=admin)
    vote = hall.do_create_vote(congress, title="Бюджет", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    with pytest.raises(CodeRefused):
        casting.do_cast(vote.election, mandate, [[0]])
    assert casting.do_cast(vote.election, new_own, [[0]])
