"""One counted ballot per member, and a box that cannot silently hold more (findings 4, 11)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.translation import override

from kenes.ballots import box, casting, services
from kenes.ballots.models import Ballot, BallotEnvelope, VoterRoll
from kenes.ballots.services import BallotError
from kenes.participation import services as participation
from tests.ballots.conftest import cast_ballots, open_election

pytestmark = pytest.mark.django_db


def test_a_second_code_of_a_member_who_voted_cannot_add_a_second_ballot(members, officers):
    """Even a code issued around the reissue check (participation.do_issue_codes called
    directly) cannot give the member a second counted ballot."""
    admin = officers["admin"]
    election, codes = open_election(members, admin)
    member = members[0]
    first = casting.do_cast(election, codes[member.pk], [[0]])
    participation.do_revoke_codes(election.purpose, acting_user=admin)
    (second,) = participation.do_issue_codes(election.purpose, [member], acting_user=admin)
    with override("en"), pytest.raises(BallotError, match="another of your codes"):
        casting.do_cast(election, second.code, [[1]])
    assert [r for r, _ in cast_ballots()] == [first]
    assert services.turnout(election) == 1


def test_publication_refuses_a_box_whose_online_ballots_do_not_match_the_roll(members, officers):
    admin = officers["admin"]
    election, codes = open_election(members, admin, method="plurality")
    for code in list(codes.values())[:3]:
        casting.do_cast(election, code, [[0]])
    services.do_close(election, acting_user=admin)
    Ballot.objects.filter(pk=Ballot.objects.first().pk).delete()  # a ballot goes missing
    with override("en"), pytest.raises(BallotError, match="2 online ballots but 3 members"):
        box.do_publish(election, acting_user=admin)
    election.refresh_from_db()
    assert election.phase == "closed" and not election.box_head
    VoterRoll.objects.filter(election=election, has_voted=True).update(has_voted=False)
    with pytest.raises(BallotError):  # and a roll that lost its marks as well
        box.do_publish(election, acting_user=admin)


def test_paper_ballots_beyond_the_electorate_are_refused_before_any_is_written(members, officers):
    admin = officers["admin"]
    election, codes = open_election(members, admin, method="plurality")  # electorate 12
    for code in list(codes.values())[:5]:
        casting.do_cast(election, code, [[0]])
    names = services.options(election)
    huge = f'4 1\n200000 1 0\n0\n"{names[0]}"\n"{names[1]}"\n"{names[2]}"\n"{names[3]}"\n"P"\n'
    with override("en"), pytest.raises(BallotError, match="at most 7 more"):
        box.do_enter_paper_ballots(election, huge, acting_user=admin)
    eight = huge.replace("200000", "8")
    with pytest.raises(BallotError):
        box.do_enter_paper_ballots(election, eight, acting_user=admin)
    assert not Ballot.objects.exists()
    assert box.do_enter_paper_ballots(election, huge.replace("200000", "7"), acting_user=admin) == 7
    with pytest.raises(BallotError):  # full now: not one more
        box.do_enter_paper_ballots(election, huge.replace("200000", "1"), acting_user=admin)
    services.do_close(election, acting_user=admin)
    assert Ballot.objects.filter(paper=True).count() == 7
    assert Ballot.objects.filter(paper=False).count() == 5
    assert not BallotEnvelope.objects.exists()


def test_a_returning_voter_finds_their_ballot_in_and_its_day(members, officers):
    election, codes = open_election(members, officers["admin"])
    code = next(iter(codes.values()))
    assert casting.ballot_in(election, code) is None
    receipt = casting.do_cast(election, code, [[2], [0]])
    found = casting.ballot_in(election, code.lower())
    # Sealed to the vote's public key: the code reads back only the day (the marks and the
    # receipt need the private key, which only the close uses).
    assert found is not None and found.cast_on == timezone.localdate()
    assert (found.receipt, found.ranking) == ("", [])
    assert cast_ballots() == [(receipt, [[2], [0]])]
    assert casting.ballot_in(election, list(codes.values())[1]) is None


def test_a_ballot_after_the_closing_time_is_refused_even_before_the_worker_closes(
    members, officers
):
    import datetime

    from django.utils import timezone

    from kenes.ballots.models import Election

    election, codes = open_election(members, officers["admin"])
    first, second = list(codes.values())[:2]
    casting.do_cast(election, first, [[0]])
    past = timezone.now() - datetime.timedelta(seconds=1)
    Election.objects.filter(pk=election.pk).update(closes_at=past)  # the worker is late
    with override("en"), pytest.raises(BallotError, match="is not open"):
        casting.do_cast(election, second, [[1]])
    assert len(cast_ballots()) == 1 and services.turnout(election) == 1
