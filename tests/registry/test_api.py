"""The API goes through the same scoping and audit as the pages."""

from __future__ import annotations

import io

import pytest

from kenes.audit import services as audit
from kenes.audit.models import AuditEntry
from kenes.registry.importing import do_import_members
from tests.conftest import csv_bytes, person
from tests.named import member_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(groups):
    do_import_members(
        io.BytesIO(csv_bytes([person(1), person(2, region="KZ-71")])),
        filename="w.csv",
        group=groups["workers"],
        acting_user="t",
    )
    do_import_members(
        io.BytesIO(csv_bytes([person(3, region="KZ-71")])),
        filename="f.csv",
        group=groups["farmers"],
        acting_user="t",
    )


def _client(client, user):
    client.force_login(user)
    return client


def test_anonymous_gets_401(client, seeded):
    assert client.get("/api/v1/members").status_code == 401


def test_group_coordinator_lists_only_their_group_and_the_look_is_audited(client, seeded, officers):
    response = _client(client, officers["group"]).get("/api/v1/members")
    assert response.status_code == 200
    names = {m["full_name"] for m in response.json()["members"]}
    assert names == {person(1)[0], person(2)[0]}
    assert AuditEntry.objects.filter(action="member.list", actor="group").count() == 1


def test_member_outside_the_scope_is_not_found(client, seeded, officers):
    farmer = member_named(person(3)[0])
    response = _client(client, officers["group"]).get(f"/api/v1/members/{farmer.pk}")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="member.view").exists()


def test_member_detail_decrypts_and_is_audited(client, seeded, officers):
    member = member_named(person(1)[0])
    response = _client(client, officers["admin"]).get(f"/api/v1/members/{member.pk}")
    assert response.json()["iin"] == person(1)[2]
    entry = AuditEntry.objects.get(action="member.view")
    assert entry.target_id == audit.member_target(member.pk) != str(member.pk)
    assert list(audit.entries_about_member(member.pk)) == [entry]


def test_auditor_gets_readiness_but_no_members(client, seeded, officers):
    c = _client(client, officers["auditor"])
    assert c.get("/api/v1/members").status_code == 403
    body = c.get("/api/v1/readiness?rules=kz-2020").json()
    assert body["total"] == 3 and body["rules"] == "kz-2020"


def test_openapi_schema_is_served_and_no_docs_page_loads_a_cdn(client, officers):
    c = _client(client, officers["admin"])
    assert c.get("/api/v1/openapi.json").status_code == 200
    assert c.get("/api/v1/docs").status_code == 404
