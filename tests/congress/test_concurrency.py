"""The door on a real PostgreSQL: two tellers scanning the same badge at once record one
arrival; many delegates checked in at once are all counted."""

from __future__ import annotations

import os

import pytest

from kenes.congress import services
from kenes.congress.models import Attendance, Delegate
from tests.concurrency import run_together
from tests.congress.conftest import make_congress

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


def test_the_same_badge_scanned_at_two_doors_at_once_is_one_arrival(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    code = seated[0].badge_code
    jobs = [(lambda: services.do_check_in(congress, code, acting_user=admin)) for _ in range(6)]
    results, errors = run_together(jobs)
    assert not errors, errors
    assert sum(1 for r in results if r.changed) == 1
    assert Attendance.objects.filter(delegate=seated[0].delegate).count() == 1


def test_every_delegate_checked_in_at_once_is_counted(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    jobs = [
        (lambda s=s: services.do_check_in(congress, s.badge_code, acting_user=admin))
        for s in seated
    ]
    results, errors = run_together(jobs)
    assert not errors, errors
    assert Delegate.objects.filter(congress=congress, present=True).count() == len(seated)
    assert services.quorum(congress).present == len(seated)
    assert Attendance.objects.count() == len(seated)
