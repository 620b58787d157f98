"""Reading member lists as they arrive: encodings, delimiters, headings, spreadsheets."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from kenes.core.roster import ReadLimits, UnreadableFile, read_table
from tests.core import zip_bombs

RU_HEADER = ["ФИО", "Дата рождения", "ИИН", "Телефон", "Регион"]
RU_ROW = ["Ахметов Нурлан Серикович", "15.01.1985", "850115300001", "87012345678", "г. Алматы"]


def write_csv(path: Path, rows: list[list[str]], *, encoding: str, delimiter: str = ";") -> Path:
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def rows_of(path: Path | io.BytesIO, **kwargs: str) -> list[tuple[int, tuple[object, ...]]]:
    with read_table(path, **kwargs) as table:
        return [(row.row, row.cells) for row in table]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("cp1251", ";"),
        ("utf-8", "\t"),
        ("utf-16", "\t"),  # Excel's "Unicode text"
    ],
)
def test_csv_in_every_encoding_and_delimiter_excel_writes(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = write_csv(
        tmp_path / "list.csv", [RU_HEADER, RU_ROW], encoding=encoding, delimiter=delimiter
    )
    with read_table(path) as table:
        assert table.format == "csv"
        assert table.columns["iin"] == 2
        rows = list(table)
    assert rows == [(2, tuple(RU_ROW))]


def test_kazakh_windows_encoding_kz1048_is_detected(tmp_path: Path) -> None:
    header = ["Аты-жөні", "ЖСН", "Өңір"]
    row = ["Қасымова Әйгерім", "850115300001", "Ақтөбе облысы"]
    path = write_csv(tmp_path / "list.csv", [header, row], encoding="kz1048")
    assert rows_of(path) == [(2, tuple(row))]


def test_cp1251_detected_even_when_the_sample_boundary_splits_nothing(tmp_path: Path) -> None:
    rows = [RU_HEADER] + [RU_ROW] * 5000  # larger than the 64 KiB sample
    path = write_csv(tmp_path / "big.csv", rows, encoding="cp1251")
    assert len(rows_of(path)) == 5000


def test_comma_inside_a_heading_does_not_fool_delimiter_detection(tmp_path: Path) -> None:
    header = ["Фамилия, имя, отчество", "ИИН", "Регион"]
    path = write_csv(
        tmp_path / "list.csv",
        [header, ["Ахметов Нурлан", "850115300001", "Алматы"]],
        encoding="utf-8",
    )
    with read_table(path) as table:
        assert dict(table.columns) == {"full_name": 0, "iin": 1, "region": 2}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["full_name", "birth_date", "iin", "phone", "region", "address"],
            ["full_name", "birth_date", "iin", "phone", "region", "address"],
        ),
        (
            ["ФИО", "Дата рождения", "ИИН", "Телефон", "Область", "Адрес"],
            ["full_name", "birth_date", "iin", "phone", "region", "address"],
        ),
        (
            ["Аты-жөні", "Туған күні", "ЖСН", "Телефон", "Өңір", "Мекенжай"],
            ["full_name", "birth_date", "iin", "phone", "region", "address"],
        ),
        (
            ["Name", "Date of birth", "IIN", "Phone", "Region", "Status"],
            ["full_name", "birth_date", "iin", "phone", "region", "status"],
        ),
        (
            ["Ф.И.О.", "Дата рождения (дд.мм.гггг)", " иин ", "Регион", "Статус", "Дата согласия"],
            ["full_name", "birth_date", "iin", "region", "status", "consent_date"],
        ),
        (
            [
                "Аты жөні",
                "ЖСН",
                "Облыс",
                "Мәртебесі",
                "Келісім күні",
                "Келісім тәсілі",
                "Кірген күні",
            ],
            ["full_name", "iin", "region", "status", "consent_date", "consent_method", "joined"],
        ),
        (
            ["ФИО", "ИИН", "Регион", "Способ согласия", "Дата вступления"],
            ["full_name", "iin", "region", "consent_method", "joined"],
        ),
        (
            ["Фамилия", "Имя", "Отчество", "ИИН", "Регион"],
            ["surname", "given_name", "patronymic", "iin", "region"],
        ),
    ],
)
def test_headings_in_english_russian_and_kazakh(
    tmp_path: Path, header: list[str], expected: list[str]
) -> None:
    path = write_csv(tmp_path / "list.csv", [header], encoding="utf-8-sig")
    with read_table(path) as table:
        assert list(table.columns) == expected
        assert list(table.columns.values()) == list(range(len(header)))


def test_unknown_columns_are_ignored_and_reported(tmp_path: Path) -> None:
    header = ["№", "ФИО", "ИИН", "Регион", "Примечание"]
    path = write_csv(tmp_path / "list.csv", [header], encoding="utf-8")
    with read_table(path) as table:
        assert table.ignored_columns == ("№", "Примечание")


def test_blank_rows_are_skipped_but_row_numbers_are_the_spreadsheets(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "list.csv", [RU_HEADER, RU_ROW, [""] * 5, [" "] * 5, RU_ROW], encoding="utf-8"
    )
    assert [number for number, _ in rows_of(path)] == [2, 5]


def test_a_title_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "list.xlsx", [["Список членов партии"], [], RU_HEADER, RU_ROW])
    with read_table(path) as table:
        assert table.header_row == 3
        assert [row.row for row in table] == [4]


def test_xlsx_cells_keep_their_types(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            RU_HEADER,
            ["Сейткали Айгерим", datetime(2001, 6, 30), 10630600006, 87011112233, "Алматы"],
        ],
    )
    [(number, cells)] = rows_of(path)
    assert number == 2
    assert cells[1] in (date(2001, 6, 30), datetime(2001, 6, 30))
    assert cells[2] == 10630600006


def test_xlsx_from_a_stream_with_a_filename(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "list.xlsx", [RU_HEADER, RU_ROW])
    stream = io.BytesIO(path.read_bytes())
    with read_table(stream, filename="upload.xlsx") as table:
        assert table.filename == "upload.xlsx"
        assert [row.row for row in table] == [2]


def test_csv_from_a_stream(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [RU_HEADER, RU_ROW], encoding="cp1251")
    assert rows_of(io.BytesIO(path.read_bytes()), filename="upload.csv") == [(2, tuple(RU_ROW))]


def _unreadable(path_or_stream: Path | io.BytesIO, filename: str = "list.xlsx") -> UnreadableFile:
    with pytest.raises(UnreadableFile) as error:
        rows_of(path_or_stream, filename=filename)
    message = error.value.message
    assert message.endswith(".") and message.count(". ") == 0  # one sentence
    return error.value


def test_empty_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    assert _unreadable(tmp_path / "empty.csv").code == "empty"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    assert _unreadable(tmp_path / "bom.csv").code == "empty"


def test_binary_garbage_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "garbage.csv").write_bytes(bytes(range(256)) * 40)
    assert _unreadable(tmp_path / "garbage.csv").code == "not_a_table"


def test_pdf_renamed_xlsx_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "list.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    error = _unreadable(tmp_path / "list.xlsx")
    assert error.code == "not_a_table"
    assert "PDF" in error.message


def test_damaged_xlsx_is_unreadable(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert _unreadable(io.BytesIO(buffer.getvalue())).code == "corrupt"
    truncated = write_xlsx(tmp_path / "list.xlsx", [RU_HEADER, RU_ROW]).read_bytes()[:300]
    assert _unreadable(io.BytesIO(truncated)).code == "corrupt"


def test_text_without_a_header_is_unreadable(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", [RU_ROW, RU_ROW], encoding="utf-8")
    assert _unreadable(path, "list.csv").code == "no_header"


def test_empty_spreadsheet_is_unreadable(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "list.xlsx", [])
    assert _unreadable(path).code == "empty"


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["ФИО", "Дата рождения", "Телефон", "Регион"], "ИИН"),
        (["ФИО", "ИИН", "Телефон"], "Регион"),
        (["Дата рождения", "ИИН", "Регион"], "ФИО"),
    ],
)
def test_missing_required_column_is_unreadable_and_named(
    tmp_path: Path, header: list[str], missing: str
) -> None:
    path = write_csv(tmp_path / "list.csv", [header], encoding="utf-8")
    error = _unreadable(path, "list.csv")
    assert error.code == "missing_columns"
    assert missing in error.message


def test_mixed_encodings_fail_with_an_instruction(tmp_path: Path) -> None:
    head = ("\r\n".join(";".join(row) for row in [RU_HEADER] + [RU_ROW] * 2000)).encode("utf-8")
    tail = ("\r\n" + ";".join(RU_ROW)).encode("cp1251")
    path = tmp_path / "mixed.csv"
    path.write_bytes(head + tail)
    with pytest.raises(UnreadableFile) as error:
        rows_of(path)
    assert error.value.code == "encoding"


def test_csv_is_streamed_not_loaded(tmp_path: Path) -> None:
    class CountingStream(io.BytesIO):
        largest_read = 0

        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            CountingStream.largest_read = max(CountingStream.largest_read, len(chunk))
            return chunk

    path = write_csv(tmp_path / "big.csv", [RU_HEADER] + [RU_ROW] * 20000, encoding="utf-8")
    stream = CountingStream(path.read_bytes())
    with read_table(stream, filename="big.csv") as table:
        first = next(iter(table))
        assert first.row == 2
    assert CountingStream.largest_read <= 64 * 1024
    assert stream.tell() < len(path.read_bytes()) / 2


# --- Hostile spreadsheets: bounded memory, bounded work, a sentence past the bounds ---


MEMORY_BOUND_MB = 512


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each hostile file written once: building a gigabyte of deflate takes a few seconds."""
    folder = tmp_path_factory.mktemp("bombs")
    built = {
        "sheet": zip_bombs.sheet_bomb(),
        "giant_cell": zip_bombs.giant_cell(),
        "far_cell": zip_bombs.far_cell("Z2000000"),
    }
    built["giant_cell_lying"] = zip_bombs.lying_sizes(
        built["giant_cell"], "xl/sharedStrings.xml", 2000
    )
    paths = {}
    for name, data in built.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(data)
    return paths


