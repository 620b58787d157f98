"""The Kazakh individual identification number (IIN, ЖСН / ИИН).

Rule: Law No. 223 of 12 January 2007 "On National Registers of Identification
Numbers" and Government Resolution No. 406 of 22 May 2007 (replaced by
No. 758 of 1 September 2023), as summarised in
/work/shared/data/kz/id-numbers.json:

- digits 1-6: birth date YYMMDD;
- digit 7: century and sex (1/2 = 1800s male/female, 3/4 = 1900s, 5/6 = 2000s);
- digits 8-11: serial number;
- digit 12: check digit, sum(d_i * w_i) mod 11 with weights 1..11; if that is
  10, the sum again with weights 3..11, 1, 2; if 10 again the first eleven
  digits are not assignable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Literal

Sex = Literal["M", "F"]

_WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# Digit 7 -> (first year of the century, sex).
_CENTURY_SEX: dict[str, tuple[int, Sex]] = {
    "1": (1800, "M"),
    "2": (1800, "F"),
    "3": (1900, "M"),
    "4": (1900, "F"),
    "5": (2000, "M"),
    "6": (2000, "F"),
}

_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")
# Spreadsheets sprinkle IINs with NBSP, thin spaces and all sorts of dashes.
_SEPARATORS = re.compile(r"[\s\u00a0\u2007\u202f\-\u2010-\u2015\u2212_]+")
_QUOTES = "'\"`\u2018\u2019\u201c\u201d\u00ab\u00bb"
# A number cell formatted by a float-minded tool: "850115300001.0" or "…,0".
_FLOAT_TAIL = re.compile(r"^([0-9]+)[.,]0+$")


class InvalidIIN(ValueError):
    """An IIN that breaks the structure rule; `reason_code` says which part.

    Reason codes: ``format`` (not 12 digits), ``century`` (digit 7 not 1-6),
    ``date`` (digits 1-6 are not a calendar date), ``check_digit`` (digit 12
    wrong, or the first eleven digits cannot carry a check digit).
    """

    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedIIN:
    """A structurally valid IIN and what it encodes."""

    iin: str
    birth_date: date
    sex: Sex
    serial: str


def normalise_iin(value: str) -> str:
    """Strip what spreadsheets add around an IIN: spaces, NBSP, dashes, quotes.

    The Excel text prefix (``'010630600006``) and a float tail (``.0``) left by
    tools that read the cell as a number are removed too. Leading zeros are NOT
    restored here: only a numeric cell can have lost them (see the roster reader).
    """
    if _TWELVE_DIGITS.fullmatch(value):
        return value  # the common case, kept cheap for 100,000-row lists
    text = value.strip().strip(_QUOTES)
    text = _SEPARATORS.sub("", text).strip(_QUOTES)
    tail = _FLOAT_TAIL.match(text)
    if tail:
        text = tail.group(1)
    return text


def check_digit(first11: str) -> int | None:
    """The check digit for the first eleven digits, or None if not assignable.

    Rule: id-numbers.json ``check_digit.rule`` (weights 1..11, then 3..11,1,2).
    """
    if not _ELEVEN_DIGITS.fullmatch(first11):
        raise ValueError(f"check_digit needs exactly 11 digits, got {first11!r}")
    digits = [*map(int, first11)]
    for weights in (_WEIGHTS_FIRST, _WEIGHTS_SECOND):
        remainder: int = sum(map(mul, digits, weights)) % 11
        if remainder != 10:
            return remainder
    return None


def parse_iin(value: str) -> ParsedIIN:
    """Parse and validate an IIN; raise InvalidIIN naming the broken part."""
    iin = value if _TWELVE_DIGITS.fullmatch(value) else normalise_iin(value)
    if not _TWELVE_DIGITS.fullmatch(iin):
        raise InvalidIIN(
            "format",
            f'IIN "{value}" is not 12 digits; copy the 12-digit IIN from the ID card.',
        )
    century_sex = _CENTURY_SEX.get(iin[6])
    if century_sex is None:
        raise InvalidIIN(
            "century",
            f'IIN "{iin}" has "{iin[6]}" as its 7th digit, which must be 1-6; '
            "check the number against the ID card.",
        )
    century, sex = century_sex
    try:
        birth_date = date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise InvalidIIN(
            "date",
            f'IIN "{iin}" does not start with a real date (YYMMDD); '
            "check the number against the ID card.",
        ) from None
    expected = check_digit(iin[:11])
    if expected is None:
        raise InvalidIIN(
            "check_digit",
            f'IIN "{iin}" cannot exist (its first 11 digits admit no check digit); '
            "check the number against the ID card.",
        )
    if expected != ord(iin[11]) - 48:
        raise InvalidIIN(
            "check_digit",
            f'IIN "{iin}" fails the check digit (a digit is mistyped or swapped); '
            "check the number against the ID card.",
        )
    return ParsedIIN(iin=iin, birth_date=birth_date, sex=sex, serial=iin[7:11])


def century_digit(birth_date: date, sex: Sex) -> str:
    """Digit 7 of the IIN for a person born on `birth_date` of sex `sex`."""
    for digit, (century, digit_sex) in _CENTURY_SEX.items():
        if century <= birth_date.year < century + 100 and digit_sex == sex:
            return digit
    raise ValueError(f"no IIN century digit for year {birth_date.year}")


def make_iin(birth_date: date, sex: Sex, serial: int) -> str:
    """Build a valid IIN, moving to the next serial if the check digit is not assignable.

    Used by the demo seeder and test generators; `serial` is 0..9999.
    """
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial must be 0..9999, got {serial}")
    prefix = (
        f"{birth_date.year % 100:02d}{birth_date.month:02d}{birth_date.day:02d}"
        + century_digit(birth_date, sex)
    )
    for candidate in range(serial, 10000):
        first11 = f"{prefix}{candidate:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return f"{first11}{digit}"
    raise ValueError(f"no assignable serial at or after {serial} for {birth_date} {sex}")
