"""Checking member rows for every defect a registration examiner could cite.

Rule: Law "On Political Parties" (member list of a party applying for
registration); the grounds examiners used to strike names are listed in
/work/shared/data/kz/party-registration.json ("refusals"): dead people, minors,
people listed without their knowledge, identity mismatches. Each row is
checked completely, so that a coordinator fixes everything in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple

from kenes.core.iin import InvalidIIN, ParsedIIN, Sex, parse_iin
from kenes.core.roster.cells import (
    Cell,
    Status,
    cell_text,
    collapse_spaces,
    iin_text,
    normalise_phone,
    parse_consent_method,
    parse_date,
    parse_status,
)
from kenes.core.roster.headers import NAME_FIELDS
from kenes.core.roster.reader import MemberTable
from kenes.core.rules import Jurisdiction, RegistrationRule

# Stable codes: the web layer translates by code, scripts match on it.
DEFECT_CODES: Mapping[str, str] = MappingProxyType(
    {
        "missing_field": "a required value (full name, IIN or region) is empty",
        "name_invalid": "the name contains digits or symbols, or has no surname",
        "iin_invalid": "the IIN is not 12 digits, has an impossible date or century digit, "
        "or fails the check digit",
        "iin_birthdate_mismatch": "the birth date (or the century in the IIN's 7th digit) "
        "disagrees with the birth date column",
        "duplicate_in_file": "the same IIN appears in an earlier row",
        "date_invalid": "a birth, consent or joining date cannot be read",
        "birth_date_future": "the birth date is after the reference date",
        "underage": "younger than the rule's minimum age on the reference date",
        "implausible_age": "older than the plausible maximum age (examiners cite dead people)",
        "unknown_region": "the region is not one of the jurisdiction's regions",
        "phone_invalid": "the phone number is not a valid number of the jurisdiction",
        "status_invalid": "the membership status is not applicant, member, suspended or left",
    }
)

# Not a law: older than this, the person is almost certainly dead or the date
# is wrong; the Alga! refusals (2006) cited dead people on the list.
IMPLAUSIBLE_AGE = 110

_NAME_FORBIDDEN = re.compile(r"[0-9_@#$%^&*=+<>/\\|{}\[\]~?!;:\"]")


@dataclass(frozen=True, slots=True)
class Defect:
    """One problem in one row; `value` is the offending cell as text."""

    row: int
    field: str
    code: str
    message: str
    value: str


class MemberRow(NamedTuple):
    """A valid row with its values normalised (a NamedTuple: cheap for 100,000 rows)."""

    full_name: str
    birth_date: date
    iin: str
    sex: Sex
    phone: str | None
    region_code: str
    address: str | None
    status: Status
    consent_date: date | None
    consent_method: str | None
    joined: date | None


class CheckedRow(NamedTuple):
    """A checked row: `member` is set exactly when there are no defects."""

    row: int
    member: MemberRow | None
    defects: tuple[Defect, ...]


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on `day`; the birthday itself counts (18 on the 18th birthday).

    Someone born on 29 February comes of age on 1 March in common years.
    """
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def _mismatch_message(iin: str, stated: date, encoded: date) -> str:
    if (stated.month, stated.day, stated.year % 100) == (
        encoded.month,
        encoded.day,
        encoded.year % 100,
    ):
        return (
            f'IIN "{iin}" says born in the {encoded.year // 100 * 100}s (7th digit '
            f'"{iin[6]}") but the birth date is {stated:%d.%m.%Y}; correct the IIN or the date.'
        )
    return (
        f'IIN "{iin}" encodes birth date {encoded:%d.%m.%Y} but the birth date column says '
        f"{stated:%d.%m.%Y}; correct the IIN or the date."
    )


