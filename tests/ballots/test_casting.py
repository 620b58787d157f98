"""Casting: codes open ballots, re-voting replaces, phases refuse."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from kenes.audit import services as audit
from kenes.ballots import box, casting, phases, services
from kenes.ballots.services import BallotError
from kenes.participation.services import resolve_code
from tests.ballots.conftest import cast_ballots, open_election

pytestmark = pytest.mark.django_db


def test_re_voting_until_close_counts_only_the_last_ballot(members, officers):
    election, codes = open_election(members, officers["admin"])
    code = next(iter(codes.values()))
    first = casting.do_cast(election, code, [[0], [1]])
    last = casting.do_cast(election, code.lower().replace("-", " "), [[2], [3]])
    assert first != last
    assert cast_ballots() == [(last, [[2], [3]])]
    assert services.turnout(election) == 1


def test_different_voters_each_get_a_counted_ballot(members, officers):
    election, codes = open_election(members, officers["admin"])
    receipts = {casting.do_cast(election, c, [[0]]) for c in codes.values()}
    assert len(cast_ballots()) == len(receipts) == len(codes) == 12


def test_a_closed_election_refuses_ballots(members, officers):
    election, codes = open_election(members, officers["admin"])
    services.do_close(election, acting_user=officers["admin"])
    with pytest.raises(BallotError):
        casting.do_cast(election, next(iter(codes.values())), [[0]])
    assert len(cast_ballots()) == 0


def test_a_draft_election_refuses_ballots_and_a_wrong_code_opens_nothing(members, officers):
    election, codes = open_election(members, officers["admin"])
    with pytest.raises(BallotError):
        casting.do_cast(election, "AAAAA-BBBBB-CCCCC", [[0]])
    draft = services.do_create_election(
        "x", cutoff_on=election.cutoff_on, acting_user=officers["admin"]
    )
    with pytest.raises(BallotError):
        casting.do_cast(draft, next(iter(codes.values())), [[0]])


def test_a_malformed_ranking_is_refused(members, officers):
    election, codes = open_election(members, officers["admin"])
    code = next(iter(codes.values()))
    for bad in ([], [[0], [0]], [[9]]):
        with pytest.raises(BallotError):
            casting.do_cast(election, code, bad)


def test_phases_only_move_forward_as_declared():
    assert phases.can_move("draft", "open") and not phases.can_move("open", "draft")
    assert not phases.can_move("published", "closed")
    assert phases.allows("open", "cast") and not phases.allows("closed", "cast")


def test_candidates_cannot_be_added_once_open(members, officers):
    election, _ = open_election(members, officers["admin"])
    with pytest.raises(BallotError):
        services.do_add_candidate(election, members[5], acting_user=officers["admin"])


def test_opening_closing_and_publishing_are_audited(members, officers):
    admin = officers["admin"]
    election, _ = open_election(members, admin)
    services.do_close(election, acting_user=admin)
    box.do_publish(election, acting_user=admin)
    actions = {e.action for e in audit.entries_newest_first("ballots.")}
    assert {
        "ballots.create",
        "ballots.add_candidate",
        "ballots.open",
        "ballots.closed",
        "ballots.published",
    } <= actions
    assert audit.verify().intact


def test_the_electorate_is_members_in_good_standing_of_the_group(groups, officers):
    from tests.ballots.conftest import make_members

    make_members(groups["workers"], range(5))
    members = make_members(groups["farmers"], range(100, 103))
    election, codes = open_election(
        members, officers["admin"], candidates=2, group=groups["farmers"]
    )
    assert election.electorate_size == 3 and len(codes) == 3


def test_a_lost_code_is_reissued_only_to_a_member_who_has_not_voted(members, officers):
    admin = officers["admin"]
    election, codes = open_election(members, admin)
    voted, lost = members[0], members[1]
    casting.do_cast(election, codes[voted.pk], [[0]])
    with pytest.raises(BallotError):
        services.do_reissue_code(election, voted, acting_user=admin)
    new = services.do_reissue_code(election, lost, acting_user=admin)
    with pytest.raises(BallotError):
        casting.do_cast(election, codes[lost.pk], [[0]])
    casting.do_cast(election, new, [[1]])
    assert len(cast_ballots()) == 2


def test_an_open_election_cannot_be_opened_again_and_keeps_its_roll(members, officers):
    election, codes = open_election(members, officers["admin"])
    with override("en"), pytest.raises(services.BallotError, match="cannot be opened again"):
        services.do_open(election, acting_user=officers["admin"])
    election.refresh_from_db()
    assert election.phase == "open"
    assert all(resolve_code(election.purpose, code) for code in codes.values())


def test_a_wrong_revoked_or_other_votes_code_is_refused_before_the_marks(members, officers):
    """On PostgreSQL the code is looked up inside the cast statement: the same refusals."""
    admin = officers["admin"]
    election, codes = open_election(members, admin)
    other, other_codes = open_election(members, admin, candidates=2)
    code = next(iter(codes.values()))
    reissued = services.do_reissue_code(election, members[1], acting_user=admin)
    revoked = codes[members[1].pk]
    refused = ["AAAAA-BBBBB-CCCCC", "not a code", next(iter(other_codes.values())), revoked]
    for wrong in refused:
        for ranking in ([[0]], [[9]], []):  # a good ranking, then ones the service refuses
            with pytest.raises(services.CodeRefused):
                casting.do_cast(election, wrong, ranking)
    with pytest.raises(BallotError) as malformed:
        casting.do_cast(election, code, [[9]])
    assert not isinstance(malformed.value, services.CodeRefused)
    assert not cast_ballots()
    assert services.turnout(election) == 0
    casting.do_cast(election, reissued, [[1]])
    casting.do_cast(election, code, [[0]])
    assert sorted(r for _, r in cast_ballots()) == [[[0]], [[1]]]
    assert services.turnout(election) == 2 and services.turnout(other) == 0


def test_receipts_are_20_characters_of_the_receipt_alphabet_and_all_of_it_is_used():
    receipts = [services.new_receipt() for _ in range(2000)]
    assert len(set(receipts)) == len(receipts)
    assert all(len(r) == 20 for r in receipts)
    assert set("".join(receipts)) == set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