def refusal(source: Path | io.BytesIO, limits: ReadLimits | None = None) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as refused:
        rows_of(source) if limits is None else list(read_table(source, limits=limits))
    return refused.value


def test_a_small_sheet_that_unpacks_to_a_gigabyte_is_refused_unread(bombs):
    assert bombs["sheet"].stat().st_size < 4 * zip_bombs.MIB
    refused = refusal(bombs["sheet"])
    assert refused.code == "too_large"
    assert "unpacks to more than" in refused.message


def test_a_one_megabyte_file_with_a_gigabyte_cell_is_refused_unread(bombs):
    assert bombs["giant_cell"].stat().st_size < 2 * zip_bombs.MIB
    assert refusal(bombs["giant_cell"]).code == "too_large"


def test_a_bomb_that_lies_about_its_unpacked_size_is_measured_not_believed(bombs):
    declared = zipfile.ZipFile(bombs["giant_cell_lying"]).getinfo("xl/sharedStrings.xml")
    assert declared.file_size == 2000  # the zip claims a small member
    refused = refusal(bombs["giant_cell_lying"])
    assert refused.code in {"too_large", "cell_too_long"}


def test_a_cell_far_down_the_sheet_is_refused_for_the_area_it_spans(bombs):
    refused = refusal(bombs["far_cell"])
    assert refused.code == "too_many_cells"
    assert "52,000,000 cells" in refused.message


