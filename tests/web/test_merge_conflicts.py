"""A coordinator who enters someone else's IIN learns nothing they did not type.

The adversary: the coordinator of the workers' group (Almaty) enters the IIN of a
farmer (Karaganda Region, another group) by hand, by file, and then looks everywhere:
the member's page, the member list, the API, the codes' phone list.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kenes.audit import services as audit
from kenes.audit.models import AuditEntry
from kenes.registry.importing import do_import_members
from kenes.registry.models import ConflictState, Member, MergeConflict
from kenes.registry.rosters import groups_of_member, open_roster
from kenes.registry.services import phones_for_messages
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _form(p: list[str], group: int, region: str, **extra: str) -> dict[str, str]:
    values = {
        "group": str(group), "full_name": p[0], "birth_date": p[1], "iin": p[2], "phone": p[3],
        "region": region, "address": p[5], "consent_date": "01.03.2025",
        "consent_method": "signed_form", "status": "member",
    }  # fmt: skip
    values.update(extra)
    return values


def _farmers_secrets(farmer: Member) -> list[str]:
    """What the farmers' group stored about the farmer and the workers must never read
    (the group's membership is checked where groups are listed: `_groups_seen`)."""
    return [farmer.phone, farmer.address]


def _groups_seen(client: Client, member: Member) -> set[str]:
    """The groups of `member` that the pages and the API name to this client."""
    detail = client.get(reverse("member_detail", args=[member.pk]))
    listed = client.get(reverse("members"), {"q": member.iin})
    api = client.get(f"/api/v1/members/{member.pk}").json()
    on_list = {
        g.slug
        for m in listed.context["page"].object_list
        for g in groups_of_member(m.pk)
        if g.name in listed.content.decode().split("<tbody>")[1]
    }
    in_api = {g for m in client.get("/api/v1/members").json()["members"] for g in m["groups"]}
    return {g.slug for g in detail.context["groups"]} | set(api["groups"]) | on_list | in_api


def _everything_seen_by(client: Client, member: Member) -> str:
    """Every page and API answer the coordinator can get about this member, as text."""
    pages = [
        client.get(reverse("member_detail", args=[member.pk])),
        client.get(reverse("members")),
        client.get(reverse("members"), {"q": member.iin}),
        client.get(reverse("members"), {"group": groups_of_member(member.pk)[0].pk}),
        client.get(f"/api/v1/members/{member.pk}"),
        client.get("/api/v1/members"),
    ]
    return "\n".join(p.content.decode() for p in pages)


def test_a_known_iin_with_another_name_is_refused_as_a_conflict_and_shows_nothing(
    client_for, groups, registry
):
    farmer = registry["farmer"]
    before = (farmer.full_name, farmer.phone, farmer.address, farmer.region_code)
    coordinator = client_for("group")
    forged = person(10)[:]
    forged[0] = "Подставной Иван Иванович"
    response = coordinator.post(
        reverse("member_add"),
        _form(
            forged, groups["workers"].pk, "KZ-75", phone="+7 701 999 99 99", address="ул. Иная, 1"
        ),
        **EN,
    )
    assert response.status_code == 200
    with translation.override("en"):
        assert "already in the registry" in response.content.decode()
    page = response.content.decode()
    for secret in _farmers_secrets(farmer) + [farmer.full_name]:
        assert secret not in page
    farmer.refresh_from_db()
    assert (farmer.full_name, farmer.phone, farmer.address, farmer.region_code) == before
    assert farmer.pk not in open_roster(groups["workers"].pk).ids
    conflict = MergeConflict.objects.get()
    assert (conflict.member_id, conflict.group.pk, conflict.state) == (
        farmer.pk,
        groups["workers"].pk,
        ConflictState.OPEN,
    )
    assert set(conflict.differs.split(",")) == {"full_name", "region"}
    seen = _everything_seen_by(coordinator, farmer)
    for secret in _farmers_secrets(farmer) + [farmer.full_name]:
        assert secret not in seen
    assert coordinator.get(f"/api/v1/members/{farmer.pk}").status_code == 404
    assert coordinator.get(reverse("member_detail", args=[farmer.pk])).status_code == 403
    # The audit names the record and the fields that differ, never a value typed.
    entry = AuditEntry.objects.get(action="member.merge_conflict")
    assert "Подставной" not in str(entry.detail) and farmer.full_name not in str(entry.detail)


def test_a_matching_name_and_birth_date_joins_but_reveals_no_phone_address_or_other_group(
    client_for, groups, registry
):
    farmer = registry["farmer"]
    coordinator = client_for("group")
    p = person(10)
    response = coordinator.post(
        reverse("member_add"),
        _form(p, groups["workers"].pk, farmer.region_code, phone="", address=""),
        **EN,
    )
    assert response.status_code == 302
    roster = open_roster(groups["workers"].pk)
    assert farmer.pk in roster.ids and not roster.keeps_record(farmer.pk)
    seen = _everything_seen_by(coordinator, farmer)
    assert farmer.full_name in seen  # typed: the coordinator may see it
    for secret in _farmers_secrets(farmer):
        assert secret not in seen
    api = coordinator.get(f"/api/v1/members/{farmer.pk}").json()
    assert (api["phone"], api["address"], api["groups"]) == (None, None, ["workers"])
    assert _groups_seen(coordinator, farmer) == {"workers"}
    assert api["iin"] == p[2]
    assert phones_for_messages([farmer.pk], acting_user=_user("group"), purpose="t") == {}
    # The record is unchanged and its status cannot be changed from the joining group.
    response = coordinator.post(reverse("member_detail", args=[farmer.pk]), {"status": "left"})
    assert response.status_code == 403
    farmer.refresh_from_db()
    assert farmer.status == "member"


def test_a_joining_group_sees_the_phone_it_typed_and_not_the_stored_one(
    client_for, groups, registry
):
    farmer = registry["farmer"]
    coordinator = client_for("group")
    coordinator.post(
        reverse("member_add"),
        _form(
            person(10),
            groups["workers"].pk,
            farmer.region_code,
            phone="+7 701 555 44 33",
            address="ул. Иная, 1",
        ),
    )
    api = coordinator.get(f"/api/v1/members/{farmer.pk}").json()
    assert api["phone"] == "+77015554433"
    assert (
        farmer.phone
        not in coordinator.get(reverse("member_detail", args=[farmer.pk])).content.decode()
    )
    assert phones_for_messages([farmer.pk], acting_user=_user("group"), purpose="t") == {
        farmer.pk: "+77015554433"
    }


def test_an_imported_file_cannot_merge_a_known_iin_under_another_name(client_for, groups, registry):
    farmer = registry["farmer"]
    forged = person(10)[:]
    forged[0] = "Подставной Иван Иванович"
    honest = person(10, region="Карагандинская область")[:]
    honest[3], honest[5] = "", ""
    for row, conflicts in ((forged, 1), (honest, 0)):
        result = do_import_members(
            io.BytesIO(csv_bytes([row, person(300)])),
            filename="w.csv",
            group=groups["workers"],
            acting_user=_user("group"),
        )
        assert (result.imported + result.merged + result.unchanged, result.conflicts) == (
            2 - conflicts,
            conflicts,
        )
        seen = _everything_seen_by(client_for("group"), farmer)
        for secret in _farmers_secrets(farmer):
            assert secret not in seen
    assert MergeConflict.objects.get().entered_by == _user("group").get_username()


def test_the_admin_resolves_a_conflict_on_a_page_and_the_decision_is_audited(
    client_for, groups, registry
):
    farmer = registry["farmer"]
    forged = person(10)[:]
    forged[0] = "Тестов Ербол Серикович"
    client_for("group").post(
        reverse("member_add"), _form(forged, groups["workers"].pk, farmer.region_code)
    )
    conflict = MergeConflict.objects.get()
    assert client_for("group").get(reverse("member_conflicts")).status_code == 403
    assert client_for("regional").get(reverse("member_conflicts")).status_code == 403
    admin = client_for("admin")
    assert reverse("member_conflicts") in admin.get(reverse("members")).content.decode()
    page = admin.get(reverse("member_conflicts"), **EN).content.decode()
    assert farmer.full_name in page and "Тестов Ербол Серикович" in page
    assert AuditEntry.objects.filter(action="member.conflicts_view").exists()
    url = reverse("member_conflict_resolve", args=[conflict.pk])
    admin.post(url, {"resolution": "corrected"})
    farmer.refresh_from_db()
    assert farmer.full_name == "Тестов Ербол Серикович"
    assert farmer.pk in open_roster(groups["workers"].pk).ids
    conflict.refresh_from_db()
    assert (conflict.state, conflict.resolved_by) == (ConflictState.CORRECTED, _user("admin"))
    entry = AuditEntry.objects.get(action="member.conflict_resolve")
    assert entry.detail["resolution"] == "corrected"
    assert entry.target_id == audit.member_target(farmer.pk) != str(farmer.pk)
    assert "Тестов" not in str(entry.detail)
    # Deciding twice changes nothing.
    response = admin.post(url, {"resolution": "refused"}, follow=True, **EN)
    assert "already decided" in response.content.decode()
    assert AuditEntry.objects.filter(action="member.conflict_resolve").count() == 1


def test_a_refused_conflict_adds_nothing(client_for, groups, registry):
    farmer = registry["farmer"]
    forged = person(10)[:]
    forged[0] = "Подставной Иван Иванович"
    client_for("group").post(
        reverse("member_add"), _form(forged, groups["workers"].pk, farmer.region_code)
    )
    conflict = MergeConflict.objects.get()
    client_for("admin").post(
        reverse("member_conflict_resolve", args=[conflict.pk]), {"resolution": "refused"}
    )
    assert farmer.pk not in open_roster(groups["workers"].pk).ids
    assert client_for("group").get(f"/api/v1/members/{farmer.pk}").status_code == 404


def test_a_refused_look_up_outside_the_scope_is_audited_without_personal_data(client_for, registry):
    farmer = registry["farmer"]
    coordinator = client_for("group")
    assert coordinator.get(reverse("member_detail", args=[farmer.pk])).status_code == 403
    assert coordinator.get(f"/api/v1/members/{farmer.pk}").status_code == 404
    refusals = AuditEntry.objects.filter(action="scope.refused")
    assert refusals.count() == 2
    assert {e.target_id for e in refusals} == {audit.member_target(farmer.pk)}
    assert farmer.full_name not in str([e.detail for e in refusals])


def test_a_coordinator_does_not_learn_other_groups_of_their_own_members(client_for, registry):
    both = registry["both"]  # entered by the workers first, then by the farmers
    assert _groups_seen(client_for("group"), both) == {"workers"}
    assert _groups_seen(client_for("admin"), both) == {"workers", "farmers"}


def _user(name: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)
