"""Members pages: scoped through kenes.registry.scoping, every look audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kenes.audit import services as audit
from kenes.audit.models import AuditEntry
from kenes.audit.services import fingerprint_text
from kenes.registry.models import Member
from tests.conftest import person

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _names(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.full_name for m in response.context["page"].object_list}


def test_admin_sees_every_member_once(client_for, registry):
    response = client_for("admin").get(reverse("members"))
    assert response.status_code == 200
    assert _names(response) == set(Member.objects.values_list("full_name", flat=True))
    assert response.context["page"].paginator.count == Member.objects.count() == 9


def test_group_coordinator_sees_only_their_groups_members(client_for, registry):
    response = client_for("group").get(reverse("members"))
    assert response.status_code == 200
    assert _names(response) == {person(n)[0] for n in range(1, 6)}
    assert registry["farmer"].full_name not in response.content.decode()


def test_regional_coordinator_sees_only_their_regions_members(client_for, registry):
    response = client_for("regional").get(reverse("members"))
    assert _names(response) == {person(n)[0] for n in range(1, 6)}  # all Almaty city


def test_the_list_shows_no_iin_phone_or_address(client_for, registry):
    html = client_for("admin").get(reverse("members")).content.decode()
    member = Member.objects.get(pk=registry["worker"].pk)
    assert member.full_name in html
    for secret in (member.iin, member.phone, member.address):
        assert secret and secret not in html


def test_group_coordinator_gets_403_on_another_groups_member(client_for, registry):
    client = client_for("group")
    assert client.get(reverse("member_detail", args=[registry["farmer"].pk])).status_code == 403
    assert client.get(reverse("member_detail", args=[registry["worker"].pk])).status_code == 200
    assert client.get(reverse("member_detail", args=[registry["both"].pk])).status_code == 200
    assert client.get(reverse("member_detail", args=[999_999])).status_code == 403


def test_auditor_gets_403_on_members_but_sees_readiness_and_the_audit_log(client_for, registry):
    client = client_for("auditor")
    assert client.get(reverse("members")).status_code == 403
    assert client.get(reverse("member_detail", args=[registry["worker"].pk])).status_code == 403
    assert client.get(reverse("readiness")).status_code == 200
    assert client.get(reverse("audit")).status_code == 200
    group_page = client.get(reverse("group_detail", args=["workers"])).content.decode()
    assert registry["worker"].full_name not in group_page


def test_each_member_list_page_view_writes_one_audit_entry(client_for, registry, officers):
    client = client_for("group")
    before = AuditEntry.objects.filter(action="member.list").count()
    client.get(reverse("members"), {"q": "Тестов", "page": 1})
    entries = AuditEntry.objects.filter(action="member.list").order_by("id")
    assert entries.count() == before + 1
    entry = entries.last()
    assert entry.actor == officers["group"].username
    # the name searched for is a keyed fingerprint, never the text (issue 10, finding 7)
    query = {"name": fingerprint_text("Тестов")}
    assert entry.detail == {"query": query, "page": 1, "count": 5, "total": 5}


def test_member_detail_is_audited_and_shows_the_decrypted_fields(client_for, registry, officers):
    member = Member.objects.get(pk=registry["worker"].pk)
    response = client_for("admin").get(reverse("member_detail", args=[member.pk]))
    html = response.content.decode()
    assert member.iin in html and member.phone in html and member.address in html
    entry = AuditEntry.objects.filter(action="member.view").last()
    assert (entry.actor, entry.target_type) == ("admin", "member")
    assert entry.target_id == audit.member_target(member.pk) != str(member.pk)


def test_search_by_iin_finds_the_member_and_keeps_the_iin_out_of_the_audit_log(
    client_for, registry
):
    member = Member.objects.get(pk=registry["farmer"].pk)
    spaced = f"{member.iin[:6]} {member.iin[6:]}"
    response = client_for("admin").get(reverse("members"), {"q": spaced})
    assert _names(response) == {member.full_name}
    entry = AuditEntry.objects.filter(action="member.list").last()
    assert entry.detail["query"]["iin"].startswith("fp:")
    assert member.iin not in str(entry.detail)


def test_a_coordinator_cannot_find_an_outside_member_by_iin(client_for, registry):
    member = Member.objects.get(pk=registry["farmer"].pk)
    response = client_for("group").get(reverse("members"), {"q": member.iin})
    assert _names(response) == set()


def test_filters_by_region_status_and_group(client_for, registry):
    client = client_for("admin")
    karaganda = client.get(reverse("members"), {"region": "KZ-35"})
    assert _names(karaganda) == {person(n)[0] for n in range(10, 14)}
    farmers = client.get(reverse("members"), {"group": "farmers"})
    assert _names(farmers) == {person(n)[0] for n in [5, 10, 11, 12, 13]}
    assert _names(client.get(reverse("members"), {"status": "left"})) == set()


def test_the_list_is_paged_by_fifty(client_for, groups):
    import io

    from kenes.registry.importing import do_import_members
    from tests.conftest import csv_bytes

    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(120)])),
        filename="x.csv",
        group=groups["workers"],
        acting_user="test",
    )
    client = client_for("admin")
    first = client.get(reverse("members"))
    assert len(first.context["page"].object_list) == 50
    last = client.get(reverse("members"), {"page": 3})
    assert len(last.context["page"].object_list) == 20
    assert AuditEntry.objects.filter(action="member.list").last().detail["page"] == 3


def test_status_change_goes_through_the_service_and_is_audited(client_for, registry):
    member = registry["worker"]
    client = client_for("group")
    response = client.post(reverse("member_detail", args=[member.pk]), {"status": "suspended"})
    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).status == "suspended"
    entry = AuditEntry.objects.filter(action="member.update").last()
    assert entry.detail == {"old": {"status": "member"}, "new": {"status": "suspended"}}


def test_status_change_outside_scope_is_refused(client_for, registry):
    member = registry["farmer"]
    response = client_for("group").post(
        reverse("member_detail", args=[member.pk]), {"status": "left"}
    )
    assert response.status_code == 403
    assert Member.objects.get(pk=member.pk).status == "member"


def test_members_with_a_readiness_defect_are_listed_within_scope(client_for, registry):
    # The test lists carry no consent column: every member lacks recorded consent.
    admin = client_for("admin").get(
        reverse("members"), {"defect": "consent_missing", "rules": "kz-2022"}
    )
    assert admin.context["page"].paginator.count == 9
    coordinator = client_for("group").get(
        reverse("members"), {"defect": "consent_missing", "rules": "kz-2022"}
    )
    assert _names(coordinator) == {person(n)[0] for n in range(1, 6)}
    none = client_for("admin").get(reverse("members"), {"defect": "underage"})
    assert none.context["page"].paginator.count == 0


def test_an_invalid_filter_lists_nobody_and_says_what_is_wrong(client_for, registry):
    response = client_for("admin").get(
        reverse("members"), {"region": "KZ-XX"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "Select a valid choice" in response.content.decode()
