"""Readiness (aggregates for every role, names only within scope), groups, the audit log."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kenes.audit.models import AuditEntry
from kenes.registry.models import ConstituentGroup
from tests.conftest import person
from tests.web.handout import downloads

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_readiness_shows_totals_regions_chart_and_defects(client_for, registry):
    response = client_for("auditor").get(reverse("readiness"), {"rules": "kz-2022"}, **EN)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.rule.id, result.total) == ("kz-2022", 9)
    html = response.content.decode()
    almaty = next(r for r in result.regions if r.code == "KZ-75")
    assert almaty.members == 5
    assert re.search(r"Almaty</th>\s*<td class=\"num\">5</td>", html)
    # the chart: one bar per region, each with a <title>, and the threshold line
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<g>") == len(result.regions)
    assert svg.count("<title") == len(result.regions) + 1
    assert 'class="threshold"' in svg and "bar-short" in svg
    assert "No recorded consent" in html
    assert "9 more members" not in html  # numbers come from the service, not re-computed


def test_auditor_sees_counts_but_no_member_names(client_for, registry):
    html = client_for("auditor").get(reverse("readiness"), **EN).content.decode()
    assert registry["worker"].full_name not in html
    assert reverse("readiness_dossier") not in html


def test_affected_member_names_are_limited_to_the_users_scope(client_for, registry):
    html = client_for("group").get(reverse("readiness"), **EN).content.decode()
    assert registry["worker"].full_name in html
    assert reverse("member_detail", args=[registry["worker"].pk]) in html
    assert registry["farmer"].full_name not in html
    entry = AuditEntry.objects.filter(action="member.list").last()
    assert entry.detail["query"]["readiness"] == "kz-2022"
    assert entry.detail["count"] == 5


def test_unknown_rules_fall_back_to_the_newest_with_a_warning(client_for, registry):
    response = client_for("admin").get(reverse("readiness"), {"rules": "kz-1990"}, **EN)
    assert response.status_code == 200
    assert response.context["rule"].id == "kz-2022"
    assert "There are no registration rules" in response.content.decode()


def test_admin_exports_the_dossier_and_the_export_is_audited(client_for, registry):
    client = client_for("admin")
    assert reverse("readiness_dossier") in client.get(reverse("readiness")).content.decode()
    asked = client.post(reverse("readiness_dossier"), {"rules": "kz-2009"})
    response = downloads(client, asked)["xlsx"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = sum(sheet.max_row - 2 for sheet in book.worksheets)  # the watermark, the header
    assert rows == 9
    assert AuditEntry.objects.filter(action="dossier.export", target_id="kz-2009").exists()


def test_only_admins_may_export_the_dossier(client_for, registry):
    for role in ("group", "regional", "auditor", "nobody"):
        assert client_for(role).get(reverse("readiness_dossier")).status_code == 403, role
        assert client_for(role).post(reverse("readiness_dossier")).status_code == 403, role


def test_groups_list_and_detail_show_counts_and_coordinators(client_for, registry, officers):
    client = client_for("auditor")
    listing = client.get(reverse("groups"), **EN)
    counts = {group.slug: n for group, n in listing.context["groups"]}
    assert counts == {"workers": 5, "farmers": 5, "traders": 0}
    detail = client.get(reverse("group_detail", args=["workers"]), **EN)
    assert officers["group"].username in detail.content.decode()
    assert "page" not in detail.context  # auditors get no member list


def test_group_detail_lists_members_only_through_scope(client_for, registry):
    farmers_for_worker_coordinator = client_for("group").get(
        reverse("group_detail", args=["farmers"])
    )
    names = {m.full_name for m in farmers_for_worker_coordinator.context["page"].object_list}
    # Not even the farmer who is also a worker: that they joined the farmers is not the
    # workers' coordinator's to know (docs/security.md, "Merging").
    assert names == set()
    assert AuditEntry.objects.filter(action="member.list", target_id="farmers").exists()


def test_admin_adds_a_group_and_others_may_not(client_for):
    client = client_for("admin")
    response = client.post(
        reverse("group_add"),
        {
            "slug": "squatters",
            "name": "Шанырак",
            "concern": "Жильё на окраине Алматы",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("group_detail", args=["squatters"])
    assert ConstituentGroup.objects.filter(slug="squatters", name="Шанырак").exists()
    assert AuditEntry.objects.filter(action="group.add", target_id="squatters").exists()
    duplicate = client.post(reverse("group_add"), {"slug": "squatters", "name": "x"}, **EN)
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.content.decode()
    assert client_for("group").get(reverse("group_add")).status_code == 403
    assert (
        client_for("group").post(reverse("group_add"), {"slug": "x", "name": "x"}).status_code
        == 403
    )


def test_audit_log_lists_entries_and_the_chain_status(client_for, registry):
    response = client_for("auditor").get(reverse("audit"), **EN)
    assert response.status_code == 200
    assert response.context["chain"].intact
    assert "The chain is intact" in response.content.decode()
    entries = response.context["page"].object_list
    assert entries[0].pk > entries[len(entries) - 1].pk  # newest first
    filtered = client_for("auditor").get(reverse("audit"), {"action": "group.add"})
    assert {e.action for e in filtered.context["page"].object_list} == {"group.add"}


def test_audit_log_is_refused_to_coordinators(client_for):
    assert client_for("group").get(reverse("audit")).status_code == 403
    assert client_for("regional").get(reverse("audit")).status_code == 403


def test_the_dashboard_shows_good_standing_per_group_and_my_imports(
    client_for, registry, groups, officers
):
    from kenes.registry.batches import do_upload
    from tests.conftest import csv_bytes

    do_upload(
        csv_bytes([person(1)]),
        filename="mine.csv",
        group=groups["workers"],
        strict=False,
        acting_user=officers["group"],
    )
    response = client_for("group").get(reverse("dashboard"), **EN)
    assert response.context["readiness"].total == 9
    assert dict((g.slug, n) for g, n in response.context["groups"])["workers"] == 5
    assert "mine.csv" in response.content.decode()
    assert "mine.csv" not in client_for("admin").get(reverse("dashboard")).content.decode()
