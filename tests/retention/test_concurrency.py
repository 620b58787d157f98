"""Several workers on one PostgreSQL apply the schedule at the same moment: each kind is
applied once (one audit entry, one rule row), and what is due is counted once."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.utils import timezone

from kenes.audit import services as audit
from kenes.audit.models import AuditEntry
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member, MemberStatus
from kenes.retention import services
from kenes.retention.kinds import KINDS
from kenes.retention.models import RetentionRule
from tests.concurrency import run_together
from tests.conftest import csv_bytes, person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


def _nth_id(n: int) -> int:
    """The id of the n-th audit entry (0: none)."""
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True)[:n])
    return ids[-1] if ids else 0


@pytest.mark.parametrize("first_run", [True, False], ids=["first run", "a day later"])
def test_workers_applying_at_once_apply_each_kind_once(groups, first_run):
    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(4)])),
        filename="m.csv",
        group=groups["workers"],
        acting_user="test",
    )
    now = timezone.now()
    if not first_run:  # the rule rows exist: nothing but the row lock keeps workers apart
        services.do_apply(acting_user="test", now=now - services.RUN_EVERY)
    Member.objects.filter(pk__in=Member.objects.order_by("pk").values("pk")[:2]).update(
        status=MemberStatus.LEFT, left_on=timezone.localdate() - datetime.timedelta(days=100)
    )
    entries = AuditEntry.objects.count()

    results, errors = run_together([lambda: services.apply_if_due(now) for _ in range(6)])

    assert not errors, errors
    runs = [kind for run in results for kind in run.kinds]  # type: ignore[attr-defined]
    assert sorted(k.kind for k in runs) == sorted(k.key for k in KINDS)
    assert sum(k.cleared for k in runs if k.kind == "left_contacts") == 2
    applied = AuditEntry.objects.filter(action="retention.applied", pk__gt=_nth_id(entries))
    assert sorted(applied.values_list("target_id", flat=True)) == sorted(k.key for k in KINDS)
    assert RetentionRule.objects.count() == len(KINDS)
    assert audit.verify().intact
