"""Concurrent casting on a real PostgreSQL: exactly one counted ballot per voter."""

from __future__ import annotations

import os

import pytest

from kenes.ballots import casting, services
from kenes.ballots.models import Ballot
from kenes.ballots.services import BallotError
from tests.ballots.conftest import open_election
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


def test_many_concurrent_casts_by_the_same_and_other_voters_leave_one_ballot_each(
    members, officers
):
    election, codes = open_election(members, officers["admin"])
    voters = list(codes.values())[:6]
    jobs = [
        (lambda code=code, i=i: casting.do_cast(election, code, [[i % 4]]))
        for code in voters
        for i in range(5)
    ]
    results, errors = run_together(jobs)
    assert not errors, errors
    assert len(results) == 30
    assert Ballot.objects.filter(election=election).count() == 6
    assert services.turnout(election) == 6


def test_casts_racing_the_close_are_either_counted_before_it_or_refused(members, officers):
    election, codes = open_election(members, officers["admin"])
    jobs = [(lambda code=code: casting.do_cast(election, code, [[0]])) for code in codes.values()]
    jobs.append(lambda: services.do_close(election, acting_user=officers["admin"]))
    results, errors = run_together(jobs)
    assert all(isinstance(e, BallotError) for e in errors), errors
    accepted = [r for r in results if isinstance(r, str)]
    assert Ballot.objects.filter(election=election).count() == len(accepted)
