"""Importing member lists: all valid rows in one transaction, idempotent, people counted once."""

from __future__ import annotations

import datetime

import pytest

from kenes.audit.models import AuditEntry
from kenes.core.roster import UnreadableFile
from kenes.registry.importing import StrictImportRefused, do_import_members
from kenes.registry.models import Member
from kenes.registry.rosters import groups_of_member, member_ids_of, membership_count
from tests.conftest import person
from tests.named import member_named

pytestmark = pytest.mark.django_db


def _import(path, group, **kw):
    with open(path, "rb") as fh:
        return do_import_members(fh, filename=path.name, group=group, acting_user="test", **kw)


def test_valid_rows_become_members_in_good_standing(member_csv, groups):
    path = member_csv([person(n) for n in range(5)])
    result = _import(path, groups["workers"])
    assert (result.rows, result.imported, result.merged, result.rejected) == (5, 5, 0, 0)
    assert Member.objects.filter(status="member").count() == 5
    assert len(member_ids_of(groups["workers"].pk)) == 5


def test_invalid_rows_are_reported_and_the_valid_ones_imported(member_csv, groups):
    bad = person(99)
    bad[2] = bad[2][:-1] + str((int(bad[2][-1]) + 1) % 10)  # wrong check digit
    path = member_csv([person(1), bad, person(2)])
    result = _import(path, groups["workers"])
    assert (result.imported, result.rejected) == (2, 1)
    assert [(d.row, d.code) for d in result.defects] == [(3, "iin_invalid")]
    assert Member.objects.count() == 2


def test_strict_import_with_one_invalid_row_writes_nothing(member_csv, groups):
    bad = person(99)
    bad[4] = "Атлантида"
    path = member_csv([person(1), person(2), bad])
    with pytest.raises(StrictImportRefused) as caught:
        _import(path, groups["workers"], strict=True)
    assert caught.value.result.rejected == 1
    assert Member.objects.count() == 0
    assert not AuditEntry.objects.filter(action="members.import").exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(member_csv, groups):
    path = member_csv([person(n) for n in range(4)])
    _import(path, groups["workers"])
    entries = Member.objects.count(), membership_count()
    second = _import(path, groups["workers"])
    assert (second.imported, second.merged, second.unchanged) == (0, 0, 4)
    assert (Member.objects.count(), membership_count()) == entries


def test_a_person_in_two_groups_is_one_member_with_two_memberships(member_csv, groups):
    _import(member_csv([person(1), person(2)]), groups["workers"])
    result = _import(member_csv([person(2), person(3)]), groups["farmers"])
    assert (result.imported, result.merged) == (1, 1)
    assert Member.objects.count() == 3
    both = member_named(person(2)[0])
    assert {g.slug for g in groups_of_member(both.pk)} == {"workers", "farmers"}


def test_unreadable_file_changes_nothing(tmp_path, groups):
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"%PDF-1.4 not a spreadsheet at all")
    with pytest.raises(UnreadableFile):
        _import(path, groups["workers"])
    assert Member.objects.count() == 0
    assert not AuditEntry.objects.filter(action="members.import").exists()


def test_import_writes_one_audit_entry_with_counts_not_member_ids(member_csv, groups):
    _import(member_csv([person(1), person(2)]), groups["workers"])
    entry = AuditEntry.objects.get(action="members.import")
    assert entry.detail["imported"] == 2
    # Member ids beside the group's slug would say who is in the group.
    assert "created_member_ids" not in entry.detail
    assert "merged_member_ids" not in entry.detail
    assert entry.target_id == "workers"


def test_status_column_overrides_good_standing(tmp_path, groups):
    from tests.conftest import HEADER, write_csv

    rows = [person(1) + ["заявитель"], person(2) + ["member"]]
    path = write_csv(tmp_path / "s.csv", rows, header=HEADER + ["Статус"])
    _import(path, groups["workers"])
    assert sorted(Member.objects.values_list("status", flat=True)) == ["applicant", "member"]


def test_underage_person_is_rejected_on_the_reference_date(member_csv, groups):
    young = person(5, born=datetime.date(2010, 5, 5))
    result = _import(
        member_csv([young]), groups["workers"], reference_date=datetime.date(2026, 1, 1)
    )
    assert [d.code for d in result.defects] == ["underage"]
    assert Member.objects.count() == 0
