"""Recognising the columns of a member list by their headings (en / ru / kk).

Coordinators keep lists in whatever headings their office used: "ФИО",
"Ф.И.О.", "Аты-жөні", "Full name"; with format hints in brackets ("Дата
рождения (дд.мм.гггг)") and Kazakh letters sometimes typed as Russian ones.
A heading is reduced to a key (letters and digits only, Kazakh letters folded)
and looked up in the vocabulary below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

# Field name -> headings seen in real lists (en, ru, kk). Order does not matter.
HEADINGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "full_name": (
            "full_name", "full name", "name", "member", "member name",
            "ФИО", "Ф.И.О.", "Фамилия, имя, отчество", "Фамилия Имя Отчество",
            "Фамилия и имя", "ФИО члена партии", "Член партии",
            "Аты-жөні", "Аты жөні", "Тегі, аты, әкесінің аты", "Тегі аты", "Толық аты-жөні",
        ),
        "surname": ("surname", "last name", "family name", "Фамилия", "Тегі"),
        "given_name": ("given name", "first name", "Имя", "Аты"),
        "patronymic": ("patronymic", "middle name", "Отчество", "Әкесінің аты"),
        "birth_date": (
            "birth_date", "birth date", "date of birth", "birthday", "dob",
            "Дата рождения", "Дата рожд.", "Д/р", "Д.р.", "Год рождения",
            "Туған күні", "Туған күні, айы, жылы", "Туылған күні", "Туған жылы",
        ),
        "iin": (
            "iin", "individual identification number",
            "ИИН", "ИИН/ЖСН", "Индивидуальный идентификационный номер",
            "ЖСН", "ЖСН/ИИН", "Жеке сәйкестендіру нөмірі",
        ),
        "phone": (
            "phone", "phone number", "mobile", "mobile phone", "telephone",
            "Телефон", "Тел.", "Номер телефона", "Моб. телефон", "Мобильный телефон",
            "Контактный телефон", "Сотовый телефон",
            "Телефон нөмірі", "Байланыс телефоны", "Ұялы телефон",
        ),
        "region": (
            "region", "oblast", "region/city",
            "Регион", "Область", "Область/город", "Область (город)", "Регион проживания",
            "Өңір", "Облыс", "Облыс/қала", "Аймақ",
        ),
        "address": (
            "address", "home address",
            "Адрес", "Адрес проживания", "Домашний адрес", "Адрес регистрации",
            "Мекенжай", "Мекен-жайы", "Мекенжайы", "Тұрғылықты мекенжайы",
        ),
        "status": (
            "status", "membership status",
            "Статус", "Статус членства",
            "Мәртебесі", "Мәртебе", "Мүшелік мәртебесі",
        ),
        "consent_date": (
            "consent_date", "consent date", "date of consent",
            "Дата согласия", "Дата согласия на обработку данных",
            "Келісім күні", "Келісім берген күні",
        ),
        "consent_method": (
            "consent_method", "consent method", "how consent was given",
            "Способ согласия", "Способ получения согласия",
            "Келісім тәсілі", "Келісім беру тәсілі",
        ),
        "joined": (
            "joined", "date joined", "join date", "member since",
            "Дата вступления", "Дата вступления в партию", "Дата приема",
            "Кірген күні", "Партияға кірген күні", "Мүшелікке қабылданған күні",
        ),
    }
)  # fmt: skip

NAME_FIELDS = ("full_name", "surname", "given_name", "patronymic")
REQUIRED_FIELDS = ("full_name", "iin", "region")

# How to name a missing column, for the error message.
_REQUIRED_HINT = {
    "full_name": '"ФИО" / "Аты-жөні" / "full_name"',
    "iin": '"ИИН" / "ЖСН" / "iin"',
    "region": '"Регион" / "Өңір" / "region"',
}

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALNUM = re.compile(r"[\W_]+")
_KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһіё", "агкноуухие")


def heading_key(heading: str) -> str:
    """A heading reduced to its letters and digits, Kazakh letters folded."""
    text = _BRACKETED.sub(" ", heading.casefold()).translate(_KAZAKH_TO_RUSSIAN)
    return _NOT_ALNUM.sub("", text)


_FIELD_BY_KEY: Mapping[str, str] = MappingProxyType(
    {heading_key(heading): field for field, headings in HEADINGS.items() for heading in headings}
)


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """The columns a header row was recognised to hold."""

    columns: Mapping[str, int]
    ignored_columns: tuple[str, ...]

    def missing_required(self) -> tuple[str, ...]:
        """Required fields with no column (any name column counts for the name)."""
        missing = []
        if not any(field in self.columns for field in NAME_FIELDS):
            missing.append("full_name")
        missing.extend(field for field in ("iin", "region") if field not in self.columns)
        return tuple(missing)


def match_header(cells: Sequence[str]) -> HeaderMatch:
    """Map each recognised heading to its column index; the first of duplicates wins."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, heading in enumerate(cells):
        heading = heading.strip()
        if not heading:
            continue
        field = _FIELD_BY_KEY.get(heading_key(heading))
        if field is None or field in columns:
            ignored.append(heading)
        else:
            columns[field] = index
    return HeaderMatch(columns=MappingProxyType(columns), ignored_columns=tuple(ignored))


def describe_missing(missing: Sequence[str]) -> str:
    """The missing columns as a phrase for an error message."""
    return ", ".join(_REQUIRED_HINT.get(field, field) for field in missing)
