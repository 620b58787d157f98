"""ES&S cast-vote-record spreadsheets (.xlsx), as published e.g. by the City of Minneapolis.

Layout read (the ES&S export; RCTab's ``ess`` provider reads the same)::

    Cast Vote Record | Precinct | Ballot Style | MAYOR 1st Choice | MAYOR 2nd Choice | ... | Count

The first row names the columns. A column is a rank position when its header says which choice
it is — ``1st Choice``, ``2ND CHOICE MAYOR MINNEAPOLIS``, ``CONTEST-X 3rd Choice``,
``Choice 4`` — and the rest of the header (``MAYOR MINNEAPOLIS``) names its contest: a sheet
with several contests is read one contest at a time (``--contest NAME``). A ``Count`` column,
if present, says how many voters cast the row; every other column (precinct, ballot style,
record id) is ignored. Each choice cell names a candidate, or holds one of ES&S's marks:
``overvote`` (several candidates marked at that rank; the export does not say which),
``undervote`` or an empty cell (rank skipped). ``UWI`` (undeclared write-in) and ``write-in``
are kept as the names of candidates, so that ``--exclude-first UWI`` can name them.

The sheet is streamed (openpyxl read-only), and identical rows are counted as they come, so
memory follows the distinct ballots, not the file.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.formats.cast_records import CastRecordError
from kenes.core.tally.profile import OVERVOTE, SKIPPED, Profile, merge

# "1st Choice", "2ND CHOICE MAYOR", "Mayor 3rd choice", "Choice 4", "Cand Choice 5"
_RANK_HEADER = re.compile(r"(?i)\b(\d+)\s*(?:st|nd|rd|th)\s+choice\b|\bchoice\s*#?\s*(\d+)\b")
_HEADER_SEARCH = 10  # rows looked at for the header
_COUNT_HEADER = {"count", "ballots", "votes"}
# ES&S's marks, compared without case or spaces
_SKIPPED_MARKS = {"", "undervote", "skipped"}
_OVERVOTE_MARKS = {"overvote"}

MarkRow = tuple[int, ...]


def profile_from_mark_rows(
    candidates: Sequence[str], rows: Iterable[tuple[MarkRow, int]], *, title: str = ""
) -> Profile:
    """A Profile from counted ballots as cast: one mark per rank position (a candidate
    number, SKIPPED or OVERVOTE). A candidate ranks at the first position that marks it."""
    listed = list(rows)
    width = max((len(marks) for marks, _ in listed), default=1) or 1
    n = len(candidates)
    ranks = np.zeros((len(listed), n), dtype=np.int16)
    marks = np.full((len(listed), width), SKIPPED, dtype=np.int16)
    counts = np.zeros(len(listed), dtype=np.int64)
    for i, (row, count) in enumerate(listed):
        counts[i] = count
        for pos, mark in enumerate(row, start=1):
            marks[i, pos - 1] = mark
            if mark >= 0 and ranks[i, mark] == 0:
                ranks[i, mark] = pos
    return merge(
        Profile(candidates=tuple(candidates), ranks=ranks, counts=counts, title=title, marks=marks)
    )


def _rank_and_contest(header: str) -> tuple[int, str] | None:
    match = _RANK_HEADER.search(header)
    if match is None:
        return None
    rank = int(match.group(1) or match.group(2))
    contest = (header[: match.start()] + " " + header[match.end() :]).strip(" -_:")
    return rank, re.sub(r"\s+", " ", contest)


def _header_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_ess(path: Path, contest: str | None = None) -> Profile:
    """Read one contest of an ES&S cast-vote-record workbook (its first sheet)."""
    import openpyxl  # type: ignore[import-untyped]  # only this format needs it

    with path.open("rb") as stream:  # a stream: openpyxl would refuse other extensions
        return _parse_workbook(openpyxl, stream, path.stem, contest)


def _parse_workbook(openpyxl: Any, stream: BinaryIO, stem: str, contest: str | None) -> Profile:
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BallotFileError(
            1, f"the file is not a complete .xlsx workbook ({exc}); ES&S exports are .xlsx"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header_row, header = _find_header(rows)
            columns, count_col, title = _columns(header_row, header, contest)
            return _read_rows(rows, header_row, header, columns, count_col, title or stem)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise BallotFileError(
                1, f"the workbook is truncated or damaged ({exc}); export it again"
            ) from exc
    finally:
        workbook.close()


def _find_header(rows: Iterator[tuple[Any, ...]]) -> tuple[int, list[str]]:
    """The header row: the first row with a choice column among the first few (some exports
    put a title above it, as RCTab's ``firstVoteRowIndex`` allows), else row 1."""
    first: list[str] | None = None
    for number, row in enumerate(itertools.islice(rows, _HEADER_SEARCH), start=1):
        cells = [_header_text(v) for v in row]
        if first is None:
            first = cells
        if any(_rank_and_contest(cell) for cell in cells):
            return number, cells
    return 1, first or []


def _columns(
    header_row: int, header: list[str], wanted: str | None
) -> tuple[list[int], int | None, str]:
    """The rank columns (in rank order) of the chosen contest, the count column, the title."""
    where = f"row {header_row}"
    if not any(header):
        raise CastRecordError(where, "", "must be the header naming the columns")
    contests: dict[str, dict[int, int]] = {}
    for col, text in enumerate(header):
        found = _rank_and_contest(text)
        if found is None:
            continue
        rank, name = found
        ranks = contests.setdefault(name, {})
        if rank in ranks:
            raise CastRecordError(
                where,
                text,
                f"is choice {rank} like column '{header[ranks[rank]]}': each choice once",
            )
        ranks[rank] = col
    if not contests:
        raise CastRecordError(
            where,
            "",
            "no column is a choice ('1st Choice', '2nd Choice', ...): is this an ES&S "
            "cast-vote-record export?",
        )
    listing = ", ".join(f"'{name}'" if name else "(no name)" for name in contests)
    if wanted is None:
        if len(contests) > 1:
            raise CastRecordError(
                where, "", f"choose one contest with --contest NAME; the sheet has {listing}"
            )
        name = next(iter(contests))
    else:
        matches = [n for n in contests if n.casefold() == wanted.strip().casefold()]
        if len(matches) != 1:
            raise CastRecordError(
                where, "", f"'{wanted}' names no contest; the sheet has {listing}"
            )
        name = matches[0]
    ranks = contests[name]
    missing = [r for r in range(1, max(ranks) + 1) if r not in ranks]
    if missing:
        raise CastRecordError(
            where, "", f"choice {missing[0]} has no column, yet choice {max(ranks)} has one"
        )
    count_col = next((i for i, h in enumerate(header) if h.lower() in _COUNT_HEADER), None)
    return [ranks[r] for r in sorted(ranks)], count_col, name


def _read_rows(
    rows: Iterable[tuple[Any, ...]],
    header_row: int,
    header: list[str],
    columns: list[int],
    count_col: int | None,
    title: str,
) -> Profile:
    names: dict[str, int] = {}
    cast: Counter[MarkRow] = Counter()
    for number, row in enumerate(rows, start=header_row + 1):
        if not any(v is not None and str(v).strip() for v in row):
            continue  # blank rows at the end of a sheet
        record = f"row {number}"
        count = 1
        if count_col is not None:
            value = row[count_col] if count_col < len(row) else None
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise CastRecordError(record, header[count_col], f"{value!r} is not a count")
            text = str(value).strip()
            if isinstance(value, float) and value.is_integer():
                text = str(int(value))
            if not text.isdigit():
                raise CastRecordError(
                    record, header[count_col], f"'{value}' is not a whole number of ballots"
                )
            count = int(text)
        marks: list[int] = []
        for col in columns:
            value = row[col] if col < len(row) else None
            if value is None:
                marks.append(SKIPPED)
                continue
            if not isinstance(value, str):
                raise CastRecordError(
                    record, header[col], f"{value!r} is a number or date, not a candidate's name"
                )
            name = value.strip()
            token = name.replace(" ", "").lower()
            if token in _SKIPPED_MARKS:
                marks.append(SKIPPED)
            elif token in _OVERVOTE_MARKS:
                marks.append(OVERVOTE)
            else:
                marks.append(names.setdefault(name, len(names)))
        cast[tuple(marks)] += count
    if not cast:
        raise CastRecordError("the sheet", "", "holds no ballots below the header")
    return profile_from_mark_rows(list(names), cast.items(), title=title)
