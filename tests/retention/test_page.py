"""The retention page: the national admin reads and changes the rules (audited), auditors
read them, nobody else opens it; bad input is refused with a sentence and changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kenes.audit.models import AuditEntry
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member, MemberStatus
from kenes.retention import services
from kenes.retention.kinds import KINDS
from kenes.retention.models import RetentionRule
from tests.conftest import csv_bytes, person

PAGE = reverse("retention")


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _rules() -> list[tuple[str, int, bool]]:
    return list(RetentionRule.objects.order_by("kind").values_list("kind", "days", "enabled"))


def test_the_admin_sees_every_kind_its_rule_and_what_is_due_next(officers, groups):
    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(3)])),
        filename="m.csv",
        group=groups["workers"],
        acting_user="test",
    )
    Member.objects.filter(pk=Member.objects.order_by("pk")[0].pk).update(
        status=MemberStatus.LEFT, left_on=timezone.localdate() - datetime.timedelta(days=91)
    )
    with override("en"):
        page = _client(officers["admin"]).get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
        # the titles are lazy: read them in the page's language, not the site's (Russian)
        titles = [str(kind.title) for kind in KINDS]
    assert page.status_code == 200
    text = page.content.decode()
    assert all(titles)
    for kind, title in zip(KINDS, titles, strict=True):
        assert title in text
        assert reverse("retention_set", args=[kind.key]) in text
    assert "The audit log is never cleared" in text
    due = {row.kind.key: row.due_next for row, _ in page.context["rows"]}
    assert due["left_contacts"] == 1


def test_an_auditor_reads_the_page_without_forms_and_cannot_change_a_rule(officers):
    auditor = _client(officers["auditor"])
    page = auditor.get(PAGE)
    assert page.status_code == 200 and not page.context["editable"]
    assert b"retention/left_contacts/" not in page.content
    refused = auditor.post(reverse("retention_set", args=["left_contacts"]), {"days": "1"})
    assert refused.status_code == 403
    assert _rules() == []


@pytest.mark.parametrize("role", ["group", "regional", "trustee", "nobody"])
def test_other_officers_do_not_open_the_page(officers, role):
    if role == "trustee":
        from django.contrib.auth import get_user_model

        from kenes.registry.services import do_grant_role

        officers["trustee"] = get_user_model().objects.create_user("trustee", password="x" * 16)
        do_grant_role(officers["trustee"], "trustee", acting_user="test")
    client = _client(officers[role])
    assert client.get(PAGE).status_code == 403
    post = client.post(reverse("retention_set", args=["sessions"]), {"days": "5"})
    assert post.status_code == 403
    assert _rules() == []


def test_anonymous_visitors_are_sent_to_the_login(db):
    assert Client().get(PAGE).status_code == 302


def test_changing_a_rule_is_saved_and_audited_with_the_rule_before_and_after(officers):
    admin = _client(officers["admin"])
    answer = admin.post(
        reverse("retention_set", args=["left_contacts"]), {"days": "60", "enabled": "on"}
    )
    assert answer.status_code == 302
    assert _rules() == [("left_contacts", 60, True)]
    entry = AuditEntry.objects.filter(action="retention.rule").get()
    assert entry.actor == "admin" and entry.target_id == "left_contacts"
    assert entry.detail == {
        "old": {"days": 90, "enabled": True},
        "new": {"days": 60, "enabled": True},
    }
    admin.post(reverse("retention_set", args=["left_contacts"]), {"days": "60"})  # switched off
    assert _rules() == [("left_contacts", 60, False)]
    assert AuditEntry.objects.filter(action="retention.rule").count() == 2


@pytest.mark.parametrize(
    ("kind", "days", "says"),
    [
        ("left_contacts", "-1", "greater than or equal to 0"),
        ("left_contacts", "ninety", "whole number"),
        ("left_contacts", "", "Enter the number of days"),
        ("left_contacts", "3651", "less than or equal to 3650"),
        ("login_records", "0", "between 1 and 3650 days"),  # a lockout lasts 30 minutes
        ("audit_log", "30", "There is no kind of data"),
    ],
)
def test_bad_input_gets_a_sentence_and_changes_nothing(officers, kind, days, says):
    admin = _client(officers["admin"])
    entries = AuditEntry.objects.count()
    with override("en"):
        answer = admin.post(
            reverse("retention_set", args=[kind]),
            {"days": days, "enabled": "on"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    shown = " ".join(str(m) for m in answer.context["messages"])
    assert says in shown
    assert _rules() == []
    assert AuditEntry.objects.count() == entries


def test_the_page_shows_the_last_run_and_what_it_cleared(officers):
    services.do_apply(acting_user="test")
    page = _client(officers["admin"]).get(PAGE)
    rows = {row.kind.key: row for row, _ in page.context["rows"]}
    assert all(row.rule.last_run_at is not None for row in rows.values())
    assert rows["sessions"].rule.last_cleared == 0
