"""Reading the ballot form: numbers, picks, ticks and motion choices become a ranking."""

from __future__ import annotations

import pytest
from django.utils import translation

from kenes.ballots import casting, services, voting
from kenes.ballots.voting import APPROVE, MOTION, PICK, RANK, MarkError, ranking_from_form
from tests.ballots.conftest import open_election, open_motion


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def test_numbers_rank_candidates_best_first():
    data = {"rank_0": "2", "rank_1": "", "rank_2": "1", "rank_3": " 3 "}
    assert ranking_from_form(RANK, 4, data) == [[2], [0], [3]]


def test_gaps_in_the_numbers_are_closed():
    assert ranking_from_form(RANK, 4, {"rank_1": "1", "rank_3": "3", "rank_0": "4"}) == [
        [1],
        [3],
        [0],
    ]


def test_equal_numbers_are_refused_with_a_sentence_naming_the_number():
    with pytest.raises(MarkError, match="the number 2 next to two candidates"):
        ranking_from_form(RANK, 4, {"rank_0": "2", "rank_1": "2", "rank_2": "1"})


@pytest.mark.parametrize("bad", ["0", "-1", "one", "1.5"])
def test_numbers_must_be_positive_whole_numbers(bad):
    with pytest.raises(MarkError):
        ranking_from_form(RANK, 3, {"rank_0": bad})


def test_a_blank_ballot_is_refused():
    with pytest.raises(MarkError, match="first choice"):
        ranking_from_form(RANK, 3, {"rank_0": "", "rank_1": " "})


def test_marks_for_candidates_not_on_the_ballot_are_ignored():
    assert ranking_from_form(RANK, 2, {"rank_0": "1", "rank_5": "2"}) == [[0]]


def test_plurality_reads_one_pick_on_the_ballot():
    assert ranking_from_form(PICK, 4, {"pick": "3"}) == [[3]]
    for bad in ({}, {"pick": "4"}, {"pick": "-1"}, {"pick": "x"}):
        with pytest.raises(MarkError):
            ranking_from_form(PICK, 4, bad)


def test_approval_makes_every_ticked_candidate_one_group_of_equals():
    data = {"approve_0": "1", "approve_2": "1", "approve_9": "1"}
    assert ranking_from_form(APPROVE, 4, data) == [[0, 2]]
    with pytest.raises(MarkError):
        ranking_from_form(APPROVE, 4, {})


def test_a_motion_reads_yes_no_or_abstain():
    assert [ranking_from_form(MOTION, 3, {"choice": c}) for c in ("yes", "no", "abstain")] == [
        [[0]],
        [[1]],
        [[2]],
    ]
    with pytest.raises(MarkError):
        ranking_from_form(MOTION, 3, {"choice": "yes please"})


@pytest.mark.django_db
def test_the_service_accepts_every_ranking_the_form_makes(members, officers):
    election, codes = open_election(members, officers["admin"], method="approval")
    code = next(iter(codes.values()))
    assert voting.ballot_style(election) == APPROVE
    ranking = ranking_from_form(APPROVE, 4, {"approve_1": "1", "approve_3": "1"})
    assert services.check_ranking(election, ranking) == [[1, 3]]
    casting.do_cast(election, code, ranking)


@pytest.mark.django_db
def test_a_code_finds_only_its_own_open_ballot(members, officers):
    election, codes = open_election(members, officers["admin"])
    motion, motion_codes = open_motion(members, officers["admin"])
    code = next(iter(codes.values()))
    assert voting.find_open_ballot(code) == election
    assert voting.find_open_ballot(motion_codes[0]) == motion
    assert voting.find_open_ballot("AAAAA-BBBBB-CCCCC") is None
    assert voting.code_opens(election, code) and not voting.code_opens(motion, code)
    services.do_close(election, acting_user=officers["admin"])
    election.refresh_from_db()
    assert voting.find_open_ballot(code) is None
    assert voting.ballot_style(motion) == MOTION
