"""Approvals sent at the same moment, on a real PostgreSQL (issue 12).

Two officers approve a read that needs both (m=2) in two threads started together: the
request is approved once and the dossier made exactly once. One officer's approval sent
twice at once counts once.
"""

from __future__ import annotations

import os

import pytest

from kenes.audit.models import AuditEntry
from kenes.registry import approvals
from kenes.registry.dossier import do_request_dossier
from kenes.registry.models import PreparedFile, ReadApproval, ReadRequest
from tests.concurrency import run_together

ROUNDS = 12

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="races are run on PostgreSQL (make test runs it there)",
    ),
]


def _two_needed(more_officers):  # type: ignore[no-untyped-def]
    approvals.do_change_settings(
        approvals_needed=2, api_limit=50, delay_hours=0, acting_user=more_officers["admin2"]
    )
    do_request_dossier(acting_user=more_officers["admin"], rule_id="kz-2009")
    return ReadRequest.objects.get()


def test_two_approvers_at_once_make_exactly_one_file(registry, more_officers):
    approvals.do_change_settings(
        approvals_needed=2, api_limit=50, delay_hours=0, acting_user=more_officers["admin2"]
    )
    for _ in range(ROUNDS):  # each round a new request, its two approvals sent together
        item = do_request_dossier(acting_user=more_officers["admin"], rule_id="kz-2009")
        request = ReadRequest.objects.get(bundle=item.bundle)
        jobs = [
            lambda pk=request.pk, who=who: approvals.do_approve(pk, acting_user=more_officers[who])
            for who in ("admin2", "admin3")
        ]
        _results, errors = run_together(jobs)
        assert not errors, errors
        request.refresh_from_db()
        assert request.state == "made" and request.approvals.count() == 2
        assert PreparedFile.objects.get(bundle=request.bundle).status == "ready"
    assert AuditEntry.objects.filter(action="dossier.export").count() == ROUNDS  # one each


def test_one_approval_sent_twice_at_once_counts_once(registry, more_officers):
    request = _two_needed(more_officers)
    _results, errors = run_together(
        [lambda: approvals.do_approve(request.pk, acting_user=more_officers["admin2"])] * 2
    )
    assert not errors, errors
    request.refresh_from_db()
    assert request.state == "requested" and ReadApproval.objects.count() == 1
    assert AuditEntry.objects.filter(action="bulk_read.approve").count() == 1
    assert PreparedFile.objects.get().status == "awaiting"
