"""Concurrent voters on a real PostgreSQL: one recompute enqueued, one participant per member."""

from __future__ import annotations

import os

import pytest
from django.test import override_settings
from django_tasks.signals import task_enqueued

from kenes.agenda import services
from kenes.agenda.models import OpinionVote, Participant, Statement
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@override_settings(TASKS=DUMMY)
def test_many_concurrent_votes_on_a_stale_analysis_enqueue_exactly_one_recompute(
    consultation, codes, members
):
    enqueued: list[object] = []

    def count(sender, task_result, **kwargs):  # type: ignore[no-untyped-def]
        enqueued.append(task_result)

    people = [services.participant_for_code(consultation, codes[m.pk]) for m in members]
    statements = list(Statement.objects.filter(consultation=consultation))
    task_enqueued.connect(count)
    try:
        jobs = [
            (lambda p=p, s=s: services.do_vote(p, s.pk, services.AGREE))
            for p in people
            for s in statements
        ]
        results, errors = run_together(jobs)
    finally:
        task_enqueued.disconnect(count)
    assert not errors, errors
    assert OpinionVote.objects.count() == len(people) * len(statements)
    assert len(enqueued) == 1


def test_the_first_requests_of_one_member_at_once_make_one_participant(
    consultation, codes, members
):
    code = codes[members[0].pk]
    jobs = [(lambda: services.participant_for_code(consultation, code)) for _ in range(8)]
    results, errors = run_together(jobs)
    assert not errors, errors
    assert len({p.pk for p in results}) == 1
    assert Participant.objects.filter(consultation=consultation).count() == 1
