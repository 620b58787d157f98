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


def test_ballot_rows_hold_no_voter_reference_no_sequence_no_time_of_day(members, officers):
    election, codes = open_election(members, officers["admin"])
    for code in list(codes.values())[:5]:
        casting.do_cast(election, code, [[1], [0]])
    columns, rows = _raw_rows("ballots_ballot")
    assert set(columns) == {"id", "election_id", "receipt", "slot", "ranking", "paper", "cast_on"}
    member_ids = {str(m.pk) for m in members}
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        assert len(str(values["id"]).replace("-", "")) == 32  # a random UUID, not a sequence
        assert len(str(values["cast_on"])) == 10  # a day, no time
        for name in ("id", "receipt", "slot"):
            assert str(values[name]) not in member_ids
        for code in codes.values():
            assert code.replace("-", "") not in str(values)


def test_the_record_of_who_has_voted_holds_no_ballot_reference(members, officers):
    election, codes = open_election(members, officers["admin"])
    receipt = casting.do_cast(election, next(iter(codes.values())), [[0]])
    columns, rows = _raw_rows("ballots_voterroll")
    assert set(columns) == {"id", "election_id", "member_id", "has_voted"}
    ballot = Ballot.objects.get(receipt=receipt)
    for row in rows:
        assert str(ballot.pk) not in map(str, row) and receipt not in map(str, row)
    assert VoterRoll.objects.filter(election=election, has_voted=True).count() == 1


def test_the_slot_cannot_be_recomputed_from_the_stored_code_index(members, officers):
    from kenes.participation.models import PersonalCode

    election, codes = open_election(members, officers["admin"])
    casting.do_cast(election, next(iter(codes.values())), [[0]])
    slot = Ballot.objects.get().slot
    indexes = set(PersonalCode.objects.values_list("code_index", flat=True))
    assert slot not in indexes


def test_closing_rewrites_the_ballots_in_receipt_order_with_new_keys(members, officers):
    election, codes = open_election(members, officers["admin"])
    receipts = [casting.do_cast(election, c, [[0]]) for c in codes.values()]
    before = set(Ballot.objects.values_list("id", flat=True))
    services.do_close(election, acting_user=officers["admin"])
    columns, rows = _raw_rows("ballots_ballot")
    assert not before & set(Ballot.objects.values_list("id", flat=True))
    stored = [row[columns.index("receipt")] for row in rows]  # physical order, no ORDER BY
    assert stored == sorted(receipts)
