"""Adding one person by hand: the same checks, merge and audit as an imported row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kenes.audit.models import AuditEntry
from kenes.registry.models import Member
from kenes.registry.rosters import groups_of_member
from tests.conftest import person

pytestmark = pytest.mark.django_db


def _form(p: list[str], **extra: str) -> dict[str, str]:
    values = {
        "group": "", "full_name": p[0], "birth_date": p[1], "iin": p[2], "phone": p[3],
        "region": "KZ-75", "address": p[5], "consent_date": "01.03.2025",
        "consent_method": "signed_form", "status": "member",
    }  # fmt: skip
    values.update(extra)
    return values


def test_a_coordinator_adds_a_person_to_their_group(client_for, groups):
    p = person(40)
    response = client_for("group").post(
        reverse("member_add"), _form(p, group=str(groups["workers"].pk))
    )
    member = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("member_detail", args=[member.pk])
    assert (member.iin, member.consent_method) == (p[2], "signed_form")
    assert [g.slug for g in groups_of_member(member.pk)] == ["workers"]
    assert AuditEntry.objects.filter(action="members.import", target_id="workers").exists()


def test_a_defective_entry_shows_each_defect_by_its_field_and_writes_nothing(client_for, groups):
    p = person(41)
    bad_iin = p[2][:-1] + str((int(p[2][-1]) + 1) % 10)
    response = client_for("admin").post(
        reverse("member_add"),
        _form(p, group=str(groups["workers"].pk), iin=bad_iin, phone="+7 495 123 45 67"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"iin", "phone"}
    assert Member.objects.count() == 0


def test_a_person_already_in_the_registry_joins_the_group_once(client_for, groups):
    p = person(42)
    client = client_for("admin")
    client.post(reverse("member_add"), _form(p, group=str(groups["workers"].pk)))
    client.post(reverse("member_add"), _form(p, group=str(groups["farmers"].pk)))
    member = Member.objects.get()
    assert {g.slug for g in groups_of_member(member.pk)} == {"workers", "farmers"}


def test_a_group_coordinator_cannot_add_to_another_group(client_for, groups):
    response = client_for("group").post(
        reverse("member_add"), _form(person(43), group=str(groups["farmers"].pk))
    )
    assert response.status_code == 200
    assert "group" in response.context["form"].errors
    assert Member.objects.count() == 0
