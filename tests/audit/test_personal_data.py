"""The audit log holds no personal data in the clear (issue 10, finding 7).

The adversary is the auditor (aggregates only) reading the audit page, or anyone holding a
copy of the database: officers search for a person by name and by IIN, on the pages and
through the API, upload a list named after a person, and change a member's name; then every
audit row, as stored and as the audit page shows it, is scanned for those texts.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kenes.audit import services as audit
from kenes.audit.models import AuditEntry
from kenes.ballots import services as ballots
from kenes.registry.models import Member
from kenes.registry.services import do_update_member
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FILE_NAME = "Жаксыбекова Айгерим 900101450123.csv"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _stored_details() -> str:
    """Every audit row's detail as the database holds it (raw text, not through the ORM)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT detail FROM audit_auditentry")
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def test_searches_uploads_and_changes_leave_only_fingerprints(registry, officers, groups):
    worker: Member = registry["worker"]
    name, iin = worker.full_name, worker.iin
    surname = name.split()[0]
    admin, group = _client(officers["admin"]), _client(officers["group"])

    assert admin.get(reverse("members"), {"q": name}, **EN).status_code == 200
    assert admin.get(reverse("members"), {"q": iin}, **EN).status_code == 200
    assert admin.get("/api/v1/members", {"q": surname}).status_code == 200
    election = ballots.do_create_election(
        "Workers council",
        cutoff_on=timezone.localdate(),
        group=groups["workers"],
        acting_user=officers["admin"],
    )
    page = group.get(reverse("election_detail", args=[election.pk]), {"q": surname}, **EN)
    assert page.status_code == 200
    upload = SimpleUploadedFile(FILE_NAME, csv_bytes([person(40)]), "text/csv")
    response = group.post(reverse("import"), {"group": groups["workers"].pk, "file": upload})
    assert response.status_code == 302
    do_update_member(worker, {"full_name": "Иванова Мария Петровна"}, acting_user=officers["admin"])

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"member.list", "members.upload", "member.update"} <= actions
    stored = _stored_details()
    shown = _client(officers["auditor"]).get(reverse("audit"), **EN).content.decode()
    for secret in (name, surname, surname.casefold(), iin, FILE_NAME, "Иванова", "900101450123"):
        assert secret not in stored, secret
        assert json.dumps(secret)[1:-1] not in stored, secret  # as JSON escapes it
        assert secret not in shown, secret
    assert stored.count("fp:") >= 6
    assert "fp:" in shown


def test_the_same_search_gives_the_same_fingerprint_whatever_the_case():
    assert audit.fingerprint_text("Иванов  Иван") == audit.fingerprint_text(" иванов иван")
    assert audit.fingerprint_text("Иванов") != audit.fingerprint_text("Петров")
    assert audit.fingerprint_text("Иванов").startswith("fp:")


def test_a_group_name_is_not_mistaken_for_personal_data(officers):
    from kenes.registry.services import do_add_group

    do_add_group("teachers", name="Учителя", acting_user=officers["admin"])
    entry = AuditEntry.objects.get(action="group.add", target_id="teachers")
    assert entry.detail["new"]["name"] == "Учителя"


def test_an_entry_written_in_the_clear_before_is_shown_as_a_fingerprint(officers):
    """Entries written before this fix keep their text (the chain must not change); the audit
    page still shows a fingerprint."""
    head = AuditEntry.objects.order_by("-id").first()
    old = AuditEntry(
        at=timezone.now().replace(microsecond=0),
        actor="admin",
        action="member.list",
        detail={"query": {"name": "Сейтказиева"}, "via": "api", "q": "Сейтказиева"},
        prev_hash=head.hash if head else audit.GENESIS,
    )
    old.hash = audit.entry_hash(old)
    old.save()
    shown = _client(officers["auditor"]).get(reverse("audit"), **EN).content.decode()
    assert "Сейтказиева" not in shown and audit.fingerprint_text("Сейтказиева") in shown
