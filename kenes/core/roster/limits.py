"""How much reading one uploaded member list may cost, and the zip check behind it.

An XLSX or ODS file is a zip of XML. Deflate shrinks a run of one byte about
a thousand times, so an upload well within the size limit can unpack to
gigabytes (one giant cell, millions of tiny shared strings, a cell far down
the sheet that makes the reader allocate every cell above and left of it).
calamine, which reads the sheet, holds it all in memory at once; so the zip is
inspected first, with its members decompressed in small blocks and nothing
kept, and refused with one sentence when it would cost more than the limits:

- the members' real unpacked size (declared sizes are not trusted: each
  stream is inflated to its actual end) and its ratio to the packed size;
- rows x columns of every sheet (the area calamine allocates);
- the length of any one piece of text (a cell, a shared string, an attribute);
- the number of shared strings.

Limits are plain numbers passed in by the caller (the Django side reads them
from settings), so this module stays free of Django.
"""

from __future__ import annotations

import copy
import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import IO, Any

MIB = 1024 * 1024
_BLOCK = 4 * MIB
# A member smaller than this may compress very well (styles, empty sheets)
# without costing anything; the ratio limit applies above it.
_RATIO_FLOOR = MIB
# The central directory names every member (46 bytes + name each); a list of
# members bigger than this is not a spreadsheet written by an office program.
_MAX_DIRECTORY_BYTES = MIB
_EOCD = b"PK\x05\x06"

