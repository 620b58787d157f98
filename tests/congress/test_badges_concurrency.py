"""Badges reprinted for a region while its delegates are scanned at the door, on a real
PostgreSQL: nobody in the hall is given a new code (they could not leave), and no old code
opens the door once the new ones are made."""

from __future__ import annotations

import os

import pytest

from kenes.congress import services
from kenes.congress.models import Attendance, Delegate
from kenes.congress.services import CongressError
from tests.concurrency import run_together
from tests.congress.conftest import make_congress

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


@pytest.mark.parametrize("round_", range(3))
def test_a_regions_badges_reprinted_while_its_delegates_arrive(people, officers, round_):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    region = seated[0].delegate.region_code
    ours = [s for s in seated if s.delegate.region_code == region]
    assert len(ours) == 3
    jobs = [lambda: services.do_new_badges_for_region(congress, region, acting_user=admin)]
    jobs += [
        (lambda s=s: services.do_check_in(congress, s.badge_code, acting_user=admin)) for s in ours
    ]
    results, errors = run_together(jobs)
    assert all(isinstance(e, CongressError) for e in errors), errors
    reprinted = next(r for r in results if isinstance(r, list))
    new_code = {s.delegate.pk: s.badge_code for s in reprinted}
    arrived = {r.delegate.pk for r in results if not isinstance(r, list)}
    assert len(arrived) + len(errors) == len(ours)
    for s in ours:
        delegate = Delegate.objects.get(pk=s.delegate.pk)
        if delegate.pk in arrived:  # came in before the reprint: keeps the old code
            assert delegate.present and delegate.pk not in new_code
            assert not services.do_check_in(congress, s.badge_code, acting_user=admin).changed
        else:  # the reprint came first: the old code was refused, the new one opens
            assert not delegate.present and delegate.pk in new_code
            with pytest.raises(CongressError):
                services.do_check_in(congress, s.badge_code, acting_user=admin)
            assert services.do_check_in(congress, new_code[delegate.pk], acting_user=admin).changed
    assert Attendance.objects.filter(arrived=True).count() == len(ours)
