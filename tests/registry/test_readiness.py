"""Readiness counts members in good standing once each, per region of the chosen period."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from kenes.audit.models import AuditEntry
from kenes.core.rules import load_jurisdiction
from kenes.registry.dossier import export_dossier
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member
from kenes.registry.readiness import compute_readiness
from tests.conftest import HEADER, csv_bytes, person

pytestmark = pytest.mark.django_db


def _import(rows, group, header=HEADER):
    do_import_members(
        io.BytesIO(csv_bytes(rows, header)), filename="x.csv", group=group, acting_user="test"
    )


def test_a_person_in_two_groups_counts_once(groups):
    _import([person(1), person(2)], groups["workers"])
    _import([person(2)], groups["farmers"])
    assert compute_readiness("kz-2022").total == 2


def test_each_current_region_counts_for_its_period_unit(groups):
    _import(
        [person(1, region="область Абай"), person(2, region="Восточно-Казахстанская область")],
        groups["workers"],
    )
    old = compute_readiness("kz-2009")
    new = compute_readiness("kz-2022")
    east_old = next(r for r in old.regions if r.code == "KZ-63")
    assert east_old.members == 2
    assert {r.code: r.members for r in new.regions}["KZ-10"] == 1
    assert len(new.regions) == 20


def test_thresholds_come_from_the_chosen_period(groups):
    rules = load_jurisdiction("kz")
    for rule_id in ("kz-2002", "kz-2009", "kz-2020", "kz-2022"):
        result = compute_readiness(rule_id)
        rule = rules.registration_rule(rule_id)
        assert result.required_total == rule.min_members
        assert all(r.required == rule.min_per_region for r in result.regions)
        assert all(r.shortfall == rule.min_per_region for r in result.regions)
        assert not result.ready


def test_members_who_joined_after_the_reference_date_are_not_counted(groups):
    _import([person(1)], groups["workers"])
    assert compute_readiness(on=datetime.date.today() - datetime.timedelta(days=1)).total == 0


def test_applicants_and_suspended_members_are_not_counted(groups):
    _import(
        [person(1) + ["заявитель"], person(2) + ["suspended"], person(3) + ["member"]],
        groups["workers"],
        header=HEADER + ["status"],
    )
    result = compute_readiness()
    assert result.total == 1
    assert result.not_in_good_standing == {"applicant": 1, "suspended": 1}


def test_members_without_consent_are_at_risk(groups):
    header = HEADER + ["Дата согласия"]
    _import([person(1) + ["01.02.2025"], person(2) + [""]], groups["workers"], header=header)
    result = compute_readiness()
    assert result.defect_counts["consent_missing"] == 1
    almaty = next(r for r in result.regions if r.code == "KZ-75")
    assert (almaty.members, almaty.at_risk) == (2, 1)
    assert almaty.shortfall_if_struck == almaty.required - 1


def test_a_member_who_turns_out_underage_on_the_reference_date_is_flagged(groups):
    _import([person(1)], groups["workers"])
    Member.objects.update(birth_date=datetime.date(2015, 1, 1))
    result = compute_readiness()
    assert result.defect_counts["underage"] == 1
    assert result.defect_counts["iin_birthdate_mismatch"] == 1


def test_readiness_command_prints_the_documented_json(groups, capsys):
    _import([person(1), person(2, region="KZ-71")], groups["workers"])
    call_command("readiness", "--rules", "kz-2020", "--json")
    out = json.loads(capsys.readouterr().out)
    assert {"rules", "total", "required_total", "ready", "regions"} <= set(out)
    assert out["rules"] == "kz-2020" and out["total"] == 2 and out["required_total"] == 20000
    region = out["regions"][0]
    assert {"code", "name", "members", "required", "shortfall"} <= set(region)
    assert len(out["regions"]) == 17


def test_dossier_has_one_sheet_per_region_and_is_audited(groups, officers):
    _import([person(1), person(2, region="KZ-71")], groups["workers"])
    content = export_dossier(acting_user=officers["admin"], rule_id="kz-2022")
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert len(book.sheetnames) == 20
    rows = [r for ws in book.worksheets for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(r[3] for r in rows) == sorted([person(1)[2], person(2)[2]])
    entry = AuditEntry.objects.get(action="dossier.export")
    assert entry.actor == "admin" and entry.detail["members"] == 2
