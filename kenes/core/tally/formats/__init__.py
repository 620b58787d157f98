"""Readers for ballot files: BLT, PrefLib (soc/soi/toc/toi) and CSV."""

from __future__ import annotations

import gzip
from pathlib import Path

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.formats.blt import parse_blt, read_blt, write_blt
from kenes.core.tally.formats.csv_ballots import parse_csv
from kenes.core.tally.formats.preflib import parse_preflib
from kenes.core.tally.profile import Profile

__all__ = ["load_profile", "parse_blt", "parse_csv", "parse_preflib", "write_blt"]

_PREFLIB = ("soc", "soi", "toc", "toi")


def load_profile(path: str | Path, format: str | None = None) -> Profile:
    """Read a ballot file; the format comes from ``format`` or the file's extension.

    ``.gz`` files are decompressed first. Raises BallotFileError for a malformed file.
    """
    path = Path(path)
    raw = path.read_bytes()
    suffixes = [s.lstrip(".").lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == "gz":
        raw = gzip.decompress(raw)
        suffixes = suffixes[:-1]
    ext = suffixes[-1] if suffixes else ""
    kind = (format or ext).lower()
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
    raise BallotFileError(1, f"unknown ballot format '{kind}': use blt, preflib or csv")