_ROW_START = re.compile(rb"<(?:\w+:)?(?:table-)?row[\s>/]")
_CELL_START = re.compile(rb"<(?:\w+:)?(?:c|table-cell|covered-table-cell)[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
# A cell's reference (r="AB12"), in any spelling XML allows (quotes, spaces).
_CELL_REF = re.compile(rb"""r\s*=\s*["']\s*([A-Za-z]{1,4})\$?([0-9]+)""")
_ROW_NUMBER = re.compile(rb"""<(?:\w+:)?row\s[^>]*?\br\s*=\s*["']\s*([0-9]+)""")


@dataclass(frozen=True)
class ReadLimits:
    """The most one uploaded member list may cost to read.

    The defaults read a list of 150,000 members with 15 columns in well
    under 512 MB of memory; each is a setting on the Django side.
    """

    max_cells: int = 2_500_000
    max_cell_chars: int = 10_000
    max_unpacked_bytes: int = 128 * MIB
    max_expansion: int = 100

    @property
    def max_text_bytes(self) -> int:
        # A character takes up to 4 bytes in UTF-8 and up to 8 as an XML
        # character reference (&#x1F600;); markup around it adds a little.
        return 8 * self.max_cell_chars + 1024


DEFAULT_LIMITS = ReadLimits()


class LimitExceeded(Exception):
    """The file is within the upload size but would cost too much to read."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _directory_size(head: IO[bytes]) -> int:
    """The central directory's size from the end-of-directory record (0 if not found)."""
    head.seek(0, os.SEEK_END)
    size = head.tell()
    tail_start = max(0, size - 66 * 1024)
    head.seek(tail_start)
    tail = head.read()
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return 0
    (directory_bytes,) = struct.unpack("<I", tail[at + 12 : at + 16])
    return int(directory_bytes)


class _SheetShape:
    """Rows and columns of one sheet, counted as its XML streams past."""

    def __init__(self) -> None:
        self.rows = 0
        self.max_row = 0
        self.max_column = 0
        self.widest_row = 0
        self.cells_in_row = 0

    def feed(self, body: bytes) -> None:
        cells = len(_CELL_START.findall(body))
        references = _CELL_REF.findall(body)
        if references:
            columns = {letters.upper() for letters, _ in references}
            self.max_column = max(self.max_column, max(map(_column_number, columns)))
            self.max_row = max(self.max_row, max(map(int, {digits for _, digits in references})))
        if cells <= len(references):
            return  # every cell says where it is
        # Some cells carry no reference: the reader places them one after
        # another, so the widest row is counted row by row.
        numbers = _ROW_NUMBER.findall(body)
        if numbers:
            self.max_row = max(self.max_row, max(map(int, set(numbers))))
        starts = [m.start() for m in _ROW_START.finditer(body)]
        bounds = [0, *starts, len(body)]
        for index in range(len(bounds) - 1):
            if index > 0:  # a new row starts here
                self.rows += 1
                self.cells_in_row = 0
            self.cells_in_row += len(_CELL_START.findall(body, bounds[index], bounds[index + 1]))
            self.widest_row = max(self.widest_row, self.cells_in_row)

    def cells(self) -> int:
        rows = max(self.rows, self.max_row)
        columns = max(self.widest_row, self.max_column)
        return rows * columns


_ODS_TAG = re.compile(rb"<(/?)(?:\w+:)?(table-row|table-cell|covered-table-cell|p|table)\b([^>]*)>")
_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["']\s*([0-9]+)""")
_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["']\s*([0-9]+)""")


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    found = pattern.search(attributes)
    return max(1, int(found.group(1))) if found else 1


class _OdsShape:
    """Rows and columns of an ODS sheet as calamine lays it out, repeats included.

    `number-rows-repeated` and `number-columns-repeated` make one row or cell stand for
    many: a 1 KB file repeating a filled row 200,000 times across 100 columns cost 2.5 GB to
    read. Repeated rows and cells with nothing in them cost nothing (LibreOffice ends every
    sheet with a million empty rows), so they count only if a filled row follows them.
    """

    def __init__(self) -> None:
        self.rows = 0  # up to the last filled row
        self.width = 0  # up to the last filled column of any row
        self.pending = 0  # empty rows since the last filled one
        self.row_repeat = 1
        self.column = 0
        self.row_width = 0
        self.cell_repeat = 1
        self.cell_filled = False
        self.best = 0  # the largest sheet so far

    def _cell_done(self, repeat: int, filled: bool) -> None:
        if filled:
            self.row_width = self.column + repeat
        self.column += repeat

    def feed(self, body: bytes) -> None:
        for closing, name, attributes in _ODS_TAG.findall(body):
            empty = attributes.rstrip().endswith(b"/")
            if name == b"table" and not closing:
                self.best = max(self.best, self.cells())
                self.rows = self.width = self.pending = 0
            elif name == b"table-row" and not closing:
                self.row_repeat = _repeat(_ROWS_REPEATED, attributes)
                self.column = self.row_width = 0
                if empty:
                    self.pending += self.row_repeat
            elif name == b"table-row":
                if self.row_width:
                    self.rows += self.pending + self.row_repeat
                    self.pending = 0
                    self.width = max(self.width, self.row_width)
                else:
                    self.pending += self.row_repeat
            elif name in (b"table-cell", b"covered-table-cell") and not closing:
                repeat = _repeat(_COLUMNS_REPEATED, attributes)
                filled = b"value-type" in attributes
                if empty:
                    self._cell_done(repeat, filled)
                else:
                    self.cell_repeat, self.cell_filled = repeat, filled
            elif name in (b"table-cell", b"covered-table-cell"):
                self._cell_done(self.cell_repeat, self.cell_filled)
                self.cell_repeat, self.cell_filled = 1, False
            elif name == b"p" and not closing:
                self.cell_filled = True

    def cells(self) -> int:
        return max(self.best, self.rows * self.width)


def _is_sheet(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("xl/worksheets/") or lowered == "content.xml"


class _Inspection:
    def __init__(self, limits: ReadLimits, filename: str) -> None:
        self.limits = limits
        self.filename = filename
        self.unpacked = 0

    def too_big(self) -> LimitExceeded:
        limit_mb = self.limits.max_unpacked_bytes // MIB
        return LimitExceeded(
            "too_large",
            f"{self.filename} unpacks to more than {limit_mb} MB; "
            "split the member list into smaller files and upload each.",
        )

    def inflated(self) -> LimitExceeded:
        return LimitExceeded(
            "too_large",
            f"{self.filename} unpacks to more than {self.limits.max_expansion} times its size, "
            "which a member list never does; open it in Excel, save it again and upload that file.",
        )

    def too_long(self) -> LimitExceeded:
        return LimitExceeded(
            "cell_too_long",
            f"{self.filename} has a cell longer than {self.limits.max_cell_chars} characters; "
            "shorten it (a member list holds names, numbers and addresses) and upload again.",
        )

    def too_many_cells(self, cells: int) -> LimitExceeded:
        return LimitExceeded(
            "too_many_cells",
            f"{self.filename} spans {cells:,} cells (rows x columns), more than the "
            f"{self.limits.max_cells:,} one upload may have; delete empty rows and columns "
            "or split the list into smaller files.",
        )

    def check_declared(self, info: zipfile.ZipInfo) -> None:
        self.unpacked += info.file_size
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise self.too_big()
        if (
            info.file_size > _RATIO_FLOOR
            and info.file_size > self.limits.max_expansion * info.compress_size
        ):
            raise self.inflated()

    def scan(self, book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
        """Inflate one XML member to its real end in blocks; return its real size."""
        # Read past the declared size: the reader calamine uses may not stop there.
        real = copy.copy(info)
        real.file_size = budget + 1
        ceiling = max(_RATIO_FLOOR, self.limits.max_expansion * info.compress_size)
        limit_text = self.limits.max_text_bytes
        sheet: _SheetShape | _OdsShape | None = None
        if info.filename.lower() == "content.xml":
            sheet = _OdsShape()
        elif _is_sheet(info.filename):
            sheet = _SheetShape()
        strings = 0
        total = 0
        carry = b""
        with book.open(real) as stream:
            while block := stream.read(_BLOCK):
                total += len(block)
                if total > budget:
                    raise self.too_big()
                if total > ceiling:
                    raise self.inflated()
                buffer = carry + block
                cut = buffer.rfind(b">") + 1
                body, carry = buffer[:cut], buffer[cut:]
                if len(carry) > limit_text or max(map(len, body.split(b"<"))) > limit_text:
                    raise self.too_long()
                if sheet is not None:
                    sheet.feed(body)
                    if sheet.rows > self.limits.max_cells or sheet.cells() > self.limits.max_cells:
                        raise self.too_many_cells(sheet.cells())
                if sheet is None:
                    strings += len(_SHARED_STRING.findall(body))
                if strings > self.limits.max_cells:
                    raise self.too_many_cells(strings)
        return total


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# BIFF8 cell records whose body starts with the cell's row and column (u16, u16): LABELSST,
# NUMBER, RK, BLANK, BOOLERR, FORMULA, LABEL, RSTRING (Microsoft [MS-XLS] 2.4).
_BIFF_CELLS = frozenset({0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0006, 0x0204, 0x00D6})
# MULRK and MULBLANK: row, first column, ..., last column in the record's last two bytes.
_BIFF_MULTI = frozenset({0x00BD, 0x00BE})


def check_xls(handle: IO[bytes], *, filename: str, limits: ReadLimits) -> None:
    """Refuse an old binary .xls whose cells span more than `limits.max_cells`.

    calamine holds a sheet as a dense grid from the top-left corner to the farthest cell: one
    cell at row 65,536, column 256 of a 6 KB file cost 1 GB (issue 10, finding 3). The cell
    records of the Workbook stream say where every cell is; the farthest row and column are
    read from them (not from the DIMENSIONS record, which a file can falsify) before calamine
    opens the file. The stream is at most the upload's size. A damaged file is left for the
    reader to report.
    """
    import olefile  # noqa: PLC0415 - only for .xls uploads

    try:
        ole = olefile.OleFileIO(handle)
    except (OSError, ValueError, struct.error):
        return
    try:
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            return
        data = ole.openstream(stream).read()
    except (OSError, ValueError, struct.error):
        return
    finally:
        ole.close()
    max_row = max_column = -1
    position = 0
    while position + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, position)
        body = position + 4
        if kind in _BIFF_CELLS and size >= 4:
            row, column = struct.unpack_from("<HH", data, body)
        elif kind in _BIFF_MULTI and size >= 6:
            (row,) = struct.unpack_from("<H", data, body)
            (column,) = struct.unpack_from("<H", data, body + size - 2)
        else:
            row = column = -1
        max_row, max_column = max(max_row, row), max(max_column, column)
        position = body + size
    cells = (max_row + 1) * (max_column + 1)
    if cells > limits.max_cells:
        raise _Inspection(limits, filename).too_many_cells(cells)


def check_zip(
    source: str | os.PathLike[str] | IO[bytes], *, filename: str, limits: ReadLimits
) -> None:
    """Refuse a zip-based spreadsheet that would cost more than `limits` to read.

    Inflates each XML member once, in 4 MB blocks, stopping at the first limit
    passed; memory stays at a few blocks whatever the file. Raises
    LimitExceeded with a sentence; a damaged zip is left for the reader to report.
    """
    inspection = _Inspection(limits, filename)
    handle: IO[bytes] = open(source, "rb") if isinstance(source, str | os.PathLike) else source  # noqa: SIM115
    try:
        start = handle.tell()
        if handle.read(len(_OLE_MAGIC)) == _OLE_MAGIC:  # an old binary .xls, not a zip
            handle.seek(start)
            check_xls(handle, filename=filename, limits=limits)
            return
        handle.seek(start)
        if _directory_size(handle) > _MAX_DIRECTORY_BYTES:
            raise LimitExceeded(
                "too_large",
                f"{filename} holds too many parts to be a member list; "
                "open it in Excel, save it again and upload that file.",
            )
        handle.seek(start)
        try:
            book = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return  # not a readable zip: the reader says the file is damaged
        with book:
            members = book.infolist()
            for info in members:
                inspection.check_declared(info)
            inspection.unpacked = 0
            for info in members:
                if not info.filename.lower().endswith((".xml", ".rels")):
                    inspection.unpacked += info.file_size
                    continue
                budget = limits.max_unpacked_bytes - inspection.unpacked
                try:
                    inspection.unpacked += inspection.scan(book, info, budget)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                    raise LimitExceeded(
                        "corrupt", f"{filename} is a damaged spreadsheet."
                    ) from None
                except RuntimeError:
                    return  # encrypted member: the reader says so
                if inspection.unpacked > limits.max_unpacked_bytes:
                    raise inspection.too_big()
    finally:
        if handle is not source:
            handle.close()
        else:
            handle.seek(start)


def describe(limits: ReadLimits) -> dict[str, Any]:
    """The limits in a form for documentation and --json output."""
    return {
        "max_cells": limits.max_cells,
        "max_cell_chars": limits.max_cell_chars,
        "max_unpacked_mb": limits.max_unpacked_bytes // MIB,
        "max_expansion": limits.max_expansion,
    }


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]{1,4}[0-9]{1,7}:[A-Z]{1,4}([0-9]{1,7})"')


def estimate_sheet_rows(data: bytes) -> int:
    """Rows the first sheet of an XLSX says it has (its <dimension>), without reading it.

    For a progress bar only: the figure is the file's own claim, capped, and 0
    when the file does not say. Inflates at most 64 KB.
    """
    handle = io.BytesIO(data)
    try:
        if _directory_size(handle) > _MAX_DIRECTORY_BYTES:
            return 0
        handle.seek(0)
        with zipfile.ZipFile(handle) as book:
            sheets = sorted(
                info.filename
                for info in book.infolist()
                if info.filename.startswith("xl/worksheets/sheet")
            )
            if not sheets:
                return 0
            with book.open(sheets[0]) as stream:
                head = stream.read(64 * 1024)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return 0
    found = _DIMENSION.search(head)
    return max(0, min(int(found.group(1)) - 1, DEFAULT_LIMITS.max_cells)) if found else 0