def test_a_long_cell_within_the_unpacked_limit_is_refused(tmp_path):
    data = zip_bombs.giant_cell(unpacked_bytes=2 * zip_bombs.MIB)
    refused = refusal(io.BytesIO(data), ReadLimits(max_expansion=10_000))
    assert refused.code == "cell_too_long"
    assert "longer than 10000 characters" in refused.message


def test_millions_of_tiny_shared_strings_are_refused_by_their_count():
    data = zip_bombs.shared_strings_bomb(strings=300_000)
    limits = ReadLimits(max_cells=200_000, max_expansion=10_000)
    assert refusal(io.BytesIO(data), limits).code == "too_many_cells"


def test_cells_without_references_count_by_the_widest_row():
    data = zip_bombs.wide_row_without_references(cells=5_000)
    limits = ReadLimits(max_cells=50_000, max_expansion=10_000)
    refused = refusal(io.BytesIO(data), limits)
    assert refused.code == "too_many_cells"
    assert "105,000 cells" in refused.message  # 21 rows x 5,000 columns


def test_a_workbook_within_the_limits_is_read_as_before(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [RU_HEADER, RU_ROW])
    limits = ReadLimits(max_cells=10, max_cell_chars=30)
    with read_table(path, limits=limits) as table:
        assert [row.row for row in table] == [2]


def test_a_csv_past_the_cell_limit_is_refused_as_it_streams(tmp_path):
    rows = [RU_HEADER] + [RU_ROW] * 50
    path = write_csv(tmp_path / "m.csv", rows, encoding="utf-8")
    refused = refusal(path, ReadLimits(max_cells=100))
    assert refused.code == "too_many_cells"


def test_a_csv_with_a_giant_cell_is_refused(tmp_path):
    rows = [RU_HEADER, [RU_ROW[0] * 500, *RU_ROW[1:]]]
    path = write_csv(tmp_path / "m.csv", rows, encoding="utf-8")
    assert refusal(path, ReadLimits(max_cell_chars=1000)).code == "cell_too_long"


