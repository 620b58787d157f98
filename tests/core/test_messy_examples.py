"""The sample lists in docs/examples show every defect code (see their README)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kenes.core.roster import DEFECT_CODES, check_file

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize("name", ["messy-members.csv", "messy-members.xlsx"])
def test_messy_example_shows_every_defect_code(name: str) -> None:
    report = check_file(EXAMPLES / name, reference_date=date(2025, 6, 1))
    assert {defect.code for defect in report.defects} == set(DEFECT_CODES)
    assert (report.rows, report.valid, report.invalid) == (29, 15, 14)
    assert len(report.defects) == 18
    assert len(report.ignored_columns) == 1


@pytest.mark.parametrize("name", ["messy-members.csv", "messy-members.xlsx"])
def test_messy_example_keeps_its_defects_when_checked_today(name: str) -> None:
    report = check_file(EXAMPLES / name)
    assert {defect.code for defect in report.defects} == set(DEFECT_CODES)


def test_both_messy_examples_report_the_same_rows() -> None:
    csv_report = check_file(EXAMPLES / "messy-members.csv", reference_date=date(2025, 6, 1))
    xlsx_report = check_file(EXAMPLES / "messy-members.xlsx", reference_date=date(2025, 6, 1))
    assert [(d.row, d.code) for d in csv_report.defects] == [
        (d.row, d.code) for d in xlsx_report.defects
    ]
