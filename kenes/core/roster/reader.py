"""Reading a member list from CSV or XLSX, row by row.

The format is decided by the file's content, not its name (a PDF renamed
.xlsx is still a PDF). CSV is streamed, so memory stays flat however long the
list; XLSX is read with python-calamine. Row numbers are the spreadsheet's
own (header in row 1 means the first member is row 2), so a coordinator can
find the row the report names. Anything that cannot be read as a member list
raises UnreadableFile with one sentence saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple, TypeAlias

import python_calamine

from kenes.core.roster.cells import Cell, cell_text
from kenes.core.roster.headers import describe_missing, match_header
from kenes.core.roster.limits import DEFAULT_LIMITS, LimitExceeded, ReadLimits, check_zip

Source: TypeAlias = str | os.PathLike[str] | IO[bytes]
_Closer: TypeAlias = Callable[[], None] | None

_SAMPLE_BYTES = 64 * 1024
# A title or a blank band above the header is common; a header further down
# than this is not a member list.
_HEADER_SEARCH_ROWS = 30
_KZ1048_ONLY = re.compile(rb"[\x8d\x8e\x9d\x9e\xa1\xa2\xa3\xa5\xaa\xaf\xb4\xba\xbc-\xbf]")
_SAVE_AS = "save the member list as XLSX or CSV (UTF-8) and upload that file"


class UnreadableFile(Exception):
    """A file that cannot be read as a member list; `code` says why.

    Codes: empty, not_a_table, corrupt, encrypted, encoding, no_header,
    missing_columns; and past the reading limits (ReadLimits): too_large,
    too_many_cells, cell_too_long.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TableRow(NamedTuple):
    """One non-empty data row: its spreadsheet row number and raw cells."""

    row: int
    cells: tuple[Cell, ...]


@dataclass
class MemberTable:
    """A member list whose header has been recognised; iterate once for its rows.

    `columns` maps a field (full_name, iin, region, ...) to its column index.
    """

    filename: str
    format: str
    header_row: int
    columns: Mapping[str, int]
    ignored_columns: tuple[str, ...]
    _rows: Iterator[TableRow] = field(repr=False)
    _close: _Closer = field(default=None, repr=False)

    def __iter__(self) -> Iterator[TableRow]:
        return self._rows

    def close(self) -> None:
        """Release the file (also done when iteration ends)."""
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> MemberTable:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Replay(io.RawIOBase):
    """A byte stream that first replays the sample already read from `rest`."""

    def __init__(self, sample: bytes, rest: IO[bytes]) -> None:
        self._sample = memoryview(sample)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._sample:
            size = min(len(buffer), len(self._sample))
            buffer[:size] = self._sample[:size]
            self._sample = self._sample[size:]
            return size
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _csv_failure(error: Exception, filename: str) -> UnreadableFile:
    """The UnreadableFile for a CSV that breaks while it is being read."""
    if isinstance(error, UnicodeDecodeError):
        return UnreadableFile(
            "encoding",
            f"{filename} mixes text encodings; open it in Excel and save it again "
            "as CSV UTF-8, then upload that file.",
        )
    return UnreadableFile("corrupt", f"{filename} is a damaged CSV file; {_SAVE_AS}.")


def _with_header(
    raw_rows: Iterator[Sequence[Cell]],
    *,
    filename: str,
    fmt: str,
    close: _Closer,
    limits: ReadLimits,
) -> MemberTable:
    """Find the header among the first rows, then hand out the rows below it.

    Text tables (CSV) are bounded here, as they stream: cells read so far and
    the length of each; spreadsheets were bounded before calamine opened them.
    """
    bounded = fmt == "csv"
    cells_read = 0

    def within_limits(cells: Sequence[Cell]) -> None:
        nonlocal cells_read
        cells_read += len(cells)
        if cells_read > limits.max_cells:
            raise UnreadableFile(
                "too_many_cells",
                f"{filename} has more than {limits.max_cells:,} cells; "
                "split the member list into smaller files and upload each.",
            )
        if cells and max(map(len, cells)) > limits.max_cell_chars:  # type: ignore[arg-type]
            raise UnreadableFile(
                "cell_too_long",
                f"{filename} has a cell longer than {limits.max_cell_chars} characters; "
                "shorten it and upload the file again.",
            )

    best = None
    seen_text = False
    numbered_rows = enumerate(raw_rows, start=1)
    try:
        for number, cells in numbered_rows:
            if number > _HEADER_SEARCH_ROWS:
                break
            if bounded:
                within_limits(cells)
            texts = [cell_text(cell) for cell in cells]
            seen_text = seen_text or any(texts)
            header = match_header(texts)
            # Two recognised headings make a header; one could be a title cell.
            if len(header.columns) >= 2:
                best = (number, header)
                break
    except (UnicodeDecodeError, csv.Error) as error:
        raise _csv_failure(error, filename) from None
    if not seen_text:
        raise UnreadableFile("empty", f"{filename} is empty; {_SAVE_AS}.")
    if best is None:
        raise UnreadableFile(
            "no_header",
            f"No header row with column names such as ФИО, ИИН, Регион was found in {filename}; "
            "put the column names in the first row and upload the file again.",
        )
    header_row, header = best
    missing = header.missing_required()
    if missing:
        raise UnreadableFile(
            "missing_columns",
            f"{filename} has no column for {describe_missing(missing)}; "
            "add the column with that heading and upload the file again.",
        )

    def data_rows() -> Iterator[TableRow]:
        try:
            for number, cells in numbered_rows:
                if bounded:
                    within_limits(cells)
                # Skip blank rows (inlined: this loop runs once per row of the list).
                for cell in cells:
                    if (
                        cell is not None
                        and cell != ""
                        and not (type(cell) is str and cell.isspace())
                    ):
                        yield TableRow(number, tuple(cells))
                        break
        except (UnicodeDecodeError, csv.Error) as error:
            raise _csv_failure(error, filename) from None
        finally:
            if close is not None:
                close()

    return MemberTable(
        filename=filename,
        format=fmt,
        header_row=header_row,
        columns=header.columns,
        ignored_columns=header.ignored_columns,
        _rows=data_rows(),
        _close=close,
    )


