"""Reading single cells of a member list: text, IINs, dates, phones, statuses.

Cells arrive as text (CSV) or typed values (XLSX: numbers, dates, booleans).
Each reader here accepts both and either returns the normalised value or
raises ValueError; deciding what a failure means is the checker's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Literal, TypeAlias, TypeVar

from kenes.core.iin import normalise_iin
from kenes.core.rules import PhoneNumbering

Cell: TypeAlias = str | int | float | bool | date | datetime | time | timedelta | None
Status = Literal["applicant", "member", "suspended", "left"]
_Value = TypeVar("_Value", bound=str)

# DD.MM.YYYY, D.M.YYYY, DD/MM/YYYY, DD-MM-YYYY, optionally followed by a time
# (Excel writes "15.01.1985 0:00:00" when it exports a date cell to CSV).
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
# "15.01.1985 г." (Russian "год") and "15.01.1985 ж." (Kazakh "жыл").
_YEAR_WORD = re.compile(r"\s*(г|год|ж|жыл)\.?$", re.IGNORECASE)
# What people put between the digits of a phone number.
_PHONE_PUNCTUATION = str.maketrans("", "", "+ ()-.\t\u00a0\u2009\u202f")
_KEY_NOISE = re.compile(r"[\W_]+")
_KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһіё", "агкноуухие")

# Excel's 1900 date system counts days from 1899-12-30 (the 1900 leap-year bug
# makes this the right epoch for every date after February 1900).
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def cell_text(cell: Cell) -> str:
    """A cell as trimmed text; whole floats lose their ".0"."""
    if type(cell) is str:  # the common case first: CSV cells are all text
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


def collapse_spaces(text: str) -> str:
    """Runs of whitespace (including NBSP and line breaks) become one space."""
    return " ".join(text.split())


def iin_text(cell: Cell) -> str:
    """The IIN in a cell, normalised.

    A numeric cell with 11 digits lost its leading zero to Excel (people born
    2000-2009 have IINs starting with 0): it is padded back. Text is never
    padded, since an 11-digit text is a typo we cannot repair.
    """
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if isinstance(cell, float) and not cell.is_integer():
            return repr(cell)
        digits = str(int(cell))
        return digits.zfill(12) if len(digits) == 11 else digits
    return normalise_iin(cell_text(cell))


def parse_date(cell: Cell) -> date:
    """A date from a date cell, an Excel serial number or common text forms.

    Text: DD.MM.YYYY, D.M.YYYY, DD/MM/YYYY, DD-MM-YYYY, YYYY-MM-DD (day first
    as in Kazakhstan and Russia); two-digit years are refused as ambiguous.
    """
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # A number that looks like a year is a year typed alone, not the serial
        # of a day in 1904-1905: refuse it rather than invent a date.
        if 1800 <= cell <= 2100 or not 1 <= cell <= _EXCEL_MAX_SERIAL:
            raise ValueError(f"{cell!r} is not a date")
        return _EXCEL_EPOCH + timedelta(days=int(cell))
    text = cell_text(cell)
    match = _DAY_FIRST.fullmatch(text)
    if not match:
        text = _YEAR_WORD.sub("", text)
        match = _DAY_FIRST.fullmatch(text)
    if match:
        day, month, year = match.groups()
        return date(int(year), int(month), int(day))
    match = _ISO.fullmatch(text)
    if match:
        year, month, day = match.groups()
        return date(int(year), int(month), int(day))
    raise ValueError(f"{text!r} is not a date")


def normalise_phone(cell: Cell, numbering: PhoneNumbering) -> str:
    """A phone number as +<country code><national number>, or ValueError.

    Accepts the international form (+7 701 …), the domestic form with the trunk
    prefix (8 701 …) and the bare national number; refuses numbers whose
    national part does not start with a prefix of this country (Russia shares +7).
    """
    text = cell_text(cell)
    digits = text.translate(_PHONE_PUNCTUATION)
    if not (digits.isdigit() and digits.isascii()):
        raise ValueError(f"{text!r} is not one phone number")
    length = numbering.national_number_length
    country, trunk = numbering.country_code, numbering.trunk_prefix
    if len(digits) == length + len(country) and digits.startswith(country):
        national = digits[len(country) :]
    elif (
        not text.startswith("+") and len(digits) == length + len(trunk) and digits.startswith(trunk)
    ):
        national = digits[len(trunk) :]
    elif not text.startswith("+") and len(digits) == length:
        national = digits
    else:
        raise ValueError(f"{text!r} has the wrong number of digits")
    if not national.startswith(numbering.national_prefixes):
        raise ValueError(f"{text!r} is not a number of this country")
    return f"+{country}{national}"


def vocabulary_key(text: str) -> str:
    """A word or phrase reduced to folded letters, for vocabulary lookups."""
    return _KEY_NOISE.sub("", text.casefold().translate(_KAZAKH_TO_RUSSIAN))


def _vocabulary(words: Mapping[_Value, tuple[str, ...]]) -> Mapping[str, _Value]:
    return MappingProxyType(
        {vocabulary_key(word): value for value, group in words.items() for word in group}
    )


_STATUS_GROUPS: dict[Status, tuple[str, ...]] = {
    "applicant": (
        "applicant", "candidate", "заявитель", "кандидат", "кандидат в члены",
        "подал заявление", "өтініш беруші", "үміткер",
    ),
    "member": (
        "member", "active", "член", "член партии", "действующий", "активный",
        "мүше", "партия мүшесі",
    ),
    "suspended": (
        "suspended", "приостановлен", "приостановлена", "приостановлено",
        "членство приостановлено", "тоқтатылған", "мүшелігі тоқтатылған",
    ),
    "left": (
        "left", "withdrawn", "expelled", "выбыл", "выбыла", "вышел", "вышла",
        "исключен", "исключена", "шыққан", "шығып кетті", "шығарылған",
    ),
}  # fmt: skip
_STATUS_WORDS = _vocabulary(_STATUS_GROUPS)

_CONSENT_WORDS: Mapping[str, str] = _vocabulary(
    {
        "signed_form": (
            "signed form", "paper form", "paper", "signature", "в письменной форме",
            "письменно", "письменное заявление", "заявление", "подпись",
            "подписанная форма", "бумажная форма", "жазбаша", "қол қойылған өтініш",
        ),
        "online": (
            "online", "website", "egov", "онлайн", "электронно", "электронная форма",
            "через сайт", "сайт", "электронды", "онлайн өтініш",
        ),
        "in_person": (
            "in person", "orally", "лично", "устно", "очно", "жеке өзі", "өзі келіп",
        ),
    }
)  # fmt: skip


def parse_status(cell: Cell) -> Status:
    """One of applicant/member/suspended/left from en/ru/kk words; empty = member."""
    text = cell_text(cell)
    if not text:
        return "member"
    status = _STATUS_WORDS.get(vocabulary_key(text))
    if status is None:
        raise ValueError(f"{text!r} is not a membership status")
    return status


def parse_consent_method(cell: Cell) -> str | None:
    """signed_form/online/in_person when recognised, else the text as written."""
    text = collapse_spaces(cell_text(cell))
    if not text:
        return None
    return _CONSENT_WORDS.get(vocabulary_key(text), text)
