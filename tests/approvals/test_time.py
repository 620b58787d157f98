"""Bulk reads expire, and wait out the national admin's delay (issue 12).

A request nobody approves in time expires with the sealed codes it held; a made file
nobody downloads within its window expires too; with a delay, an approved read is made no
earlier than the delay after it was asked for. Time is passed in, not slept.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kenes.audit.models import AuditEntry
from kenes.registry import approvals, prepared
from kenes.registry.models import PreparedFile, ReadRequest
from tests.approvals.conftest import EN, download_forms, issue_codes

pytestmark = pytest.mark.django_db


def test_a_request_nobody_approves_in_time_expires_with_what_it_held(
    client_of, consultation, more_officers
):
    files_url = issue_codes(client_of("regional"), consultation, phones="on")["Location"]
    request = ReadRequest.objects.get()
    assert approvals.expire_due(request.expires_at - datetime.timedelta(seconds=1)) == 0
    assert approvals.expire_due(request.expires_at + datetime.timedelta(seconds=1)) == 1
    request.refresh_from_db()
    assert request.state == "expired"
    held = PreparedFile.objects.filter(bundle=request.bundle)
    assert {(f.status, f.source) for f in held} == {("expired", None)}  # the codes are gone
    with pytest.raises(approvals.ApprovalError, match="no longer waiting"):
        approvals.do_approve(request.pk, acting_user=more_officers["regional2"])
    assert download_forms(client_of("regional"), files_url) == []
    assert AuditEntry.objects.filter(action="bulk_read.expire", target_id=request.pk).count() == 1


def test_a_made_file_nobody_downloads_expires(client_of, registry, more_officers):
    client = client_of("admin")
    files_url = client.post(reverse("readiness_dossier"), {"rules": "kz-2009"})["Location"]
    request = ReadRequest.objects.get()
    approvals.do_approve(request.pk, acting_user=more_officers["admin2"])
    request.refresh_from_db()
    assert request.state == "made"
    later = timezone.now() + prepared.KEEP_FOR + datetime.timedelta(minutes=1)
    assert approvals.expire_due(later) == 1
    request.refresh_from_db()
    item = PreparedFile.objects.get(kind="dossier")
    assert request.state == "expired" and item.status == "expired" and item.content is None
    with pytest.raises(prepared.NotAvailable):
        prepared.take(more_officers["admin"], item.pk)
    assert download_forms(client, files_url) == []
    assert AuditEntry.objects.filter(action="bulk_read.expire", target_id=request.pk).exists()


def test_the_download_window_starts_when_the_file_is_approved_not_asked_for(
    client_of, registry, more_officers
):
    client = client_of("admin")
    files_url = client.post(reverse("readiness_dossier"), {"rules": "kz-2009"})["Location"]
    request = ReadRequest.objects.get()
    asked_long_ago = timezone.now() - prepared.KEEP_FOR - datetime.timedelta(hours=1)
    PreparedFile.objects.update(created_at=asked_long_ago)
    approvals.do_approve(request.pk, acting_user=more_officers["admin2"])
    assert len(download_forms(client, files_url)) == 1


def test_with_a_delay_the_approved_read_is_made_only_once_the_delay_is_over(
    client_of, registry, more_officers
):
    approvals.do_change_settings(
        approvals_needed=1, api_limit=50, delay_hours=2, acting_user=more_officers["admin2"]
    )
    client = client_of("admin")
    files_url = client.post(reverse("readiness_dossier"), {"rules": "kz-2009"}, **EN)["Location"]
    request = ReadRequest.objects.get()
    approvals.do_approve(request.pk, acting_user=more_officers["admin2"])
    request.refresh_from_db()
    assert request.state == "approved"
    assert PreparedFile.objects.get().status == "awaiting"
    assert approvals.release_due(request.not_before - datetime.timedelta(minutes=1)) == 0
    assert "will be made after" in client.get(files_url, **EN).content.decode()
    assert download_forms(client, files_url) == []
    assert approvals.release_due(request.not_before) == 1
    assert approvals.release_due(request.not_before) == 0  # released once
    request.refresh_from_db()
    assert request.state == "made"
    assert len(download_forms(client, files_url)) == 1
    assert AuditEntry.objects.filter(action="dossier.export").count() == 1


def test_the_worker_housekeeping_expires_and_releases(client_of, registry, more_officers):
    from kenes.web.management.commands.worker import housekeeping

    client_of("admin").post(reverse("readiness_dossier"), {"rules": "kz-2009"})
    request = ReadRequest.objects.get()
    ReadRequest.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    housekeeping()
    request.refresh_from_db()
    assert request.state == "expired"
