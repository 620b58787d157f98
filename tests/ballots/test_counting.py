"""Counting and publishing: motions, the hash-chained box, BLT recount, paper ballots."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from kenes.ballots import box, casting, counting, services
from kenes.ballots.models import Ballot
from kenes.ballots.services import BallotError
from tests.ballots.conftest import open_election, open_motion

pytestmark = pytest.mark.django_db


def _motion(yes, no, abstain, *, electorate=100, quorum=0, majority="simple", base="yes_no"):  # type: ignore[no-untyped-def]
    return counting.motion_result(
        {"yes": yes, "no": no, "abstain": abstain},
        electorate=electorate,
        quorum_percent=quorum,
        majority=majority,
        base=base,
    )


def test_motion_with_more_yes_than_no_is_carried_by_simple_majority_of_yes_and_no():
    assert _motion(30, 20, 40)["carried"]


def test_motion_with_exactly_half_is_not_carried():
    assert not _motion(25, 25, 0)["carried"]


def test_abstentions_count_against_when_the_base_is_all_votes_cast():
    result = _motion(30, 20, 40, base="cast")
    assert result["base_votes"] == 90 and not result["carried"]


def test_motion_below_quorum_fails_even_if_all_vote_yes():
    result = _motion(10, 0, 0, electorate=100, quorum=25)
    assert not result["quorum_met"] and not result["carried"]
    assert _motion(25, 0, 0, electorate=100, quorum=25)["carried"]


def test_two_thirds_majority_needs_at_least_two_thirds_of_the_base():
    assert _motion(20, 10, 0, majority="two_thirds")["carried"]
    assert not _motion(19, 10, 0, majority="two_thirds")["carried"]


def test_majority_of_the_electorate_counts_members_who_did_not_vote():
    assert not _motion(40, 10, 0, electorate=100, base="electorate")["carried"]
    assert _motion(51, 10, 0, electorate=100, base="electorate")["carried"]


def test_a_motion_is_voted_and_its_result_states_quorum_majority_and_base(members, officers):
    admin = officers["admin"]
    motion, codes = open_motion(members, admin, quorum_percent=50, majority="two_thirds")
    for code, choice in zip(codes, [0, 0, 0, 0, 0, 1, 1, 2], strict=False):
        casting.do_cast(motion, code, [[choice]])
    services.do_close(motion, acting_user=admin)
    result = box.do_publish(motion, acting_user=admin).result
    assert result["votes"] == {"yes": 5, "no": 2, "abstain": 1}
    assert result["electorate"] == 12 and result["quorum_met"]
    assert result["majority"] == "two_thirds" and result["base"] == "yes_no"
    assert result["carried"]


def _vote_and_publish(members, admin, tmp_path, *, method="stv", seats=1):  # type: ignore[no-untyped-def]
    election, codes = open_election(members, admin, candidates=4, seats=seats, method=method)
    rankings = [[[0], [1]], [[1], [0]], [[2], [1]], [[1]], [[3], [2], [1]], [[0], [2]]]
    for i, code in enumerate(codes.values()):
        casting.do_cast(election, code, rankings[i % len(rankings)])
    services.do_close(election, acting_user=admin)
    return box.do_publish(election, acting_user=admin)


@pytest.mark.parametrize(("method", "seats"), [("stv", 2), ("schulze", 1), ("irv", 1)])
def test_kenes_tally_on_the_published_blt_reproduces_the_result(
    members, officers, tmp_path, capsys, method, seats
):
    election = _vote_and_publish(members, officers["admin"], tmp_path, method=method, seats=seats)
    path = tmp_path / "box.blt"
    path.write_text(box.box_blt(election), encoding="utf-8")
    call_command("tally", str(path), method=method, seed=election.seed, json=True)
    recount = json.loads(capsys.readouterr().out)
    published = {k: v for k, v in election.result.items() if k != "kind"}
    assert recount == published
    assert recount["winners"]


def test_every_receipt_is_in_the_published_box(members, officers, tmp_path):
    election, codes = open_election(members, officers["admin"])
    receipts = {casting.do_cast(election, c, [[0]]) for c in codes.values()}
    services.do_close(election, acting_user=officers["admin"])
    box.do_publish(election, acting_user=officers["admin"])
    assert {e["receipt"] for e in box.ballot_box(election)} == receipts


def test_the_hash_chain_detects_a_removed_ballot(members, officers, tmp_path):
    election = _vote_and_publish(members, officers["admin"], tmp_path)
    assert box.verify_box(election).intact
    Ballot.objects.filter(election=election).order_by("receipt")[3:4].get().delete()
    assert not box.verify_box(election).intact


def test_the_hash_chain_detects_an_altered_ballot_in_the_published_listing(
    members, officers, tmp_path
):
    election = _vote_and_publish(members, officers["admin"], tmp_path)
    listing = box.ballot_box(election)
    listing[2]["ranking"] = [[3]]
    check = box.verify_entries(listing, election.box_head)
    assert not check.intact and check.first_bad == 2


PAPER_BLT = '4 1\r\n2 2 1 0\r\n1 4 0\r\n0\r\n"{a}"\r\n"{b}"\r\n"{c}"\r\n"{d}"\r\n"Paper"\r\n'


def test_paper_ballots_are_counted_with_the_online_ones_and_marked_paper(members, officers):
    admin = officers["admin"]
    election, codes = open_election(members, admin, method="plurality")
    casting.do_cast(election, next(iter(codes.values())), [[0]])
    services.do_close(election, acting_user=admin)
    names = services.options(election)
    # the file lists the candidates in another order: matched by name
    text = PAPER_BLT.format(a=names[1], b=names[0], c=names[2], d=names[3])
    assert box.do_enter_paper_ballots(election, text, acting_user=admin) == 3
    assert Ballot.objects.filter(paper=True).count() == 3
    result = box.do_publish(election, acting_user=admin).result
    assert result["rounds"][0]["votes"][names[0]] == "3"
    assert any(e["paper"] for e in box.ballot_box(election))


def test_paper_ballots_naming_an_unknown_candidate_change_nothing(members, officers):
    admin = officers["admin"]
    election, _ = open_election(members, admin)
    text = PAPER_BLT.format(a="Nobody", b="x", c="y", d="z")
    with pytest.raises(BallotError):
        box.do_enter_paper_ballots(election, text, acting_user=admin)
    assert Ballot.objects.count() == 0


def test_a_preliminary_tally_is_possible_only_once_closed(members, officers):
    admin = officers["admin"]
    election, codes = open_election(members, admin, method="plurality")
    casting.do_cast(election, next(iter(codes.values())), [[2]])
    with pytest.raises(BallotError):
        box.do_tally(election, acting_user=admin)
    services.do_close(election, acting_user=admin)
    result = box.do_tally(election, acting_user=admin)
    assert result["winners"] == [services.options(election)[2]]


def test_paper_ballots_from_csv_are_counted_and_a_published_election_refuses_more(
    members, officers
):
    admin = officers["admin"]
    election, _ = open_election(members, admin, method="plurality")
    names = services.options(election)
    text = f"rank1,rank2\n{names[3]},{names[0]}\n{names[3]},\n"
    assert box.do_enter_paper_ballots(election, text, format="csv", acting_user=admin) == 2
    services.do_close(election, acting_user=admin)
    result = box.do_publish(election, acting_user=admin).result
    assert result["winners"] == [names[3]]
    with pytest.raises(BallotError):
        box.do_enter_paper_ballots(election, text, format="csv", acting_user=admin)
    assert Ballot.objects.count() == 2
