"""Readers for ballot files: BLT, PrefLib (soc/soi/toc/toi), CSV and cast-vote records
(NIST CVR Common Data Format JSON and XML, Dominion's CVR export, ES&S spreadsheets, Clear
Ballot CSV)."""

from __future__ import annotations

import csv
import gzip
import io
import typing
import zipfile
from pathlib import Path
from typing import BinaryIO, TextIO

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.formats.blt import parse_blt, read_blt, write_blt
from kenes.core.tally.formats.clear_ballot import is_clear_ballot_header, parse_clear_ballot
from kenes.core.tally.formats.csv_ballots import parse_csv
from kenes.core.tally.formats.dominion import parse_dominion
from kenes.core.tally.formats.ess import parse_ess
from kenes.core.tally.formats.nist_cdf import parse_nist_cdf, write_nist_cdf
from kenes.core.tally.formats.nist_xml import parse_nist_xml
from kenes.core.tally.formats.preflib import parse_preflib
from kenes.core.tally.profile import Profile

__all__ = [
    "FORMATS",
    "load_profile",
    "parse_blt",
    "parse_clear_ballot",
    "parse_csv",
    "parse_dominion",
    "parse_ess",
    "parse_nist_cdf",
    "parse_nist_xml",
    "parse_preflib",
    "write_blt",
    "write_nist_cdf",
]

_PREFLIB = ("soc", "soi", "toc", "toi")
# the cast-vote-record formats, read as a stream; each holds several contests
_STREAMED = ("nist", "nist-xml", "dominion", "ess", "clearballot")
FORMATS = ("blt", "preflib", "csv", *_STREAMED)


def _open_text(path: Path, compressed: bool) -> TextIO:
    # newline="": the CSV reader sees line ends inside quoted cells as they are
    if compressed:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _open_binary(path: Path, compressed: bool) -> BinaryIO:
    if compressed:
        return typing.cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def _load_streamed(path: Path, kind: str, compressed: bool, contest: str | None) -> Profile:
    try:
        if kind in ("dominion", "ess"):
            if compressed:
                what = (
                    "the Dominion export: its files go together"
                    if kind == "dominion"
                    else ("the .xlsx workbook: it is compressed already")
                )
                raise BallotFileError(1, f"unpack {what}")
            return parse_dominion(path, contest) if kind == "dominion" else parse_ess(path, contest)
        if kind == "nist-xml":
            with _open_binary(path, compressed) as binary:
                return parse_nist_xml(binary, contest)
        with _open_text(path, compressed) as stream:
            if kind == "clearballot":
                return parse_clear_ballot(stream, contest)
            return parse_nist_cdf(stream, contest)
    except UnicodeDecodeError as exc:
        raise BallotFileError(1, "the file is not UTF-8 text") from exc
    except (gzip.BadGzipFile, EOFError, zipfile.BadZipFile) as exc:
        raise BallotFileError(1, f"the file is not a complete gzip file ({exc})") from exc


def _is_clear_ballot(path: Path, compressed: bool) -> bool:
    """Whether a CSV file's header is a Clear Ballot export's (its Choice_... columns)."""
    try:
        with _open_text(path, compressed) as stream:
            first = stream.readline(1 << 22)
    except (OSError, UnicodeDecodeError, EOFError):
        return False  # the CSV reader says what is wrong with the file
    if "Choice_" not in first:
        return False
    header = next(csv.reader([first]), [])
    return is_clear_ballot_header([cell.strip() for cell in header])


def load_profile(
    path: str | Path,
    format: str | None = None,
    *,
    contest: str | None = None,
    first_column: int | None = None,
) -> Profile:
    """Read a ballot file; the format comes from ``format`` or the file's extension.

    ``.gz`` files are decompressed first; ``.json`` files are NIST CVR Common Data Format
    reports, except Dominion exports (a folder, or a ``CvrExport*.json`` file in one);
    ``.xml`` files are NIST CDF reports in XML, ``.xlsx`` files ES&S cast-vote records, and a
    ``.csv`` file whose header has ``Choice_...`` columns a Clear Ballot export.
    ``contest`` (an id or a name) chooses the contest of a cast-vote-record file that holds
    several. ``first_column`` (CSV only, 1-based) ignores the columns before it.
    Raises BallotFileError for a malformed file.
    """
    path = Path(path)
    suffixes = [s.lstrip(".").lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == "gz"
    if compressed:
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    kind = (format or ext).lower()
    if format is None and (path.is_dir() or path.name.lower().startswith("cvrexport")):
        kind = "dominion"
    if kind in ("json", "cdf"):
        kind = "nist"
    kind = {"xml": "nist-xml", "xlsx": "ess", "clear-ballot": "clearballot"}.get(kind, kind)
    if format is None and kind == "csv" and _is_clear_ballot(path, compressed):
        kind = "clearballot"
    if first_column is not None and kind != "csv":
        raise BallotFileError(1, f"a first vote column is for CSV files, not {kind}")
    if kind in _STREAMED:
        return _load_streamed(path, kind, compressed, contest)
    if contest is not None:
        raise BallotFileError(
            1,
            f"a {kind} file holds one contest; --contest is for cast-vote-record files "
            f"({', '.join(_STREAMED)})",
        )
    if kind == "csv":  # read a row at a time: memory follows the distinct ballots
        try:
            with _open_text(path, compressed) as stream:
                return parse_csv(stream, first_column=first_column or 1)
        except UnicodeDecodeError as exc:
            raise BallotFileError(1, "the file is not UTF-8 text") from exc
        except (gzip.BadGzipFile, EOFError) as exc:
            raise BallotFileError(1, f"the file is not a complete gzip file ({exc})") from exc
    raw = path.read_bytes()
    if compressed:
        raw = gzip.decompress(raw)
    if kind == "blt":
        plain = read_blt(raw)  # large files of plain ballot lines, read without decoding
        if plain is not None:
            return plain
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BallotFileError(line, "the file is not UTF-8 text") from exc
    if kind == "blt":
        return parse_blt(text)
    if kind == "preflib":
        return parse_preflib(text, ext if ext in _PREFLIB else "toi")
    if kind in _PREFLIB:
        return parse_preflib(text, kind)
    raise BallotFileError(
        1, f"unknown ballot format '{kind}': use {', '.join(FORMATS)} (see --format)"
    )
