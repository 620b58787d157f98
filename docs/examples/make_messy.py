"""Write messy-members.csv and messy-members.xlsx: a member list as it arrives.

Run from the repository root:  python docs/examples/make_messy.py

Both files hold the same 30 people (rows 2-31; row 27 is blank): most rows
are valid, written the many ways real lists write them, and the others show
every defect code of kenes.core.roster at least once. README.md lists which
row shows what. The CSV has Russian headings (UTF-8 with BOM, ";" as Russian
Excel writes it); the XLSX has Kazakh headings and typed cells (dates as
dates, one IIN as a number that lost its leading zero).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl

from kenes.core.iin import make_iin

HERE = Path(__file__).resolve().parent

HEADINGS_RU = [
    "ФИО", "Дата рождения", "ИИН", "Телефон", "Регион", "Адрес", "Статус",
    "Дата согласия", "Способ согласия", "Дата вступления", "Примечание",
]  # fmt: skip
HEADINGS_KK = [
    "Аты-жөні", "Туған күні", "ЖСН", "Телефон", "Өңір", "Мекенжай", "Мәртебесі",
    "Келісім күні", "Келісім тәсілі", "Кірген күні", "Ескерту",
]  # fmt: skip


def iin(born: date, sex: str, serial: int) -> str:
    """A valid IIN (the sample's people are invented; the numbers only pass the check)."""
    return make_iin(born, "M" if sex == "M" else "F", serial)


def broken_check_digit(valid: str) -> str:
    """The same IIN with its last digit changed: a typical typo."""
    return valid[:11] + str((int(valid[11]) + 1) % 10)


# Each entry: full name, birth date (date or text as typed), IIN (text, or int
# for a number cell), phone, region, address, status, consent date, consent
# method, joined, note. None = empty cell.
D = date
MEMBERS: list[list[object]] = [
    # 2-16: valid rows, regions written in every way lists write them.
    ["Ахметов Нурлан Серикович", D(1985, 1, 15), "850115300001", "+7 701 234 56 78",
     "г. Алматы", "ул. Абая, 10, кв. 5", "член партии", D(2024, 3, 1), "подпись",
     D(2024, 3, 1), None],
    ["Иванова Ольга Петровна", D(1992, 7, 20), "920720400002", "8 (777) 123-45-67",
     "Карагандинская обл.", "г. Караганда, пр. Бухар-Жырау, 45", "член", D(2024, 3, 2),
     "лично", D(2024, 3, 2), None],
    ["Сейткали Айгерим Болатовна", D(2001, 6, 30), "010630600006", "87011112233",
     "Түркістан облысы", "г. Туркестан, ул. Тауке хана, 3", "мүше", D(2024, 3, 5),
     "онлайн", D(2024, 3, 5), "IIN typed as a number in the XLSX"],
    ["Ким Сергей Владимирович", D(1978, 11, 3), iin(D(1978, 11, 3), "M", 17), "+77051234567",
     "Южно-Казахстанская область", None, "член партии", D(2024, 3, 6), "подпись",
     D(2024, 3, 6), "old name of Turkistan Region"],
    ["Жумабаев Ерлан Кайратович", D(1990, 1, 1), "900101300811", "8 702 555 44 33",
     "KZ-71", "г. Астана, ул. Кенесары, 8", "член партии", D(2024, 3, 7), "подпись",
     D(2024, 3, 7), None],
    ["Нұрланова Дана Маратқызы", D(1995, 4, 12), iin(D(1995, 4, 12), "F", 42), None,
     "Almaty Region", "Қонаев қ., Наурызбай батыр к-сі, 12", "member", D(2024, 3, 9),
     "online", D(2024, 3, 9), None],
    ["Омаров Тимур Асканович", D(1988, 9, 9), iin(D(1988, 9, 9), "M", 7), "+7 (747) 300-20-10",
     "East Kazakhstan Region", None, "член партии", D(2024, 3, 9), "signed form",
     D(2024, 3, 9), None],
    ["Байжанова Гульнара Ерболовна", D(1969, 12, 24), iin(D(1969, 12, 24), "F", 3), None,
     "Абай облысы", "Семей қ., Шәкәрім д-лы, 20", "мүше", D(2024, 3, 10), "жазбаша",
     D(2024, 3, 10), None],
    ["Петренко Андрей Викторович", D(1975, 5, 30), iin(D(1975, 5, 30), "M", 205),
     "8-701-765-43-21", "Нур-Султан", None, "член партии", D(2024, 3, 11), "лично",
     D(2024, 3, 11), "old name of Astana"],
    ["Есенова Мадина Талгатовна", D(1999, 2, 28), "'" + iin(D(1999, 2, 28), "F", 11),
     "+7 775 000 11 22", "ВКО", None, "заявитель", D(2024, 3, 12), "онлайн", None,
     "IIN with the Excel text prefix '"],
    ["Тлеубаев Асхат Муратович", D(1983, 8, 17), iin(D(1983, 8, 17), "M", 90), None,
     "Shymkent", None, "член партии", D(2024, 3, 12), "подпись", D(2024, 3, 12), None],
    ["Абдрахманова Салтанат Кайратовна", "04.10.1987", iin(D(1987, 10, 4), "F", 64),
     "87089990011", "KZ-AKM", None, "член партии", "12.03.2024", "подпись", "12.03.2024",
     "old ISO code of Akmola Region"],
    ["Сагындыков Бауыржан Ержанович", "1979-06-01", iin(D(1979, 6, 1), "M", 8),
     "+7 700 100 20 30", "Мангистауская область", None, "приостановлен", D(2024, 3, 13),
     "подпись", D(2024, 3, 13), None],
    ["Dzhaksybekov Ruslan", D(1993, 3, 3), iin(D(1993, 3, 3), "M", 5), None,
     "Zhetysu Region", None, "member", D(2024, 3, 14), "online", D(2024, 3, 14),
     "name in Latin letters"],
    ["Қасымова Әйгерім Серікқызы", D(1997, 10, 10), iin(D(1997, 10, 10), "F", 33),
     "8 776 400 50 60", "Ұлытау облысы", None, "мүше", D(2024, 3, 15), "жеке өзі",
     D(2024, 3, 15), None],
    # 17-26, 28-31: defects.
    ["Бекова Салтанат Ерлановна", D(1981, 4, 2), broken_check_digit(iin(D(1981, 4, 2), "F", 21)),
     None, "Павлодар обл.", None, "член партии", None, None, None, "iin_invalid"],
    ["Мухамеджанов Дамир Русланович", D(1986, 1, 16), iin(D(1986, 1, 15), "M", 2),
     None, "Костанайская область", None, "член партии", None, None, None,
     "iin_birthdate_mismatch (day)"],
    ["Ли Виктория Андреевна", D(1999, 8, 12), iin(D(2099, 8, 12), "F", 4), None,
     "Атырау облысы", None, "член партии", None, None, None,
     "iin_birthdate_mismatch (century digit 6 = 2000s)"],
    ["Серикбаев Алихан Нурланович", D(2012, 5, 5), iin(D(2012, 5, 5), "M", 1), None,
     "Кызылординская", None, "заявитель", None, None, None, "underage"],
    ["Ахметов Нурлан Серикович", D(1985, 1, 15), "850115 300001", None, "Алматы", None,
     "член партии", None, None, None, "duplicate_in_file (same IIN as row 2)"],
    ["Смагулова Асель Маратовна", D(1991, 11, 11), None, None, "Жамбылская область", None,
     "член партии", None, None, None, "missing_field: iin"],
    [None, D(1984, 6, 6), iin(D(1984, 6, 6), "M", 77), None, "СКО", None, "член партии",
     None, None, None, "missing_field: full_name"],
    ["Кусаинов Арман Бекович", D(1972, 2, 29), iin(D(1972, 2, 29), "M", 12), None, None, None,
     "член партии", None, None, None, "missing_field: region"],
    ["Орлова Наталья Игоревна", D(1980, 3, 8), iin(D(1980, 3, 8), "F", 55), "+7 916 555 12 34",
     "Москва", None, "член партии", None, None, None,
     "unknown_region; phone_invalid (a Russian number)"],
    ["Нуржанов Ержан", "1980", iin(D(1980, 1, 1), "M", 9), None, "Западно-Казахстанская обл.",
     None, "член партии", None, None, None, "date_invalid (year only)"],
    # Row 27 is blank: skipped, but the numbering keeps counting it.
    [None] * 11,
    ["Сапаров Нурсултан", D(2095, 1, 15), iin(D(2095, 1, 15), "M", 6), None, "Павлодар", None,
     "член партии", None, None, None, "birth_date_future"],
    ["Исмаилова Зейнеп Абеновна", D(1905, 3, 3), iin(D(1905, 3, 3), "F", 2), None,
     "Ақтөбе облысы", None, "член партии", None, None, None,
     "implausible_age (a dead person on the list)"],
    ["Серик", D(1987, 7, 7), iin(D(1987, 7, 7), "M", 31), None, "Астана", None, "почётный",
     None, None, None, "name_invalid (one word); status_invalid"],
    ["Тасмагамбетов Ерб0л 2", D(1990, 12, 1), iin(D(1990, 12, 1), "M", 40), "нет", "Алматы қ.",
     None, "член партии", "вчера", "подпись", None,
     "name_invalid (digits); phone_invalid; date_invalid (consent date)"],
]  # fmt: skip


def csv_cell(value: object) -> str:
    """A value as a Russian-locale Excel would export it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def write_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADINGS_RU)
        for member in MEMBERS:
            writer.writerow([csv_cell(value) for value in member])


def write_xlsx(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Мүшелер"
    sheet.append(HEADINGS_KK)
    for member in MEMBERS:
        cells = list(member)
        if cells[2] == "010630600006":
            # Typed as a number, Excel drops the leading zero: 10630600006.
            cells[2] = int("010630600006")
        if cells[3] == "87089990011":
            cells[3] = 87089990011  # a phone typed as a number
        sheet.append(cells)
    widths = (34, 14, 15, 18, 28, 34, 14, 14, 14, 14, 40)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "DD.MM.YYYY"
    workbook.save(path)


def main() -> None:
    write_csv(HERE / "messy-members.csv")
    write_xlsx(HERE / "messy-members.xlsx")


if __name__ == "__main__":
    main()
