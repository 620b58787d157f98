"""The hall's live state: what it shows (item, speaker, timer, next speakers, quorum, the
vote under way, the last result), what it never holds (codes, member ids, ballots, how
anyone voted), and that it is computed at most once per window."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenes.ballots import casting
from kenes.ballots.models import Ballot
from kenes.congress import hall, live, services, speakers
from kenes.congress.models import Delegate, Speaker
from kenes.registry.models import Member
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db

YES, NO, ABSTAIN = [[0]], [[1]], [[2]]


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    live.forget()  # a rolled-back test may leave a state under a reused slug
    yield
    live.forget()


@pytest.fixture
def hall_in_session(people, officers):  # type: ignore[no-untyped-def]
    """Nine eligible delegates, seven in the hall, an item with one speaking and four waiting."""
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seated[:7]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    issued = hall.do_issue_voting_codes(congress, acting_user=admin)
    code_of = {i.member_id: i.code for i in issued}
    item = speakers.do_add_item(congress, title="Устав партии", acting_user=admin)
    speakers.do_make_current(item, acting_user=admin)
    delegates = [Delegate.objects.get(pk=s.delegate.pk) for s in seated]
    for d, kind in zip(delegates[:5], ["pro", "contra", "general", "pro", "contra"], strict=True):
        speakers.do_ask_for_floor(item, d, kind, acting_user=admin)
    speakers.do_next_speaker(item, acting_user=admin)
    return congress, delegates, code_of, admin, item


def _fresh(congress):  # type: ignore[no-untyped-def]
    return live.hall_state(congress, max_age=0)


def test_the_state_names_the_item_the_speaker_with_the_timer_the_next_three_and_the_quorum(
    hall_in_session,
):
    congress, delegates, _codes, _admin, item = hall_in_session
    state = _fresh(congress)
    assert state["congress"] == {"slug": "s1", "title": congress.title, "status": "open"}
    assert state["item"] == {"position": item.position, "title": "Устав партии"}
    speaker = state["speaker"]
    assert speaker["name"] == Member.objects.get(pk=delegates[0].member_id).full_name
    assert speaker["kind"] == "pro"
    assert speaker["allowed"] == 180 and speaker["delegation_had"] is None
    assert [s["name"] for s in state["next_speakers"]] == [
        Member.objects.get(pk=d.member_id).full_name for d in delegates[1:4]
    ]  # three of the four waiting
    assert state["quorum"]["entitled"] == 9 and state["quorum"]["present"] == 7
    assert state["quorum"]["met"] is True
    assert state["vote"] is None and state["last_result"] is None


def test_the_timer_counts_from_the_start_so_the_state_stays_the_same_while_one_speaks(
    hall_in_session,
):
    congress, _delegates, _codes, _admin, item = hall_in_session
    first = _fresh(congress)
    assert _fresh(congress) == first  # nothing in it ticks: the ETag holds, phones get 304
    started = Speaker.objects.get(item=item, started_at__isnull=False).started_at
    at = live.clock(first["speaker"], now=started + datetime.timedelta(seconds=61.5))
    assert (at.elapsed, at.left, at.over_time) == (61, 119, False)
    late = live.clock(first["speaker"], now=started + datetime.timedelta(seconds=200))
    assert (late.left, late.over_time, late.delegation_left) == (-20, True, None)


def test_a_delegations_time_counts_down_with_its_speaker(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    services.do_check_in(congress, seated[0].badge_code, acting_user=admin)
    item = speakers.do_add_item(
        congress, title="Прения", seconds_per_delegation=100, acting_user=admin
    )
    speakers.do_make_current(item, acting_user=admin)
    speakers.do_ask_for_floor(item, seated[0].delegate, "general", acting_user=admin)
    speakers.do_next_speaker(item, acting_user=admin)
    speaker = _fresh(congress)["speaker"]
    assert (speaker["allowed"], speaker["delegation_had"]) == (100, 100)
    started = Speaker.objects.get(item=item).started_at
    at = live.clock(speaker, now=started + datetime.timedelta(seconds=30))
    assert (at.left, at.delegation_left) == (70, 70)


def test_the_state_holds_no_code_no_member_id_no_ballot_and_nothing_of_how_anyone_voted(
    hall_in_session,
):
    congress, delegates, code_of, admin, _item = hall_in_session
    vote = hall.do_create_vote(congress, title="Принять устав", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    before = _fresh(congress)
    receipts = [
        casting.do_cast(vote.election, code_of[d.member_id], marks)
        for d, marks in zip(delegates[:3], [YES, NO, YES], strict=True)
    ]
    after = _fresh(congress)
    # While the vote is open, casting changes nothing in the state.
    assert before == after
    assert after["vote"] == {
        "title": "Принять устав",
        "kind": "motion",
        "secret": True,
        "paper": False,
        "state": "open",
        "majority": "simple",
        "base": "yes_no",
        "item": None,
    }
    text = json.dumps(after, ensure_ascii=False)
    for code in code_of.values():
        assert code not in text
        assert code.replace("-", "") not in text
    for receipt in receipts:
        assert receipt not in text
    keys: set[str] = set()

    def walk(value):  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            keys.update(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(after)
    assert not keys & {"member", "member_id", "delegate", "delegate_id", "id", "pk", "code"}
    assert not keys & {"receipt", "ballot", "ballots", "iin", "phone", "region_code", "cast"}
    for member in Member.objects.all():
        assert member.iin not in text


def test_the_last_result_has_the_counts_and_the_outcome_once_published(hall_in_session):
    congress, delegates, code_of, admin, _item = hall_in_session
    vote = hall.do_create_vote(congress, title="Регламент", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    for d, marks in zip(delegates[:5], [YES, YES, NO, ABSTAIN, YES], strict=True):
        casting.do_cast(vote.election, code_of[d.member_id], marks)
    hall.do_close_vote(vote, acting_user=admin)
    state = _fresh(congress)
    assert state["vote"] is None
    assert state["last_result"] == {
        "title": "Регламент",
        "kind": "motion",
        "secret": True,
        "entitled": 9,
        "present": 7,
        "cast": Ballot.objects.filter(election=vote.election).count(),
        "outcome": "carried",
        "for": 3,
        "against": 1,
        "abstained": 1,
        "majority": "simple",
        "base": "yes_no",
    }


def test_a_named_vote_is_called_and_its_result_has_counts_but_no_names(hall_in_session):
    congress, delegates, _codes, admin, _item = hall_in_session
    vote = hall.do_create_vote(congress, title="Поимённо", secret=False, acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    hall.do_record_named(vote, delegates[0], "no", acting_user=admin)
    calling = _fresh(congress)
    assert calling["vote"]["state"] == "calling" and calling["vote"]["secret"] is False
    hall.do_close_vote(vote, acting_user=admin)
    state = _fresh(congress)
    assert (state["last_result"]["against"], state["last_result"]["outcome"]) == (1, "not_carried")
    text = json.dumps(state["last_result"], ensure_ascii=False)
    assert Member.objects.get(pk=delegates[0].member_id).full_name not in text


def test_a_second_read_within_the_window_asks_the_database_nothing(hall_in_session):
    congress, _delegates, _codes, admin, item = hall_in_session
    with CaptureQueriesContext(connection) as first:
        state = live.hall_state(congress, max_age=60)
    assert len(first.captured_queries) > 0
    speakers.do_stop_speaker(item, acting_user=admin)  # a change inside the window
    with CaptureQueriesContext(connection) as second:
        again = live.hall_state(congress, max_age=60)
    assert len(second.captured_queries) == 0
    assert again is state  # the same copy, the change not yet seen
    # Past the window (max_age=0: every read is past it) the change is seen.
    with CaptureQueriesContext(connection) as third:
        fresh = live.hall_state(congress, max_age=0)
    assert len(third.captured_queries) > 0
    assert fresh["speaker"] is None


def test_an_unknown_slug_has_no_state_and_is_not_kept():
    assert live.live_state("no-such-congress") is None
    assert "no-such-congress" not in live._cache


def test_a_planned_congress_shows_its_status_and_no_speaker(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin, slug="later")
    services.do_add_delegates(congress, people[:3], acting_user=admin)
    state = _fresh(congress)
    assert state["congress"]["status"] == "planned"
    assert state["speaker"] is None and state["next_speakers"] == [] and state["item"] is None
    assert (state["quorum"]["entitled"], state["quorum"]["present"]) == (3, 0)
    assert state["quorum"]["met"] is False