@pytest.mark.parametrize("name", ["sheet", "giant_cell", "giant_cell_lying", "far_cell"])
def test_reading_a_bomb_stays_within_the_memory_bound(bombs, name):
    outcome = zip_bombs.check_in_a_fresh_process(bombs[name])
    assert outcome.get("code") in {"too_large", "too_many_cells", "cell_too_long"}, outcome
    assert outcome["peak_mb"] < MEMORY_BOUND_MB, outcome


def test_the_largest_sheet_within_the_limits_is_read_within_the_memory_bound(tmp_path):
    """2.45 million cells of distinct numbers: about the most calamine may be asked to hold."""
    import random

    rng = random.Random(7)

    def pieces():
        yield zip_bombs.SHEET_HEAD + zip_bombs.HEADER_ROW
        for start in range(2, 245_002, 5_000):
            yield "".join(
                f'<row r="{r}">'
                + "".join(f'<c r="{c}{r}"><v>{rng.randrange(10**9)}</v></c>' for c in "ABCDEFGHIJ")
                + "</row>"
                for r in range(start, start + 5_000)
            ).encode()
        yield zip_bombs.SHEET_TAIL

    path = tmp_path / "largest.xlsx"
    path.write_bytes(zip_bombs.workbook(pieces()))
    outcome = zip_bombs.check_in_a_fresh_process(path)
    assert outcome.get("rows") == 245_000, outcome  # read, not refused
    assert outcome["peak_mb"] < MEMORY_BOUND_MB, outcome


def _xls(path, rows):  # type: ignore[no-untyped-def]
    """A real binary .xls (BIFF8, written by xlwt): {(row, column): value}."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("members")
    for (row, column), value in rows.items():
        sheet.write(row, column, value)
    book.save(str(path))
    return path


def test_an_old_xls_with_one_far_cell_is_refused_before_calamine_holds_a_dense_grid(tmp_path):
    """Finding 3: a 6 KB .xls with a cell at row 65,536, column 256 cost 1 GB to read."""
    rows = {(0, c): h for c, h in enumerate(RU_HEADER)}
    rows[(65_535, 255)] = "x"
    path = _xls(tmp_path / "far.xls", rows)
    assert path.stat().st_size < 10_000
    outcome = zip_bombs.check_in_a_fresh_process(path)
    assert outcome.get("code") == "too_many_cells", outcome
    assert "16,777,216 cells" in str(outcome["message"])
    assert outcome["peak_mb"] < MEMORY_BOUND_MB, outcome


def test_an_old_xls_within_the_limits_is_read_as_before(tmp_path):
    rows = {(0, c): h for c, h in enumerate(RU_HEADER)}
    rows.update({(1, c): v for c, v in enumerate(RU_ROW)})
    path = _xls(tmp_path / "m.xls", rows)
    with read_table(path, limits=ReadLimits(max_cells=len(RU_HEADER) * 2)) as table:
        assert [row.row for row in table] == [2]
    with pytest.raises(UnreadableFile) as refused:
        read_table(path, limits=ReadLimits(max_cells=len(RU_HEADER) * 2 - 1))
    assert refused.value.code == "too_many_cells"


ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="m">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ods_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell{repeated} office:value-type="string"><text:p>{text}</text:p>'
        "</table:table-cell>"
    )


def _ods(path, rows: str):  # type: ignore[no-untyped-def]
    """A real ODS file (mimetype first and stored, manifest, content.xml) with these rows."""
    import zipfile

    header = "<table:table-row>" + "".join(_ods_cell(h) for h in RU_HEADER) + "</table:table-row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", ODS_HEAD + header + rows + ODS_TAIL)
        book.writestr("META-INF/manifest.xml", ODS_MANIFEST)
    return path


def test_an_ods_repeating_a_filled_row_is_refused_by_the_cells_it_stands_for(tmp_path):
    """A 1 KB ODS that repeats one filled row 200,000 times over 100 columns cost 2.5 GB."""
    row = (
        '<table:table-row table:number-rows-repeated="200000">'
        + _ods_cell("x", repeat=100)
        + "</table:table-row>"
    )
    path = _ods(tmp_path / "repeated.ods", row)
    assert path.stat().st_size < 2_000
    outcome = zip_bombs.check_in_a_fresh_process(path)
    assert outcome.get("code") == "too_many_cells", outcome
    assert outcome["peak_mb"] < MEMORY_BOUND_MB, outcome


def test_an_ods_ending_in_a_million_empty_rows_as_libreoffice_writes_it_is_read(tmp_path):
    filled = "<table:table-row>" + "".join(_ods_cell(v) for v in RU_ROW) + "</table:table-row>"
    empty = (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = _ods(tmp_path / "libreoffice.ods", filled + empty)
    with read_table(path, limits=ReadLimits(max_cells=100)) as table:
        assert [row.row for row in table] == [2]
