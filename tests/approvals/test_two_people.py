"""No officer reads the registry in bulk alone (issue 12, "Two people for every bulk read").

The dossier and a codes file with phones wait for another officer who may read the same
members; the requester never counts; a form sent twice counts once; m approvals make the
file once, and it is downloaded once. Every step is in the audit log.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kenes.audit.models import AuditEntry
from kenes.registry import approvals, prepared
from kenes.registry.models import PreparedFile, ReadApproval, ReadRequest
from tests.approvals.conftest import EN, download_forms, issue_codes

pytestmark = pytest.mark.django_db


def _ask_dossier(client):  # type: ignore[no-untyped-def]
    response = client.post(reverse("readiness_dossier"), {"rules": "kz-2009"}, **EN)
    assert response.status_code == 302
    return response["Location"]


def test_an_admin_alone_cannot_get_the_dossier(client_of, registry, more_officers):
    client = client_of("admin")
    files_url = _ask_dossier(client)
    assert download_forms(client, files_url) == []
    page = client.get(files_url, **EN).content.decode()
    assert "awaiting approval" in page and "other officer" in page
    item = PreparedFile.objects.get(kind="dossier")
    assert item.status == "awaiting" and item.content is None
    with pytest.raises(prepared.NotAvailable):
        prepared.take(more_officers["admin"], item.pk)
    assert not AuditEntry.objects.filter(action="dossier.export").exists()  # nothing read
    request = ReadRequest.objects.get()
    assert request.state == "requested" and request.requester == more_officers["admin"]
    assert AuditEntry.objects.filter(action="bulk_read.request", target_id=request.pk).exists()


def test_an_officer_alone_cannot_get_a_codes_file_with_phones(client_of, consultation):
    client = client_of("regional")
    files_url = issue_codes(client, consultation, phones="on")["Location"]
    assert download_forms(client, files_url) == []
    held = PreparedFile.objects.filter(bundle=ReadRequest.objects.get().bundle)
    assert sorted(held.values_list("status", flat=True)) == ["awaiting", "awaiting"]
    assert not AuditEntry.objects.filter(action="member.phones_read").exists()


def test_a_short_codes_file_without_phones_needs_no_second_officer(client_of, consultation):
    client = client_of("regional")
    files_url = issue_codes(client, consultation)["Location"]
    assert len(download_forms(client, files_url)) == 2
    assert not ReadRequest.objects.exists()


def test_a_codes_file_for_more_members_than_the_limit_waits(client_of, consultation, more_officers):
    approvals.do_change_settings(
        approvals_needed=1, api_limit=3, delay_hours=0, acting_user=more_officers["admin"]
    )
    client = client_of("regional")
    files_url = issue_codes(client, consultation)["Location"]  # five voters, no phones
    assert download_forms(client, files_url) == []
    assert ReadRequest.objects.get().member_count == 5


def test_the_requester_cannot_approve_their_own_request(client_of, registry):
    client = client_of("admin")
    _ask_dossier(client)
    request = ReadRequest.objects.get()
    answer = client.post(reverse("bulk_read_approve", args=[request.pk]), **EN, follow=True)
    assert "You asked for this read yourself" in answer.content.decode()
    request.refresh_from_db()
    assert request.state == "requested" and not ReadApproval.objects.exists()
    assert PreparedFile.objects.get().status == "awaiting"
    with pytest.raises(approvals.ApprovalError):
        approvals.do_refuse(request.pk, acting_user=request.requester)


@pytest.mark.parametrize("name", ["regional", "group", "auditor", "trustee", "nobody"])
def test_only_another_national_admin_may_approve_the_dossier(client_of, registry, name):
    _ask_dossier(client_of("admin"))
    request = ReadRequest.objects.get()
    client = client_of(name)
    answer = client.post(reverse("bulk_read_approve", args=[request.pk]), **EN)
    if answer.status_code == 302:
        page = client.get(answer["Location"], **EN).content.decode()
        assert "cannot approve or refuse it" in page
    else:
        assert answer.status_code == 403
    request.refresh_from_db()
    assert request.state == "requested" and not ReadApproval.objects.exists()


@pytest.mark.parametrize("name", ["farmers", "auditor", "trustee"])
def test_an_officer_who_cannot_read_those_members_cannot_approve_their_codes(
    client_of, consultation, more_officers, name
):
    issue_codes(client_of("regional"), consultation, phones="on")
    request = ReadRequest.objects.get()
    with pytest.raises(approvals.ApprovalError, match="does not let you read every member"):
        approvals.do_approve(request.pk, acting_user=more_officers[name])
    with pytest.raises(approvals.ApprovalError):
        approvals.do_refuse(request.pk, acting_user=more_officers[name])
    request.refresh_from_db()
    assert request.state == "requested" and not ReadApproval.objects.exists()
    assert request not in approvals.awaiting_decision_by(more_officers[name])


def test_a_coordinator_of_the_same_members_approves_and_the_file_is_made(
    client_of, consultation, more_officers
):
    requester = client_of("regional")
    files_url = issue_codes(requester, consultation, phones="on")["Location"]
    request = ReadRequest.objects.get()
    assert request in approvals.awaiting_decision_by(more_officers["regional2"])
    assert request in approvals.awaiting_decision_by(more_officers["group"])  # sees all five
    approver = client_of("regional2")
    assert f"No. {request.pk}" in approver.get(reverse("bulk_reads"), **EN).content.decode()
    answer = approver.post(reverse("bulk_read_approve", args=[request.pk]), **EN)
    assert answer.status_code == 302 and answer["Location"] == reverse("bulk_reads")
    request.refresh_from_db()
    assert request.state == "made"
    assert len(download_forms(requester, files_url)) == 2
    # The approver gets nothing: the files are the requester's alone.
    assert approver.get(files_url).status_code == 404


def test_m_approvals_make_the_dossier_once_and_it_downloads_once(
    client_of, registry, more_officers
):
    approvals.do_change_settings(
        approvals_needed=2, api_limit=50, delay_hours=0, acting_user=more_officers["admin2"]
    )
    requester = client_of("admin")
    files_url = _ask_dossier(requester)
    request = ReadRequest.objects.get()
    second = client_of("admin2")
    for _ in range(3):  # the same approval sent again (reload, double click) counts once
        second.post(reverse("bulk_read_approve", args=[request.pk]), **EN)
    request.refresh_from_db()
    assert request.state == "requested" and request.approvals.count() == 1
    assert download_forms(requester, files_url) == []
    assert not AuditEntry.objects.filter(action="dossier.export").exists()

    client_of("admin3").post(reverse("bulk_read_approve", args=[request.pk]), **EN)
    client_of("admin3").post(reverse("bulk_read_approve", args=[request.pk]), **EN)
    request.refresh_from_db()
    assert request.state == "made" and request.approvals.count() == 2
    assert AuditEntry.objects.filter(action="dossier.export").count() == 1  # made once

    (form,) = download_forms(requester, files_url)
    first = requester.post(form)
    assert first.status_code == 200 and first.content[:2] == b"PK"
    again = requester.post(form, **EN, follow=True)
    assert "no longer here" in again.content.decode()
    request.refresh_from_db()
    item = PreparedFile.objects.get(kind="dossier")
    assert request.state == "downloaded" and item.status == "downloaded" and item.content is None
    assert AuditEntry.objects.filter(action="dossier.export").count() == 1

    actions = list(
        AuditEntry.objects.filter(target_type="read_request", target_id=str(request.pk))
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [
        ("bulk_read.request", "admin"),
        ("bulk_read.approve", "admin2"),
        ("bulk_read.approve", "admin3"),
        ("bulk_read.download", "admin"),
    ]


def test_one_refusal_ends_the_request_and_drops_what_it_held(
    client_of, consultation, more_officers
):
    files_url = issue_codes(client_of("regional"), consultation, phones="on")["Location"]
    request = ReadRequest.objects.get()
    client_of("regional2").post(reverse("bulk_read_refuse", args=[request.pk]), **EN)
    request.refresh_from_db()
    assert request.state == "refused" and request.refused_by == more_officers["regional2"]
    held = PreparedFile.objects.filter(bundle=request.bundle)
    assert {(f.status, f.source, f.content) for f in held} == {("expired", None, None)}
    with pytest.raises(approvals.ApprovalError, match="no longer waiting"):
        approvals.do_approve(request.pk, acting_user=more_officers["admin"])
    assert download_forms(client_of("regional"), files_url) == []
    assert AuditEntry.objects.filter(action="bulk_read.refuse", actor="regional2").exists()


def test_trustees_are_told_of_every_open_request(client_of, registry, more_officers):
    _ask_dossier(client_of("admin"))
    request = ReadRequest.objects.get()
    trustee = client_of("trustee")
    page = trustee.get(reverse("bulk_reads"), **EN).content.decode()
    assert "Every open request" in page and f"<td>{request.pk}</td>" in page
    overview = trustee.get(reverse("dashboard"), **EN).content.decode()
    assert reverse("bulk_reads") in overview and '<span class="badge">1</span>' in overview
    # Told, not able to approve: a trustee reads no personal data by that role.
    assert "Approve</button>" not in page
    # Someone with no role is told nothing.
    assert client_of("nobody").get(reverse("bulk_reads")).status_code == 403
