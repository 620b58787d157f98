"""The migrations that take member ids out of personal codes and voter rolls
(participation 0004, ballots 0006): codes and roll rows made before them carry, after them,
the voter token the running code computes and the member id sealed; a code still finds its
roll row. With custody set up and the server sealed, they stop with the sealed sentence and
write nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kenes.custody.errors import Sealed
from kenes.participation.services import _index, find_code
from kenes.participation.voters import voter_token
from tests.custody.conftest import custody  # noqa: F401  (the fixture used below)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("participation", "0003_correction_request"), ("ballots", "0005_envelope_key_pair")]
AFTER = [("ballots", "0006_voter_tokens")]
CODES = ("ABCDEFGHJKMNPQR", "BCDEFGHJKMNPQRS")


def _migrate(target):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _leaf() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _codes_and_roll_in_the_clear():  # type: ignore[no-untyped-def]
    old = _migrate(BEFORE)
    Member = old.get_model("registry", "Member")
    Election = old.get_model("ballots", "Election")
    Code = old.get_model("participation", "PersonalCode")
    Roll = old.get_model("ballots", "VoterRoll")
    a, b = (
        Member.objects.create(full_name=n, iin_index=n, region_code=r)
        for n, r in (("a", "KZ-75"), ("b", "KZ-19"))
    )
    election = Election.objects.create(title="t", seed=1, cutoff_on=datetime.date(2026, 1, 1))
    purpose = f"election:{election.pk}"
    for member, code in zip((a, b), CODES, strict=True):
        Code.objects.create(purpose=purpose, member=member, code_index=_index(purpose, code))
        Roll.objects.create(election=election, member=member, has_voted=member == a)
    return purpose, election.pk, (a.pk, b.pk)


def _clean() -> None:
    with connection.cursor() as cursor:  # no key needed to migrate empty tables
        for table in ("participation_personalcode", "ballots_voterroll", "ballots_election"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute("DELETE FROM registry_member")


def test_the_migrations_put_tokens_and_sealed_ids_in_place_of_member_ids():
    try:
        purpose, election_id, (a, b) = _codes_and_roll_in_the_clear()
        _leaf()
        assert "member_id" not in _columns("participation_personalcode")
        assert "member_id" not in _columns("ballots_voterroll")
        from kenes.ballots.models import VoterRoll
        from kenes.participation.models import PersonalCode

        tokens = {a: voter_token(purpose, a), b: voter_token(purpose, b)}
        rows = {
            int(m): (v, r)
            for m, v, r in PersonalCode.objects.values_list("member", "voter", "region_code")
        }
        assert rows == {a: (tokens[a], "KZ-75"), b: (tokens[b], "KZ-19")}
        roll = {
            int(m): (v, voted)
            for m, v, voted in VoterRoll.objects.values_list("member", "voter", "has_voted")
        }
        assert roll == {a: (tokens[a], True), b: (tokens[b], False)}
        found = find_code(CODES[1], [purpose])
        assert found is not None and found.voter == tokens[b] and found.member_id() == b
        with connection.cursor() as cursor:
            cursor.execute("SELECT member FROM participation_personalcode")
            assert all(v.startswith("v1$") for (v,) in cursor.fetchall())
    finally:
        _clean()
        _leaf()


def test_while_sealed_the_migrations_stop_with_the_sentence_and_write_nothing(custody):  # noqa: F811
    try:
        _codes_and_roll_in_the_clear()
        custody.init()  # custody set up, no holder unsealed: the server is sealed
        with pytest.raises(Sealed, match="The server is sealed"):
            _migrate(AFTER)
        assert "member_id" in _columns("participation_personalcode")
        assert "member_id" in _columns("ballots_voterroll")
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM participation_personalcode WHERE member_id > 0")
            assert cursor.fetchone()[0] == 2
    finally:
        _clean()
        _leaf()