class _RowChecker:
    """Checks rows of one table; remembers IINs seen and values already parsed.

    This runs once per row of lists of 100,000 members, so cells are picked
    with one itemgetter call and repeated texts (regions, statuses, birth
    dates) are parsed once per list.
    """

    def __init__(
        self,
        table: MemberTable,
        jurisdiction: Jurisdiction,
        rule: RegistrationRule,
        reference_date: date,
    ) -> None:
        self.jurisdiction = jurisdiction
        self.min_age = rule.min_age
        self.reference_date = reference_date
        self.first_row_of_iin: dict[str, int] = {}
        self.region_of_text: dict[str, str | None] = {}
        self.status_of_text: dict[str, Status | None] = {}
        self.date_of_text: dict[str, date | None] = {}
        columns = table.columns
        # Absent columns read the last cell of each row, an always-empty pad.
        self.width = max(columns.values(), default=0) + 1
        self.pick = itemgetter(*(columns.get(field, -1) for field in _FIELDS))
        self.has_optional_dates = "consent_date" in columns or "joined" in columns

    def check(self, row: int, cells: tuple[Cell, ...]) -> CheckedRow:
        missing = self.width - len(cells)
        cells = (*cells, *(None,) * missing) if missing > 0 else cells
        (
            full_name_cell, surname, given_name, patronymic, iin_cell, birth_cell,
            region_cell, phone_cell, address_cell, status_cell, consent_cell,
            consent_method_cell, joined_cell,
        ) = self.pick((*cells, None))  # fmt: skip
        defects: list[Defect] = []
        full_name = self.check_name(row, full_name_cell, (surname, given_name, patronymic), defects)
        parsed = self.check_iin(row, iin_cell, defects)
        birth_date = self.check_birth_date(row, birth_cell, parsed, defects)
        region_code = self.check_region(row, region_cell, defects)
        phone = self.check_phone(row, phone_cell, defects) if phone_cell else None
        status = self.check_status(row, status_cell, defects) if status_cell else "member"
        consent_date = joined = None
        if self.has_optional_dates:
            consent_date = self.check_optional_date(row, consent_cell, "consent_date", defects)
            joined = self.check_optional_date(row, joined_cell, "joined", defects)
        if defects or parsed is None or birth_date is None or region_code is None:
            return CheckedRow(row, None, tuple(defects))
        member = MemberRow(
            full_name=full_name,
            birth_date=birth_date,
            iin=parsed.iin,
            sex=parsed.sex,
            phone=phone,
            region_code=region_code,
            address=collapse_spaces(cell_text(address_cell)) or None,
            status=status,
            consent_date=consent_date,
            consent_method=parse_consent_method(consent_method_cell),
            joined=joined,
        )
        return CheckedRow(row, member, ())

    def check_name(
        self, row: int, full_name_cell: Cell, parts: tuple[Cell, ...], defects: list[Defect]
    ) -> str:
        full_name = collapse_spaces(cell_text(full_name_cell))
        if not full_name:
            # Lists kept as separate surname / given name / patronymic columns.
            full_name = collapse_spaces(" ".join(cell_text(part) for part in parts))
        if not full_name:
            message = "The full name is empty; enter it."
            defects.append(Defect(row, "full_name", "missing_field", message, ""))
        elif _NAME_FORBIDDEN.search(full_name) or " " not in full_name:
            message = (
                f'Name "{full_name}" must be surname and given name in letters only; '
                "write it as on the ID card."
            )
            defects.append(Defect(row, "full_name", "name_invalid", message, full_name))
        return full_name

    def check_iin(self, row: int, iin_cell: Cell, defects: list[Defect]) -> ParsedIIN | None:
        iin = iin_text(iin_cell)
        if not iin:
            message = "The IIN is empty; enter the 12-digit IIN."
            defects.append(Defect(row, "iin", "missing_field", message, ""))
            return None
        parsed = None
        try:
            parsed = parse_iin(iin)
        except InvalidIIN as error:
            message = error.message
            if len(iin) == 11 and iin.isdigit():
                message += " (An 11-digit IIN may have lost its leading 0.)"
            defects.append(Defect(row, "iin", "iin_invalid", message, iin))
        first = self.first_row_of_iin.setdefault(iin, row)
        if first != row:
            message = f'IIN "{iin}" already appears in row {first}; remove the repeated row.'
            defects.append(Defect(row, "iin", "duplicate_in_file", message, iin))
        return parsed

    def parse_date_cached(self, cell: Cell) -> date | None:
        """parse_date, remembered per text; None when it cannot be read."""
        if type(cell) is not str:
            try:
                return parse_date(cell)
            except ValueError:
                return None
        if cell not in self.date_of_text:
            try:
                self.date_of_text[cell] = parse_date(cell)
            except ValueError:
                self.date_of_text[cell] = None
        return self.date_of_text[cell]

    def check_birth_date(
        self, row: int, birth_cell: Cell, parsed: ParsedIIN | None, defects: list[Defect]
    ) -> date | None:
        """The birth date column if given (checked against the IIN), else the IIN's."""
        birth_text = cell_text(birth_cell)
        birth_date = parsed.birth_date if parsed else None
        field = "iin"
        if birth_text:
            field = "birth_date"
            birth_date = self.parse_date_cached(birth_cell)
            if birth_date is None:
                message = f'Birth date "{birth_text}" cannot be read; write it as DD.MM.YYYY.'
                defects.append(Defect(row, field, "date_invalid", message, birth_text))
                return None
            if parsed is not None and parsed.birth_date != birth_date:
                message = _mismatch_message(parsed.iin, birth_date, parsed.birth_date)
                defects.append(Defect(row, field, "iin_birthdate_mismatch", message, birth_text))
        if birth_date is not None:
            self.check_age(row, field, birth_date, defects)
        return birth_date

    def check_age(self, row: int, field: str, birth_date: date, defects: list[Defect]) -> None:
        if birth_date > self.reference_date:
            shown = f"{birth_date:%d.%m.%Y}"
            message = f"Birth date {shown} is in the future; correct the date or the IIN."
            defects.append(Defect(row, field, "birth_date_future", message, shown))
            return
        age = age_on(birth_date, self.reference_date)
        if self.min_age <= age <= IMPLAUSIBLE_AGE:
            return
        shown = f"{birth_date:%d.%m.%Y}"
        if age < self.min_age:
            message = (
                f"Born {shown}, the member is {age}, under the minimum age of {self.min_age}; "
                "remove the row until they come of age."
            )
            defects.append(Defect(row, field, "underage", message, shown))
        else:
            message = (
                f"Born {shown}, the member would be {age}; "
                "check that the person is alive and the date is right."
            )
            defects.append(Defect(row, field, "implausible_age", message, shown))

    def check_region(self, row: int, region_cell: Cell, defects: list[Defect]) -> str | None:
        text = collapse_spaces(cell_text(region_cell))
        if not text:
            message = "The region is empty; enter the oblast or city."
            defects.append(Defect(row, "region", "missing_field", message, ""))
            return None
        if text not in self.region_of_text:
            found = self.jurisdiction.find_region(text)
            self.region_of_text[text] = found.code if found else None
        code = self.region_of_text[text]
        if code is None:
            message = (
                f'Region "{text}" is not a region of {self.jurisdiction.name_en}; '
                "write the oblast or city name."
            )
            defects.append(Defect(row, "region", "unknown_region", message, text))
        return code

    def check_phone(self, row: int, phone_cell: Cell, defects: list[Defect]) -> str | None:
        text = cell_text(phone_cell)
        if not text:
            return None
        numbering = self.jurisdiction.phone
        try:
            return normalise_phone(phone_cell, numbering)
        except ValueError:
            message = (
                f'Phone "{text}" is not a {self.jurisdiction.name_en} phone number; write one '
                f"number as +{numbering.country_code} and "
                f"{numbering.national_number_length} digits."
            )
            defects.append(Defect(row, "phone", "phone_invalid", message, text))
            return None

    def check_status(self, row: int, status_cell: Cell, defects: list[Defect]) -> Status:
        text = cell_text(status_cell)
        if text not in self.status_of_text:
            try:
                self.status_of_text[text] = parse_status(text)
            except ValueError:
                self.status_of_text[text] = None
        status = self.status_of_text[text]
        if status is None:
            message = (
                f'Status "{text}" is not one of applicant, member, suspended, left; '
                "use one of those."
            )
            defects.append(Defect(row, "status", "status_invalid", message, text))
            return "member"
        return status

    def check_optional_date(
        self, row: int, date_cell: Cell, field: str, defects: list[Defect]
    ) -> date | None:
        text = cell_text(date_cell)
        if not text:
            return None
        parsed = self.parse_date_cached(date_cell)
        if parsed is None:
            label = _DATE_LABELS[field]
            message = f'{label} "{text}" cannot be read; write it as DD.MM.YYYY.'
            defects.append(Defect(row, field, "date_invalid", message, text))
        return parsed


_DATE_LABELS = {"consent_date": "Consent date", "joined": "Joining date"}
# The order in which _RowChecker.check unpacks a row's cells.
_FIELDS = (
    *NAME_FIELDS, "iin", "birth_date", "region", "phone", "address", "status",
    "consent_date", "consent_method", "joined",
)  # fmt: skip


def check_rows(
    table: MemberTable,
    *,
    jurisdiction: Jurisdiction,
    rule: RegistrationRule,
    reference_date: date,
) -> Iterator[CheckedRow]:
    """Check every row of `table`, reporting all defects of each row, in row order."""
    checker = _RowChecker(table, jurisdiction, rule, reference_date)
    for row, cells in table:
        yield checker.check(row, cells)
