"""Hostile XLSX files, built for real: what an adversary uploads to take the site down.

Each is a valid zip holding a workbook calamine would open; the sheet or the
shared strings are what make it hostile.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

MIB = 1024 * 1024
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} xmlns:r="{_REL}">'
    '<sheets><sheet name="Members" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>ФИО</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>ИИН</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Регион</t></is></c></row>'
).encode()
EMPTY_STRINGS = f'<sst {_NS} count="0" uniqueCount="0"></sst>'.encode()


def workbook(sheet: Iterable[bytes], strings: Iterable[bytes] = (EMPTY_STRINGS,)) -> bytes:
    """An XLSX whose first sheet and shared strings are streamed from the given pieces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, pieces in (
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", strings),
        ):
            with book.open(name, "w", force_zip64=True) as member:
                for piece in pieces:
                    member.write(piece)
    return buffer.getvalue()


def sheet_bomb(unpacked_bytes: int = 1024 * MIB) -> bytes:
    """Rows of tiny cells that deflate ~400 times: a few MB on the wire, a gigabyte unpacked."""

    def pieces() -> Iterable[bytes]:
        yield SHEET_HEAD + HEADER_ROW
        row = b"<row>" + b"<c><v>1</v></c>" * 10 + b"</row>"
        block = row * (MIB // len(row))
        for _ in range(unpacked_bytes // len(block)):
            yield block
        yield SHEET_TAIL

    return workbook(pieces())


def giant_cell(unpacked_bytes: int = 1024 * MIB) -> bytes:
    """One shared string of a gigabyte in a file of about 1 MB."""
    head = f'<sst {_NS} count="1" uniqueCount="1"><si><t>'.encode()
    cell = b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    chunk = b"A" * MIB
    return workbook(
        [SHEET_HEAD, HEADER_ROW, cell, SHEET_TAIL],
        [head, *([chunk] * (unpacked_bytes // MIB)), b"</t></si></sst>"],
    )


def shared_strings_bomb(strings: int = 5_000_000) -> bytes:
    """Millions of tiny distinct shared strings (each costs the reader far more than its bytes)."""

    def pieces() -> Iterable[bytes]:
        yield f'<sst {_NS} count="{strings}" uniqueCount="{strings}">'.encode()
        batch = 100_000
        for start in range(0, strings, batch):
            yield b"".join(b"<si><t>%d</t></si>" % n for n in range(start, start + batch))
        yield b"</sst>"

    return workbook([SHEET_HEAD, HEADER_ROW, SHEET_TAIL], pieces())


def far_cell(reference: str = "Z2000000") -> bytes:
    """Two cells, one at the far corner: the reader allocates every cell between them."""
    row = int("".join(ch for ch in reference if ch.isdigit()))
    far = f'<row r="{row}"><c r="{reference}"><v>1</v></c></row>'.encode()
    return workbook([SHEET_HEAD, HEADER_ROW, far, SHEET_TAIL])


def wide_row_without_references(cells: int) -> bytes:
    """A row of cells that carry no reference: the reader lines them up one after another."""
    row = b"<row>" + b"<c><v>1</v></c>" * cells + b"</row>"
    return workbook([SHEET_HEAD, HEADER_ROW, *([row] * 20), SHEET_TAIL])


def lying_sizes(data: bytes, member: str, declared: int) -> bytes:
    """The same zip with `member`'s uncompressed size declared as `declared` bytes.

    Local header and central directory both lie (zip64 extra fields too), as a
    crafted bomb would to slip past a check of the declared sizes.
    """
    book = zipfile.ZipFile(io.BytesIO(data))
    info = book.getinfo(member)
    patched = bytearray(data)
    real = info.file_size
    for needle in (struct.pack("<Q", real),):
        at = patched.find(needle)
        while at >= 0:
            patched[at : at + 8] = struct.pack("<Q", declared)
            at = patched.find(needle, at + 8)
    if real < 0xFFFFFFFF:
        needle32 = struct.pack("<I", real)
        at = patched.find(needle32)
        while at >= 0:
            patched[at : at + 4] = struct.pack("<I", declared)
            at = patched.find(needle32, at + 4)
    return bytes(patched)


# VmHWM (this process image's peak resident memory), not ru_maxrss: Linux keeps ru_maxrss
# across exec, so a child of a large pytest process would report its parent's size.
PEAK_MEMORY = """
import sys, json
from kenes.core.roster import UnreadableFile, check_file
try:
    report = check_file(sys.argv[1])
    outcome = {"rows": report.rows}
except UnreadableFile as refused:
    outcome = {"code": refused.code, "message": refused.message}
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
outcome["peak_mb"] = peak_kb / 1024
print(json.dumps(outcome))
"""


def check_in_a_fresh_process(path: Path) -> dict[str, object]:
    """check_file on `path` in its own Python process; its outcome and peak memory (MB)."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