def _guess_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text"), else Windows-1251/KZ-1048."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # final=False: the sample may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        # Kazakh Windows (KZ-1048) is Windows-1251 with Kazakh letters in the
        # places of Serbian/Ukrainian ones that Kazakh lists never contain.
        return "kz1048" if _KZ1048_ONLY.search(sample) else "cp1251"
    return "utf-8"


def _guess_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number of fields.

    Russian-locale Excel writes ";" and headings like "Фамилия, имя, отчество"
    contain commas, so counting characters is not enough: consistency decides.
    """
    lines = [line for line in text.splitlines()[:-1] or text.splitlines() if line.strip()][:20]
    best, best_score = ",", (0.0, 0)
    for delimiter in (";", "\t", ","):
        counts = [len(fields) for fields in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _looks_binary(sample: bytes, encoding: str) -> bool:
    if encoding == "utf-16":
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample[:4096] if byte < 32 and byte not in (9, 10, 13))
    return controls > len(sample[:4096]) // 100


def _read_csv(
    sample: bytes, stream: IO[bytes], *, filename: str, close: _Closer, limits: ReadLimits
) -> MemberTable:
    encoding = _guess_encoding(sample)
    if _looks_binary(sample, encoding):
        raise UnreadableFile(
            "not_a_table", f"{filename} is not a spreadsheet or a text table; {_SAVE_AS}."
        )
    sample_text = sample.decode(encoding, errors="replace")
    delimiter = _guess_delimiter(sample_text.lstrip("\ufeff"))
    text = io.TextIOWrapper(
        io.BufferedReader(_Replay(sample, stream)), encoding=encoding, newline=""
    )

    rows = csv.reader(text, delimiter=delimiter)
    return _with_header(rows, filename=filename, fmt="csv", close=close, limits=limits)


def _read_workbook(
    source: Any, *, filename: str, close: _Closer, limits: ReadLimits
) -> MemberTable:
    try:
        # Before calamine, which holds the whole sheet in memory: refuse what
        # would unpack past the limits (a zip bomb is a few MB on the wire).
        check_zip(source, filename=filename, limits=limits)
    except LimitExceeded as exceeded:
        if close is not None:
            close()
        if exceeded.code == "corrupt":
            raise UnreadableFile(
                "corrupt", f"{filename} is a damaged spreadsheet; {_SAVE_AS}."
            ) from None
        raise UnreadableFile(exceeded.code, exceeded.message) from None
    try:
        if isinstance(source, str | os.PathLike):
            workbook = python_calamine.CalamineWorkbook.from_path(source)
        else:
            workbook = python_calamine.CalamineWorkbook.from_filelike(source)
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except python_calamine.PasswordError:
        raise UnreadableFile(
            "encrypted", f"{filename} is protected by a password; remove it and upload again."
        ) from None
    except Exception:  # calamine raises several error types for damaged files
        raise UnreadableFile(
            "corrupt", f"{filename} is a damaged spreadsheet; {_SAVE_AS}."
        ) from None
    if close is not None:
        close()  # calamine holds its own copy of the data

    # calamine yields every row from the top of the sheet, blank ones included,
    # so counting from 1 gives the row numbers Excel shows.
    return _with_header(rows, filename=filename, fmt="xlsx", close=None, limits=limits)


def read_table(
    source: Source, *, filename: str | None = None, limits: ReadLimits = DEFAULT_LIMITS
) -> MemberTable:
    """Open a member list (CSV or XLSX/XLS/ODS by content) and recognise its header.

    `source` is a path or a binary stream (e.g. an uploaded file); `filename`
    is used in messages (defaults to the path's name). Reading costs at most
    `limits` (cells, cell length, unpacked size): past them the file is
    refused with UnreadableFile before it is unpacked.
    """
    if isinstance(source, str | os.PathLike):
        name = filename or os.path.basename(os.fspath(source))
        stream: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed by the table
        close: _Closer = stream.close
    else:
        name = filename or "the file"
        stream, close = source, None
    try:
        sample = stream.read(_SAMPLE_BYTES)
        if not sample or not sample.strip(b" \t\r\n\xef\xbb\xbf"):
            raise UnreadableFile("empty", f"{name} is empty; {_SAVE_AS}.")
        if sample.startswith(b"%PDF"):
            raise UnreadableFile("not_a_table", f"{name} is a PDF document; {_SAVE_AS}.")
        if sample.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            if isinstance(source, str | os.PathLike):
                return _read_workbook(source, filename=name, close=close, limits=limits)
            return _read_workbook(
                io.BytesIO(sample + stream.read()), filename=name, close=None, limits=limits
            )
        return _read_csv(sample, stream, filename=name, close=close, limits=limits)
    except BaseException:
        if close is not None:
            close()
        raise
