"""Votes in the hall: one voting code per delegate for every vote, the roll from the
eligible delegates in the hall, one open vote at a time, and the hall's numbers kept."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from kenes.ballots import casting
from kenes.ballots.models import Ballot, VoterRoll
from kenes.ballots.services import BallotError
from kenes.congress import hall, services
from kenes.congress.models import Delegate, HallVote
from kenes.congress.services import CongressError
from kenes.participation.models import PersonalCode
from kenes.participation.services import find_code
from kenes.registry.models import Member
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db

YES, NO, ABSTAIN = [[0]], [[1]], [[2]]


@pytest.fixture
def congress_in_session(people, officers):  # type: ignore[no-untyped-def]
    admin = officers["admin"]
    Member.objects.filter(pk=people[8].pk).update(status="left")  # seated, then flagged
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seated[:6]:  # six of the eight eligible delegates come in
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    issued = hall.do_issue_voting_codes(congress, acting_user=admin)
    code_of = {i.member_id: i.code for i in issued}
    return congress, seated, code_of, admin


def test_voting_codes_go_to_eligible_delegates_only(congress_in_session, people):
    congress, _seated, code_of, _admin = congress_in_session
    assert len(code_of) == 8 and people[8].pk not in code_of
    assert set(PersonalCode.objects.values_list("purpose", flat=True)) == {
        f"congress:{congress.pk}"
    }


def test_one_code_votes_in_every_vote_and_the_hall_numbers_are_kept(congress_in_session, people):
    congress, seated, code_of, admin = congress_in_session
    first = hall.do_create_vote(congress, title="Принять повестку", acting_user=admin)
    hall.do_open_vote(first, acting_user=admin)
    assert (first.entitled, first.present_at_open) == (8, 6)
    here = [s.delegate.member_id for s in seated[:6]]
    for member_id, marks in zip(here, [YES, YES, YES, NO, ABSTAIN, YES], strict=True):
        casting.do_cast(first.election, code_of[member_id], marks)
    absent = seated[6].delegate.member_id  # eligible, not in the hall: not on the roll
    with pytest.raises(BallotError, match="not on the roll"):
        casting.do_cast(first.election, code_of[absent], YES)
    services.do_check_in(congress, seated[0].badge_code, arriving=False, acting_user=admin)
    hall.do_close_vote(first, acting_user=admin)
    first.refresh_from_db()
    assert first.entitled_delegates == sorted(s.delegate.pk for s in seated[:8])
    assert first.present_delegates == sorted(s.delegate.pk for s in seated[1:6])
    assert hall.vote_row(first) == {
        "title": "Принять повестку",
        "entitled": 8,
        "present": 5,  # one left before the close
        "cast": 6,
        "for": 4,
        "against": 1,
        "abstained": 1,
        "result": "carried",
    }
    # The same codes stay live and open the next vote.
    second = hall.do_create_vote(congress, title="Регламент", acting_user=admin)
    hall.do_open_vote(second, acting_user=admin)
    assert second.present_at_open == 5
    casting.do_cast(second.election, code_of[here[1]], NO)
    assert find_code(code_of[here[1]], [f"congress:{congress.pk}"]) is not None
    assert VoterRoll.objects.filter(election=second.election).count() == 5


def test_one_vote_at_a_time_and_none_before_the_opening_or_after_the_close(
    congress_in_session, people, officers
):
    congress, _seated, _code_of, admin = congress_in_session
    a = hall.do_create_vote(congress, title="А", acting_user=admin)
    b = hall.do_create_vote(congress, title="Б", acting_user=admin)
    hall.do_open_vote(a, acting_user=admin)
    with pytest.raises(CongressError, match="Another vote"):
        hall.do_open_vote(b, acting_user=admin)
    with pytest.raises(CongressError, match="still open"):
        services.do_close(congress, acting_user=admin)
    hall.do_close_vote(a, acting_user=admin)
    services.do_close(congress, acting_user=admin)
    assert not PersonalCode.objects.filter(revoked_at__isnull=True).exists()
    with pytest.raises(CongressError, match="closed"):
        hall.do_create_vote(congress, title="В", acting_user=admin)
    planned = make_congress(admin, slug="later")
    services.do_add_delegates(planned, people[:2], acting_user=admin)
    early = hall.do_create_vote(planned, title="Г", acting_user=admin)
    with pytest.raises(CongressError, match="Open the congress"):
        hall.do_open_vote(early, acting_user=admin)


def test_a_lost_voting_slip_is_replaced_and_the_old_code_opens_nothing(congress_in_session):
    congress, seated, code_of, admin = congress_in_session
    delegate = Delegate.objects.get(pk=seated[1].delegate.pk)
    (new,) = hall.do_issue_voting_codes(congress, delegates=[delegate], acting_user=admin)
    purpose = [f"congress:{congress.pk}"]
    assert find_code(code_of[delegate.member_id], purpose) is None
    assert find_code(new.code, purpose) is not None


def test_show_json_lists_the_votes(congress_in_session):
    congress, seated, code_of, admin = congress_in_session
    vote = hall.do_create_vote(congress, title="Резолюция", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    casting.do_cast(vote.election, code_of[seated[0].delegate.member_id], YES)
    out = io.StringIO()
    call_command("congress", "show", congress.slug, "--json", stdout=out)
    (row,) = json.loads(out.getvalue())["votes"]
    assert row["result"] == "open" and row["present"] == 6 and row["cast"] == 0
    hall.do_close_vote(vote, acting_user=admin)
    out = io.StringIO()
    call_command("congress", "show", congress.slug, "--json", stdout=out)
    (row,) = json.loads(out.getvalue())["votes"]
    assert (row["cast"], row["for"], row["result"]) == (1, 1, "carried")
    assert Ballot.objects.filter(election=vote.election).count() == 1
    assert HallVote.objects.get(pk=vote.pk).present_at_close == 6


def test_a_vote_on_an_amendment_decides_it_when_it_closes(congress_in_session):
    from kenes.congress import amendments as am

    congress, seated, code_of, admin = congress_in_session
    text = am.do_add_text(congress, title="Устав", body="Первый.\n\nВторой.", acting_user=admin)
    amendment = am.do_table(
        text,
        paragraph=1,
        proposed="Второй, исправленный.",
        badge=seated[0].badge_code,
        acting_user="code",
    )
    with pytest.raises(CongressError, match="same congress"):
        hall.do_create_vote(
            congress, title="x", kind="election", amendment=amendment, acting_user=admin
        )
    am.do_recommend(amendment, "adopt", acting_user=admin)
    vote = hall.do_create_vote(congress, title="Поправка 1", amendment=amendment, acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    for s in seated[:3]:
        casting.do_cast(vote.election, code_of[s.delegate.member_id], YES)
    hall.do_close_vote(vote, acting_user=admin)
    amendment.refresh_from_db()
    assert amendment.state == "adopted"
    merged = am.do_merge_adopted(text, acting_user=admin)
    assert am.paragraphs(merged.version.body) == ["Первый.", "Второй, исправленный."]


def test_a_named_vote_records_each_answer_and_counts_them_like_ballots(congress_in_session):
    from kenes.congress import protocol
    from kenes.congress.models import NamedChoice

    congress, seated, code_of, admin = congress_in_session
    with pytest.raises(CongressError, match="named vote is a motion"):
        hall.do_create_vote(congress, title="x", kind="election", secret=False, acting_user=admin)
    vote = hall.do_create_vote(
        congress, title="Поимённо: регламент", secret=False, acting_user=admin
    )
    hall.do_open_vote(vote, acting_user=admin)
    other = hall.do_create_vote(congress, title="Другое", acting_user=admin)
    with pytest.raises(CongressError, match="Another vote"):
        hall.do_open_vote(other, acting_user=admin)
    delegates = [Delegate.objects.get(pk=s.delegate.pk) for s in seated]
    for d, choice in zip(delegates[:5], ["yes", "yes", "no", "yes", "abstain"], strict=True):
        hall.do_record_named(vote, d, choice, acting_user=admin)
    hall.do_record_named(vote, delegates[2], "yes", acting_user=admin)  # corrected: one answer
    with pytest.raises(CongressError, match="in the hall"):
        hall.do_record_named(vote, delegates[7], "yes", acting_user=admin)  # not present
    with pytest.raises(BallotError):  # a voting code opens no ballot in a named vote
        casting.do_cast(vote.election, code_of[delegates[5].member_id], YES)
    hall.do_close_vote(vote, acting_user=admin)
    row = hall.vote_row(vote)
    assert (row["cast"], row["for"], row["against"], row["abstained"]) == (5, 4, 0, 1)
    assert row["result"] == "carried"
    assert NamedChoice.objects.filter(vote=vote).count() == 5
    with pytest.raises(CongressError, match="not being called"):
        hall.do_record_named(vote, delegates[0], "no", acting_user=admin)
    record = next(v for v in protocol.build(congress).other_votes if v.title.startswith("Поимённо"))
    assert any(delegates[4].member.full_name in line for line in record.rounds)


def test_the_congress_codes_outlive_its_votes_and_go_with_its_close(congress_in_session):
    import datetime

    from django.utils import timezone

    from kenes.retention.kinds import KINDS

    congress, seated, code_of, admin = congress_in_session
    vote = hall.do_create_vote(congress, title="Резолюция", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    hall.do_close_vote(vote, acting_user=admin)
    kind = next(k for k in KINDS if k.key == "closed_vote_codes")
    later = timezone.now() + datetime.timedelta(days=400)
    due = sum(q.count() for q in kind.due(later, kind.default_days))
    assert due == 0  # the vote closed, the congress did not: its codes stay live
    services.do_close(congress, acting_user=admin)
    due = sum(q.count() for q in kind.due(later, kind.default_days))
    assert due == len(code_of)


def test_no_vote_opens_without_a_quorum(congress_in_session):
    congress, seated, _code_of, admin = congress_in_session  # 6 of 8 eligible in the hall
    for s in seated[:2]:
        services.do_check_in(congress, s.badge_code, arriving=False, acting_user=admin)
    vote = hall.do_create_vote(congress, title="Без кворума", acting_user=admin)
    with pytest.raises(CongressError, match="not quorate .4 present, 5 needed"):
        hall.do_open_vote(vote, acting_user=admin)
    vote.election.refresh_from_db()
    assert vote.election.phase == "draft"
    services.do_check_in(congress, seated[0].badge_code, acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
