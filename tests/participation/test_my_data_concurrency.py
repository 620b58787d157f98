"""Officers answering the same correction at once, on a real PostgreSQL: applied once."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ValidationError

from kenes.audit import services as audit
from kenes.participation import my_data
from kenes.participation.models import CorrectionState
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


def test_the_same_request_applied_and_refused_at_once_is_answered_once(registry, officers):
    worker = registry["worker"]
    request = my_data.do_request_correction(worker.pk, "phone", "+7 702 111 22 33")
    answerers = [officers["group"], officers["admin"]] * 3
    jobs = [
        (lambda user=user: my_data.do_apply_correction(request.pk, acting_user=user))
        for user in answerers
    ] + [lambda: my_data.do_refuse_correction(request.pk, "нет", acting_user=officers["admin"])]
    results, errors = run_together(jobs)
    assert len(results) == 1, (results, errors)
    assert len(errors) == len(jobs) - 1 and all(isinstance(e, ValidationError) for e in errors)
    request.refresh_from_db()
    answers = audit.entries_newest_first().filter(action__startswith="correction.")
    answered = [a for a in answers.values_list("action", flat=True) if a != "correction.request"]
    assert len(answered) == 1
    updates = audit.entries_about_member(worker.pk).filter(action="member.update")
    assert updates.count() == (1 if request.state == CorrectionState.DONE else 0)
