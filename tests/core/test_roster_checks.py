"""Row checks: every defect an examiner could cite, found before the examiner does."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from kenes.core.iin import make_iin
from kenes.core.roster import (
    DEFECT_CODES,
    CheckReport,
    MemberRow,
    check_file,
    check_rows,
    read_table,
)
from kenes.core.rules import load_jurisdiction

REFERENCE = date(2025, 6, 1)
HEADER = [
    "ФИО", "Дата рождения", "ИИН", "Телефон", "Регион", "Адрес", "Статус",
    "Дата согласия", "Способ согласия", "Дата вступления",
]  # fmt: skip
VALID = {
    "ФИО": "Ахметов Нурлан Серикович",
    "Дата рождения": "15.01.1985",
    "ИИН": "850115300001",
    "Телефон": "+7 701 234 56 78",
    "Регион": "г. Алматы",
}


def member(**changes: str) -> dict[str, str]:
    """A valid row with some cells changed (keys are headings, "_" for spaces)."""
    row = dict(VALID)
    row.update({key.replace("_", " "): value for key, value in changes.items()})
    return row


def check(*rows: dict[str, str], rule_id: str | None = None) -> CheckReport:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    stream = io.BytesIO(buffer.getvalue().encode("utf-8-sig"))
    return check_file(stream, filename="list.csv", reference_date=REFERENCE, rule_id=rule_id)


def codes(report: CheckReport) -> list[tuple[int, str, str]]:
    return [(defect.row, defect.field, defect.code) for defect in report.defects]


def test_a_valid_row_has_no_defects() -> None:
    report = check(member())
    assert (report.rows, report.valid, report.invalid, report.defects) == (1, 1, 0, [])


def test_valid_row_is_normalised() -> None:
    jurisdiction = load_jurisdiction()
    buffer = io.BytesIO(
        (
            ";".join(HEADER)
            + "\n  Ахметов   Нурлан  ;15.01.1985;'850115 300001;8 (701) 234-56-78;город Алматы;"
            " ул. Абая, 10 ;Заявитель;01.03.2024;Подпись;2024-03-02\n"
        ).encode("cp1251")
    )
    with read_table(buffer, filename="list.csv") as table:
        [checked] = list(
            check_rows(
                table,
                jurisdiction=jurisdiction,
                rule=jurisdiction.registration_rule(),
                reference_date=REFERENCE,
            )
        )
    assert checked.defects == ()
    assert checked.member == MemberRow(
        full_name="Ахметов Нурлан",
        birth_date=date(1985, 1, 15),
        iin="850115300001",
        sex="M",
        phone="+77012345678",
        region_code="KZ-75",
        address="ул. Абая, 10",
        status="applicant",
        consent_date=date(2024, 3, 1),
        consent_method="signed_form",
        joined=date(2024, 3, 2),
    )


def test_birth_date_is_taken_from_the_iin_when_the_column_is_empty() -> None:
    report = check(member(Дата_рождения=""))
    assert report.valid == 1


def test_iin_with_wrong_check_digit_is_iin_invalid() -> None:
    assert codes(check(member(ИИН="850115300002"))) == [(2, "iin", "iin_invalid")]


@pytest.mark.parametrize("iin", ["85011530000", "8501153000011", "85O115300001", "851315300001"])
def test_malformed_iin_is_iin_invalid(iin: str) -> None:
    assert ("iin", "iin_invalid") in [
        (field, code) for _, field, code in codes(check(member(ИИН=iin)))
    ]


def test_eleven_digit_text_iin_hints_at_the_lost_zero() -> None:
    report = check(member(ИИН="10630600006", Дата_рождения="30.06.2001"))
    assert "leading 0" in report.defects[0].message


def test_iin_date_differing_from_birth_date_is_iin_birthdate_mismatch() -> None:
    report = check(member(Дата_рождения="16.01.1985"))
    assert codes(report) == [(2, "birth_date", "iin_birthdate_mismatch")]
    assert "15.01.1985" in report.defects[0].message


def test_century_digit_contradicting_the_birth_year_is_iin_birthdate_mismatch() -> None:
    iin_2000s = make_iin(date(2085, 1, 15), "M", 0)  # 7th digit 5 = 2000s
    report = check(member(ИИН=iin_2000s, Дата_рождения="15.01.1985"))
    assert codes(report) == [(2, "birth_date", "iin_birthdate_mismatch")]
    assert "2000s" in report.defects[0].message


def test_member_one_day_before_18th_birthday_is_underage() -> None:
    born = date(2007, 6, 2)
    report = check(member(ИИН=make_iin(born, "F", 0), Дата_рождения="02.06.2007"))
    assert codes(report) == [(2, "birth_date", "underage")]


def test_member_on_18th_birthday_is_of_age() -> None:
    born = date(2007, 6, 1)
    assert check(member(ИИН=make_iin(born, "F", 0), Дата_рождения="01.06.2007")).valid == 1


def test_underage_is_found_from_the_iin_alone() -> None:
    report = check(member(ИИН=make_iin(date(2012, 5, 5), "M", 1), Дата_рождения=""))
    assert codes(report) == [(2, "iin", "underage")]


def test_second_and_later_occurrences_of_an_iin_are_duplicate_in_file() -> None:
    report = check(member(), member(ИИН="850115300001"), member(ИИН="850 115 300 001"))
    assert codes(report) == [(3, "iin", "duplicate_in_file"), (4, "iin", "duplicate_in_file")]
    assert all("row 2" in defect.message for defect in report.defects)


@pytest.mark.parametrize(
    ("heading", "field"), [("ФИО", "full_name"), ("ИИН", "iin"), ("Регион", "region")]
)
def test_empty_required_value_is_missing_field(heading: str, field: str) -> None:
    row = member()
    row[heading] = "  "
    assert codes(check(row)) == [(2, field, "missing_field")]


@pytest.mark.parametrize("region", ["Москва", "Ташкентская область", "Россия"])
def test_region_outside_kazakhstan_is_unknown_region(region: str) -> None:
    assert codes(check(member(Регион=region))) == [(2, "region", "unknown_region")]


@pytest.mark.parametrize(
    "phone",
    ["+7 916 123 45 67", "8 495 123 45 67", "12345", "нет", "+8 701 234 56 78", "8701234567899"],
)
def test_phone_that_is_not_kazakh_is_phone_invalid(phone: str) -> None:
    assert codes(check(member(Телефон=phone))) == [(2, "phone", "phone_invalid")]


@pytest.mark.parametrize(
    "phone",
    ["+77012345678", "87012345678", "7012345678", "8 (7172) 12-34-56", "+7 (701) 234-56-78"],
)
def test_kazakh_phone_in_any_common_form_is_valid(phone: str) -> None:
    assert check(member(Телефон=phone)).valid == 1


@pytest.mark.parametrize("birth", ["1985", "31.02.1985", "15.01.85", "вчера", "01/15/1985"])
def test_unreadable_birth_date_is_date_invalid(birth: str) -> None:
    assert codes(check(member(Дата_рождения=birth))) == [(2, "birth_date", "date_invalid")]


@pytest.mark.parametrize(
    "birth", ["15.01.1985", "15/01/1985", "1985-01-15", "15.1.1985", "15.01.1985 г."]
)
def test_birth_date_in_any_common_form_is_read(birth: str) -> None:
    assert check(member(Дата_рождения=birth)).valid == 1


def test_unreadable_consent_and_joining_dates_are_date_invalid() -> None:
    report = check(member(Дата_согласия="вчера", Дата_вступления="2024"))
    assert codes(report) == [(2, "consent_date", "date_invalid"), (2, "joined", "date_invalid")]


def test_birth_date_after_the_reference_date_is_birth_date_future() -> None:
    born = date(2030, 1, 1)
    report = check(member(ИИН=make_iin(born, "M", 0), Дата_рождения="01.01.2030"))
    assert codes(report) == [(2, "birth_date", "birth_date_future")]


def test_member_older_than_110_is_implausible_age() -> None:
    born = date(1910, 1, 1)
    report = check(member(ИИН=make_iin(born, "F", 0), Дата_рождения="01.01.1910"))
    assert codes(report) == [(2, "birth_date", "implausible_age")]


@pytest.mark.parametrize("status", ["почётный", "yes", "1"])
def test_unknown_status_is_status_invalid(status: str) -> None:
    assert codes(check(member(Статус=status))) == [(2, "status", "status_invalid")]


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("", "member"),
        ("член партии", "member"),
        ("Мүше", "member"),
        ("заявитель", "applicant"),
        ("өтініш беруші", "applicant"),
        ("приостановлен", "suspended"),
        ("тоқтатылған", "suspended"),
        ("выбыл", "left"),
        ("Left", "left"),
    ],
)
def test_status_in_russian_kazakh_or_english(written: str, status: str) -> None:
    buffer = io.BytesIO(
        (
            ";".join(HEADER) + "\n" + ";".join(member(Статус=written).get(h, "") for h in HEADER)
        ).encode()
    )
    jurisdiction = load_jurisdiction()
    with read_table(buffer, filename="list.csv") as table:
        [checked] = check_rows(
            table,
            jurisdiction=jurisdiction,
            rule=jurisdiction.registration_rule(),
            reference_date=REFERENCE,
        )
    assert checked.member is not None
    assert checked.member.status == status


@pytest.mark.parametrize(
    "name", ["Нурлан", "Ахметов2 Нурлан", "Ахметов Нурлан 3", "Ахметов_Нурлан"]
)
def test_name_with_digits_or_without_surname_is_name_invalid(name: str) -> None:
    assert codes(check(member(ФИО=name))) == [(2, "full_name", "name_invalid")]


@pytest.mark.parametrize(
    "name", ["Ахметов Н.С.", "Қасымова Әйгерім", "O'Brien John", "Петров-Водкин Кузьма"]
)
def test_names_as_written_on_id_cards_are_valid(name: str) -> None:
    assert check(member(ФИО=name)).valid == 1


def test_every_defect_of_a_row_is_reported() -> None:
    report = check(
        member(ФИО="Серик", ИИН="850115300002", Телефон="нет", Регион="Москва", Статус="x"),
    )
    assert [code for _, _, code in codes(report)] == [
        "name_invalid",
        "iin_invalid",
        "unknown_region",
        "phone_invalid",
        "status_invalid",
    ]
    assert report.invalid == 1


def test_the_rule_sets_the_minimum_age() -> None:
    # All current rules say 18; the age comes from the rule, not from code.
    jurisdiction = load_jurisdiction()
    assert {rule.min_age for rule in jurisdiction.registration_rules} == {18}
    report = check(member(), rule_id="kz-2009")
    assert report.valid == 1


def test_report_as_json_has_the_stable_shape() -> None:
    report = check(member(), member(ИИН="850115300002"), {})
    data = report.as_json()
    assert {"rows", "valid", "invalid", "defects"} <= set(data)
    assert (data["rows"], data["valid"], data["invalid"]) == (2, 1, 1)
    assert set(data["defects"][0]) >= {"row", "field", "code", "message"}
    assert data["defects"][0]["value"] == "850115300002"


def test_defect_codes_are_documented() -> None:
    report = check(
        member(ФИО="Серик", ИИН="", Телефон="нет", Регион="Москва", Статус="x", Дата_рождения="x")
    )
    assert {defect.code for defect in report.defects} <= set(DEFECT_CODES)


def test_xlsx_numeric_iin_missing_its_leading_zero_is_repaired(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Аты-жөні", "Туған күні", "ЖСН", "Телефон", "Өңір"])
    sheet.append(["Сейткали Айгерим", date(2001, 6, 30), 10630600006, 87011112233, "Алматы"])
    sheet.append(["Ахметов Нурлан", date(1985, 1, 15), 850115300001.0, None, "Астана"])
    sheet.append(["Сейткали Айгерим", "30.06.2001", "010630600006", None, "Алматы"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    report = check_file(path, reference_date=REFERENCE)
    assert (report.rows, report.valid) == (3, 2)
    assert codes(report) == [(4, "iin", "duplicate_in_file")]


def test_numeric_date_cells_are_excel_serials_but_a_bare_year_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ФИО", "Дата рождения", "ИИН", "Регион"])
    sheet.append(["Ахметов Нурлан", 31062, "850115300001", "Алматы"])  # serial of 15.01.1985
    sheet.append(["Иванова Ольга", 1992, "920720400002", "Алматы"])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    report = check_file(path, reference_date=REFERENCE)
    assert codes(report) == [(3, "birth_date", "date_invalid")]
