"""Concurrent casting on a real PostgreSQL: exactly one counted ballot per voter."""

from __future__ import annotations

import os
import threading
import time

import pytest

from kenes.ballots import casting, services
from kenes.ballots.models import Ballot, BallotEnvelope
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
    assert BallotEnvelope.objects.filter(election=election).count() == 6
    assert services.turnout(election) == 6


def test_casts_racing_the_close_are_either_counted_before_it_or_refused(members, officers):
    election, codes = open_election(members, officers["admin"])
    jobs = [(lambda code=code: casting.do_cast(election, code, [[0]])) for code in codes.values()]
    jobs.append(lambda: services.do_close(election, acting_user=officers["admin"]))
    results, errors = run_together(jobs)
    assert all(isinstance(e, BallotError) for e in errors), errors
    accepted = [r for r in results if isinstance(r, str)]
    assert Ballot.objects.filter(election=election).count() == len(accepted)


def test_a_code_reissued_while_a_cast_waits_gives_the_member_one_ballot_not_two(members, officers):
    """Finding 4: the cast looked its code up, then waited for the lock a reissue held; the
    reissue revoked that code and issued another; both codes then cast a counted ballot."""
    from django.db import connection, transaction

    admin = officers["admin"]
    election, codes = open_election(members, admin)
    member = members[0]
    old = codes[member.pk]
    reissued: list[str] = []
    holding = threading.Event()

    def reissue() -> None:
        try:
            with transaction.atomic():
                reissued.append(services.do_reissue_code(election, member, acting_user=admin))
                holding.set()
                time.sleep(1.0)  # the cast below is now waiting for this transaction
        finally:
            connection.close()

    def cast_with_old_code() -> object:
        holding.wait(10)
        try:
            return casting.do_cast(election, old, [[0]])
        except BallotError as exc:
            return exc
        finally:
            connection.close()

    results: list[object] = []
    threads = [
        threading.Thread(target=reissue),
        threading.Thread(target=lambda: results.append(cast_with_old_code())),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    first_counted = isinstance(results[0], str)
    try:
        casting.do_cast(election, reissued[0], [[1]])
        second_counted = True
    except BallotError:
        second_counted = False
    assert first_counted != second_counted  # exactly one of the two codes has a ballot
    assert BallotEnvelope.objects.filter(election=election).count() == 1
    assert services.turnout(election) == 1
    services.do_close(election, acting_user=admin)
    assert Ballot.objects.filter(election=election).count() == 1
