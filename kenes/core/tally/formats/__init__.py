"""Readers for ballot files: BLT, PrefLib (soc/soi/toc/toi), CSV and cast-vote records
(NIST CVR Common Data Format JSON, Dominion's CVR export)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import TextIO

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.formats.blt import parse_blt, read_blt, write_blt
from kenes.core.tally.formats.csv_ballots import parse_csv
from kenes.core.tally.formats.dominion import parse_dominion
from kenes.core.tally.formats.nist_cdf import parse_nist_cdf, write_nist_cdf
from kenes.core.tally.formats.preflib import parse_preflib
from kenes.core.tally.profile import Profile

__all__ = [
    "FORMATS",
    "load_profile",
    "parse_blt",
    "parse_csv",
    "parse_dominion",
    "parse_nist_cdf",
    "parse_preflib",
    "write_blt",
    "write_nist_cdf",
]

_PREFLIB = ("soc", "soi", "toc", "toi")
# the cast-vote-record formats, read as a stream; each holds several contests
_STREAMED = ("nist", "dominion")
FORMATS = ("blt", "preflib", "csv", *_STREAMED)


def _open_text(path: Path, compressed: bool) -> TextIO:
    if compressed:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig")


def _load_streamed(path: Path, kind: str, compressed: bool, contest: str | None) -> Profile:
    try:
        if kind == "dominion":
            if compressed:
                raise BallotFileError(1, "unpack the Dominion export first: its files go together")
            return parse_dominion(path, contest)
        with _open_text(path, compressed) as stream:
            return parse_nist_cdf(stream, contest)
    except UnicodeDecodeError as exc:
        raise BallotFileError(1, "the file is not UTF-8 text") from exc
    except (gzip.BadGzipFile, EOFError) as exc:
        raise BallotFileError(1, f"the file is not a complete gzip file ({exc})") from exc


def load_profile(
    path: str | Path, format: str | None = None, *, contest: str | None = None
) -> Profile:
    """Read a ballot file; the format comes from ``format`` or the file's extension.

    ``.gz`` files are decompressed first; ``.json`` files are NIST CVR Common Data Format
    reports, except Dominion exports (a folder, or a ``CvrExport*.json`` file in one).
    ``contest`` (an id or a name) chooses the contest of a cast-vote-record file that holds
    several. Raises BallotFileError for a malformed file.
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
    if kind in _STREAMED:
        return _load_streamed(path, kind, compressed, contest)
    if contest is not None:
        raise BallotFileError(
            1,
            f"a {kind} file holds one contest; --contest is for cast-vote-record files "
            f"({', '.join(_STREAMED)})",
        )
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
    if kind == "csv":
        return parse_csv(text)
    if kind == "preflib":
        return parse_preflib(text, ext if ext in _PREFLIB else "toi")
    if kind in _PREFLIB:
        return parse_preflib(text, kind)
    raise BallotFileError(1, f"unknown ballot format '{kind}': use blt, preflib, csv or nist")
