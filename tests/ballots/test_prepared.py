"""The voters' statements are prepared on PostgreSQL (kenes.db): planned once per connection.

Planning them was two thirds of PostgreSQL's work per ballot (bench/README.md); these
tests check that the statements really are prepared, that KENES_DB_PREPARE=0 turns it
off, and that Django's query logging still sees them.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenes.ballots import casting, voting
from tests.ballots.conftest import open_election

pytestmark = pytest.mark.django_db

ON_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="prepared statements exist on PostgreSQL only (make test runs it there)",
)


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _vote_a_few_times(members, officers) -> None:  # type: ignore[no-untyped-def]
    election, codes = open_election(members, officers["admin"])
    for code in list(codes.values())[:3]:
        assert voting.find_open_ballot(code, address="192.0.2.1") == election
        loaded = voting.election_to_cast(election.pk, address="192.0.2.1")
        assert loaded is not None
        casting.do_cast(loaded, code, [[0]])


@ON_POSTGRES
def test_the_voters_statements_are_prepared_once_per_connection(members, officers):
    _vote_a_few_times(members, officers)
    prepared = _prepared()
    assert any("participation_codeattempt" in s and "ballots_election" in s for s in prepared)
    assert any(s.startswith("WITH voter AS") for s in prepared)
    assert any(s.startswith("SELECT code_index, purpose, voter") for s in prepared)
    assert len(prepared) == len(set(prepared))  # each once, however often it ran


@ON_POSTGRES
def test_preparing_can_be_turned_off(members, officers, monkeypatch):
    monkeypatch.setenv("KENES_DB_PREPARE", "0")
    _vote_a_few_times(members, officers)
    assert not any(s.startswith("WITH voter AS") for s in _prepared())


def test_query_logging_still_sees_the_statements(members, officers):
    election, codes = open_election(members, officers["admin"])
    code = next(iter(codes.values()))
    with CaptureQueriesContext(connection) as queries:
        voting.find_open_ballot(code, address="192.0.2.1")
        casting.do_cast(voting.election_to_cast(election.pk) or election, code, [[1]])
    logged = [q["sql"] for q in queries.captured_queries]
    assert any("participation_codeattempt" in sql for sql in logged)
    assert any("ballots_ballot" in sql for sql in logged)
