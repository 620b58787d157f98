"""Secrecy: nothing in the stored rows links a ballot to a member."""

from __future__ import annotations

import pytest
from django.db import connection

from kenes.ballots import casting, services
from kenes.ballots.models import Ballot, VoterRoll
from tests.ballots.conftest import open_election

pytestmark = pytest.mark.django_db


def _raw_rows(table):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
        columns = [c[0] for c in cursor.description]
        return columns, cursor.fetchall()


def test_while_open_a_ballot_is_a_sealed_envelope_with_no_readable_receipt_or_marks(
    members, officers
):
    election, codes = open_election(members, officers["admin"])
    receipts = [casting.do_cast(election, code, [[1], [0]]) for code in list(codes.values())[:5]]
    columns, rows = _raw_rows("ballots_ballotenvelope")
    assert set(columns) == {"id", "election_id", "slot", "sealed"}
    assert len(rows) == 5 and _raw_rows("ballots_ballot")[1] == []
    for row in rows:
        raw = b"".join(v if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
        for receipt in receipts:
            assert receipt.encode() not in bytes(raw)
        assert b"[[1]" not in bytes(raw) and b"cast" not in bytes(raw)


def test_an_envelope_moved_to_another_slot_or_vote_does_not_open(members, officers):
    from kenes.ballots import envelopes
    from kenes.ballots.models import BallotEnvelope

    election, codes = open_election(members, officers["admin"])
    first, second = list(codes.values())[:2]
    casting.do_cast(election, first, [[0]])
    casting.do_cast(election, second, [[1]])
    a, b = BallotEnvelope.objects.order_by("slot")
    BallotEnvelope.objects.filter(pk=a.pk).update(sealed=bytes(b.sealed))
    with pytest.raises(envelopes.EnvelopeError):
        services.do_close(election, acting_user=officers["admin"])
    election.refresh_from_db()
    assert election.phase == "open" and BallotEnvelope.objects.count() == 2


def test_ballot_rows_hold_no_voter_reference_no_sequence_no_time_of_day(members, officers):
    election, codes = open_election(members, officers["admin"])
    for code in list(codes.values())[:5]:
        casting.do_cast(election, code, [[1], [0]])
    services.do_close(election, acting_user=officers["admin"])
    columns, rows = _raw_rows("ballots_ballot")
    assert set(columns) == {"id", "election_id", "receipt", "ranking", "paper", "cast_on"}
    member_ids = {str(m.pk) for m in members}
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        assert len(str(values["id"]).replace("-", "")) == 32  # a random UUID, not a sequence
        assert len(str(values["cast_on"])) == 10  # a day, no time
        for name in ("id", "receipt"):
            assert str(values[name]) not in member_ids
        for code in codes.values():
            assert code.replace("-", "") not in str(values)


def test_the_record_of_who_has_voted_holds_no_ballot_reference(members, officers):
    election, codes = open_election(members, officers["admin"])
    receipt = casting.do_cast(election, next(iter(codes.values())), [[0]])
    services.do_close(election, acting_user=officers["admin"])
    columns, rows = _raw_rows("ballots_voterroll")
    assert set(columns) == {"id", "election_id", "voter", "member", "has_voted", "voted_code"}
    ballot = Ballot.objects.get(receipt=receipt)
    for row in rows:
        assert str(ballot.pk) not in map(str, row) and receipt not in map(str, row)
    assert VoterRoll.objects.filter(election=election, has_voted=True).count() == 1


def test_the_slot_cannot_be_recomputed_from_the_stored_code_index(members, officers):
    from kenes.ballots.models import BallotEnvelope
    from kenes.participation.models import PersonalCode

    election, codes = open_election(members, officers["admin"])
    casting.do_cast(election, next(iter(codes.values())), [[0]])
    slot = BallotEnvelope.objects.get().slot
    indexes = set(PersonalCode.objects.values_list("code_index", flat=True))
    assert slot not in indexes


def test_closing_rewrites_the_ballots_in_receipt_order_with_new_keys(members, officers):
    from kenes.ballots.models import BallotEnvelope

    election, codes = open_election(members, officers["admin"])
    receipts = [casting.do_cast(election, c, [[0]]) for c in codes.values()]
    before = set(BallotEnvelope.objects.values_list("id", flat=True))
    services.do_close(election, acting_user=officers["admin"])
    election.refresh_from_db()
    assert election.envelope_private_key == "" and not BallotEnvelope.objects.exists()
    columns, rows = _raw_rows("ballots_ballot")
    assert not before & set(Ballot.objects.values_list("id", flat=True))
    stored = [row[columns.index("receipt")] for row in rows]  # physical order, no ORDER BY
    assert stored == sorted(receipts)
