"""Paper ballots in the hall, counted by two tellers: published only when they agree and
the count fits the delegates present; a disagreement or an overflow blocks the result."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kenes.audit import services as audit
from kenes.ballots import casting
from kenes.ballots import services as ballots
from kenes.ballots.models import Ballot
from kenes.congress import hall, paper, services
from kenes.congress.services import CongressError
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db


@pytest.fixture
def tellers(db):  # type: ignore[no-untyped-def]
    User = get_user_model()
    return [
        User.objects.create_user(f"teller{i}", password=f"teller-{i}-password") for i in (1, 2, 3)
    ]


@pytest.fixture
def session(people, officers):  # type: ignore[no-untyped-def]
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seated[:7]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    code_of = {i.member_id: i.code for i in hall.do_issue_voting_codes(congress, acting_user=admin)}
    return congress, seated, code_of, admin


def _motion_with_two_online(session):  # type: ignore[no-untyped-def]
    congress, seated, code_of, admin = session
    vote = hall.do_create_vote(congress, title="Резолюция", paper=True, acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    for s in seated[:2]:
        casting.do_cast(vote.election, code_of[s.delegate.member_id], [[0]])
    return hall.do_close_vote(vote, acting_user=admin)


def test_the_result_waits_for_two_agreeing_tellers(session, tellers):
    vote = _motion_with_two_online(session)
    assert vote.paper_state == "counting" and vote.election.phase == "closed"
    counts = {"yes": 3, "no": 1, "abstain": 0}
    assert paper.do_enter_count(vote, counts=counts, acting_user=tellers[0]) == "counting"
    assert paper.do_enter_count(vote, counts=counts, acting_user=tellers[1]) == "entered"
    vote.refresh_from_db()
    vote.election.refresh_from_db()
    assert vote.election.phase == "published" and vote.paper_state == "entered"
    assert vote.election.result["votes"] == {"yes": 5, "no": 1, "abstain": 0}
    assert Ballot.objects.filter(election=vote.election, paper=True).count() == 4
    assert hall.vote_row(vote)["cast"] == 6


def test_differing_counts_block_the_result_until_a_teller_counts_again(session, tellers):
    vote = _motion_with_two_online(session)
    paper.do_enter_count(vote, counts={"yes": 3, "no": 1, "abstain": 0}, acting_user=tellers[0])
    state = paper.do_enter_count(
        vote, counts={"yes": 2, "no": 2, "abstain": 0}, acting_user=tellers[1]
    )
    vote.refresh_from_db()
    assert state == "mismatch" and "differ" in vote.paper_problem
    assert vote.election.phase == "closed" and not Ballot.objects.filter(paper=True).exists()
    assert audit.entries_newest_first("congress.paper_mismatch").count() == 1
    # The second teller counts again and now agrees.
    state = paper.do_enter_count(
        vote, counts={"yes": 3, "no": 1, "abstain": 0}, acting_user=tellers[1]
    )
    assert state == "entered"


def test_more_ballots_than_delegates_present_block_the_result(session, tellers):
    vote = _motion_with_two_online(session)  # 7 present, 2 online: at most 5 on paper
    too_many = {"yes": 4, "no": 2, "abstain": 0}
    paper.do_enter_count(vote, counts=too_many, acting_user=tellers[0])
    assert paper.do_enter_count(vote, counts=too_many, acting_user=tellers[1]) == "mismatch"
    vote.refresh_from_db()
    assert "more than the 7 delegates present" in vote.paper_problem
    assert vote.election.phase == "closed"


def test_one_teller_cannot_count_twice_and_bad_counts_change_nothing(session, tellers):
    vote = _motion_with_two_online(session)
    counts = {"yes": 1, "no": 0, "abstain": 0}
    paper.do_enter_count(vote, counts=counts, acting_user=tellers[0])
    assert paper.do_enter_count(vote, counts=counts, acting_user=tellers[0]) == "counting"
    for wrong in ({"yes": 1}, {"yes": -1, "no": 0, "abstain": 0}):
        with pytest.raises(CongressError):
            paper.do_enter_count(vote, counts=wrong, acting_user=tellers[1])
    with pytest.raises(CongressError, match="own account"):
        paper.do_enter_count(vote, counts=counts, acting_user="cli")
    assert vote.paper_counts.count() == 1


def test_an_elections_paper_ballots_are_entered_as_blt_by_candidate_name(session, tellers):
    congress, seated, code_of, admin = session
    vote = hall.do_create_vote(
        congress,
        title="Совет",
        kind="election",
        method="stv",
        seats=1,
        paper=True,
        acting_user=admin,
    )
    for s in seated[:3]:
        ballots.do_add_candidate(vote.election, s.delegate.member, statement="", acting_user=admin)
    names = list(ballots.options(vote.election))
    hall.do_open_vote(vote, acting_user=admin)
    casting.do_cast(vote.election, code_of[seated[3].delegate.member_id], [[0], [1]])
    hall.do_close_vote(vote, acting_user=admin)
    one = f'3 1\r\n2 2 1 0\r\n1 3 0\r\n0\r\n"{names[0]}"\r\n"{names[1]}"\r\n"{names[2]}"\r\n"x"\r\n'
    # The second teller lists the candidates in another order: the same ballots.
    other = (
        f'3 1\r\n1 1 0\r\n2 3 2 0\r\n0\r\n"{names[2]}"\r\n"{names[0]}"\r\n"{names[1]}"\r\n"y"\r\n'
    )
    paper.do_enter_count(vote, blt=one, acting_user=tellers[0])
    assert paper.do_enter_count(vote, blt=other, acting_user=tellers[1]) == "entered"
    vote.refresh_from_db()
    assert vote.election.phase == "published"
    rankings = sorted(
        Ballot.objects.filter(election=vote.election, paper=True).values_list("ranking", flat=True)
    )
    assert rankings == [[[1], [0]], [[1], [0]], [[2]]]
