"""A vote opened before the envelope key pair (its envelopes under `Election.ballot_key`)
keeps taking, replacing and counting ballots until it closes."""

from __future__ import annotations

import pytest

from kenes.ballots import casting, envelopes, services
from kenes.ballots.models import Ballot, BallotEnvelope, Election
from kenes.security.sealing import blind_index
from tests.ballots.conftest import cast_ballots, open_election

pytestmark = pytest.mark.django_db


def _as_opened_before_the_key_pair(election: Election) -> Election:
    """What migration 0005 leaves of a vote open at the upgrade: an AES key, no key pair."""
    Election.objects.filter(pk=election.pk).update(
        ballot_key=envelopes.new_ballot_key(election.pk),
        envelope_public_key="",
        envelope_private_key="",
    )
    return Election.objects.get(pk=election.pk)


def test_an_old_style_vote_takes_replaces_and_counts_its_ballots(members, officers):
    admin = officers["admin"]
    election, codes = open_election(members, admin)
    election = _as_opened_before_the_key_pair(election)
    first, second = list(codes.values())[:2]
    casting.do_cast(election, first, [[0]])
    kept = casting.do_cast(election, first, [[1]])  # a re-vote replaces: same old-style slot
    other = casting.do_cast(election, second, [[2]])
    slots = set(BallotEnvelope.objects.values_list("slot", flat=True))
    assert blind_index(f"ballot-slot:{election.pk}:{first.replace('-', '')}") in slots
    assert len(slots) == 2
    assert cast_ballots() == sorted([(kept, [[1]]), (other, [[2]])])
    earlier = casting.ballot_in(election, first)
    assert earlier is not None and earlier.receipt == kept
    services.do_close(election, acting_user=admin)
    election.refresh_from_db()
    assert election.ballot_key == "" and not BallotEnvelope.objects.exists()
    assert set(Ballot.objects.values_list("receipt", flat=True)) == {kept, other}


def test_a_new_vote_seals_to_its_public_key_and_no_aes_key(members, officers):
    election, codes = open_election(members, officers["admin"])
    assert election.ballot_key == "" and len(election.envelope_public_key) == 44
    casting.do_cast(election, next(iter(codes.values())), [[0]])
    (sealed,) = BallotEnvelope.objects.values_list("sealed", flat=True)
    assert bytes(sealed)[:1] == b"\x02"
