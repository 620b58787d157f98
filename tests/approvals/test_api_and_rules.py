"""The API gives at most N members per query without approval, and the national admin
sets m, N and the delay on a page (issue 12).

A query matching more than N members is a 403 with a sentence that points to the
requests page (the limit counts the whole list, not one page: paging is reading); under
N it answers as before. Bad numbers get a sentence and change nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kenes.audit.models import AuditEntry
from kenes.registry import approvals
from kenes.registry.models import BulkReadSettings
from tests.approvals.conftest import EN

pytestmark = pytest.mark.django_db


def _limit(n, admin):  # type: ignore[no-untyped-def]
    approvals.do_change_settings(approvals_needed=1, api_limit=n, delay_hours=0, acting_user=admin)


def test_a_list_longer_than_the_limit_is_refused_with_a_pointer_to_the_requests_page(
    client_of, registry, more_officers
):
    _limit(3, more_officers["admin2"])
    client = client_of("admin")
    refused = client.get("/api/v1/members")
    assert refused.status_code == 403
    sentence = refused.json()["detail"]
    assert "matches 9 members, more than the 3" in sentence
    assert reverse("bulk_reads") in sentence
    assert "members" not in {k for k in refused.json() if k != "detail"}
    for page in ("1", "2", "3"):  # paging through the list is reading it
        assert client.get("/api/v1/members", {"page": page}).status_code == 403
    entry = AuditEntry.objects.filter(action="bulk_read.api_refused").last()
    assert entry.actor == "admin" and entry.detail == {"count": 9, "api_limit": 3}
    assert not AuditEntry.objects.filter(action="member.list").exists()


def test_a_list_within_the_limit_is_answered(client_of, registry, more_officers):
    client = client_of("admin")
    whole = client.get("/api/v1/members")  # 9 members, the default limit is 50
    assert whole.status_code == 200 and whole.json()["count"] == 9
    _limit(5, more_officers["admin2"])
    narrowed = client.get("/api/v1/members", {"region": "KZ-75"})  # exactly 5
    assert narrowed.status_code == 200 and len(narrowed.json()["members"]) == 5
    assert client_of("group").get("/api/v1/members").json()["count"] == 5  # their scope


def test_the_national_admin_sets_the_numbers_on_a_page(client_of, more_officers):
    client = client_of("admin")
    page = client.get(reverse("bulk_read_settings"), **EN)
    assert page.status_code == 200 and 'value="1"' in page.content.decode()
    saved = client.post(
        reverse("bulk_read_settings"),
        {
            "approvals_needed": "2",
            "api_limit": "20",
            "delay_hours": "6",
            "screen_rows_per_day": "80",
        },
        **EN,
    )
    assert saved.status_code == 302 and saved["Location"] == reverse("bulk_read_settings")
    rules = BulkReadSettings.objects.get()
    assert (rules.approvals_needed, rules.api_limit, rules.delay_hours) == (2, 20, 6)
    assert rules.screen_rows_per_day == 80
    entry = AuditEntry.objects.get(action="bulk_read.settings")
    assert entry.detail["old"] == {
        "approvals": 1,
        "api_limit": 50,
        "delay_hours": 0,
        "screen_rows_per_day": 500,
    }
    assert entry.detail["new"] == {
        "approvals": 2,
        "api_limit": 20,
        "delay_hours": 6,
        "screen_rows_per_day": 80,
    }


@pytest.mark.parametrize(
    "posted",
    [
        {
            "approvals_needed": "0",
            "api_limit": "50",
            "delay_hours": "0",
            "screen_rows_per_day": "500",
        },
        {
            "approvals_needed": "1",
            "api_limit": "-1",
            "delay_hours": "0",
            "screen_rows_per_day": "500",
        },
        {
            "approvals_needed": "1",
            "api_limit": "50",
            "delay_hours": "9999",
            "screen_rows_per_day": "500",
        },
        {
            "approvals_needed": "x",
            "api_limit": "50",
            "delay_hours": "0",
            "screen_rows_per_day": "500",
        },
    ],
)
def test_bad_numbers_are_refused_and_nothing_changes(client_of, more_officers, posted):
    answer = client_of("admin").post(reverse("bulk_read_settings"), posted, **EN)
    assert answer.status_code == 200 and 'role="alert"' in answer.content.decode()
    assert not BulkReadSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="bulk_read.settings").exists()
    with pytest.raises(ValueError, match="no one may read the registry alone"):
        approvals.do_change_settings(
            approvals_needed=0, api_limit=50, delay_hours=0, acting_user=more_officers["admin"]
        )


@pytest.mark.parametrize("name", ["regional", "group", "auditor", "trustee", "nobody"])
def test_only_the_national_admin_may_change_the_numbers(client_of, name):
    client = client_of(name)
    assert client.get(reverse("bulk_read_settings")).status_code == 403
    posted = {"approvals_needed": "1", "api_limit": "100000", "delay_hours": "0"}
    assert client.post(reverse("bulk_read_settings"), posted).status_code == 403
    assert not BulkReadSettings.objects.exists()


def test_the_audit_log_names_every_step_in_words(client_of, registry, more_officers):
    client_of("admin").post(reverse("readiness_dossier"), {"rules": "kz-2009"})
    page = client_of("admin").get(reverse("audit"), **EN).content.decode()
    assert "Bulk read of personal data asked for" in page
    assert ">bulk_read.request<" not in page  # a label, never the code
