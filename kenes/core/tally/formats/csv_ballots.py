"""CSV ballots, one row per ballot (or per distinct ballot with a ``count`` column).

Two shapes, told apart by the header row:

* cast-vote record — one column per rank position (header ``rank1``, ``Rank 2``, ``1st choice``,
  ``choice_2``, ``Choice 3 of 5``, ``preference #4`` ...), read in the order of the numbers in
  the header, whatever the order of the columns; each cell names a candidate. An empty cell,
  ``undervote`` / ``under vote`` / ``skipped`` / ``-`` is a skipped position; ``overvote`` /
  ``over vote`` (the mark vendors write; the profile cannot tell whom it marks) or ``a|b`` /
  ``a=b`` (the candidates marked: a named overvote, so the ``exhaust_if_multiple`` rule can
  read it) is an overvote. A candidate written again at a later position is kept there in the
  ballot as cast (the rules decide what a repeat means). Other columns (``Precinct`` ...) are
  ignored. Candidates are numbered in order of first appearance. This is the layout of ES&S
  and RCTab exports.
* one column per candidate — the header names the candidates; each cell is the rank number
  given to that candidate (empty = unranked). For approval ballots a 1 marks approval.

A ``count`` (or ``weight``) column, if present, gives how many voters cast the row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.profile import (
    OVERVOTE,
    SKIPPED,
    MarkWriter,
    Profile,
    build_profile,
    merge,
    overvote_index,
)

_RANK_COLUMN = re.compile(
    r"(?i)^\s*(?:rank|choice|preference|pref)[\s_#.-]*(\d+)"
    r"|^\s*(\d+)\s*(?:st|nd|rd|th)?[\s_-]*(?:choice|rank|preference)"
)
_COUNT_COLUMN = {"count", "weight", "votes", "ballots"}
# vendor marks, compared without case, spaces, hyphens, underscores, brackets or asterisks
_SKIP_TOKENS = {"", "undervote", "skipped", "skip", "blank"}
_OVER_TOKENS = {"overvote", "overvoted"}
_MARK_NOISE = re.compile(r"[\s_()*\[\]-]")


def parse_csv(text: str | Iterable[str], *, first_column: int = 1) -> Profile:
    """Parse CSV ballots (see the module docstring); raise BallotFileError naming the line.

    ``text`` is the whole file or a text stream: rows are read one at a time and identical
    rows counted as they come, so memory follows the distinct ballots, not the file.
    Columns before ``first_column`` (1-based; RCTab *firstVoteColumnIndex*), such as a
    response id, are ignored.
    """
    if first_column < 1:
        raise BallotFileError(1, f"the first vote column must be 1 or more, not {first_column}")
    # strict: a quote left open (a file cut inside a cell) is an error, not one long cell
    reader: Iterator[list[str]] = csv.reader(
        io.StringIO(text) if isinstance(text, str) else text, strict=True
    )
    if first_column > 1:
        reader = _from_column(reader, first_column - 1)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise BallotFileError(1, f"the header is not valid CSV ({exc})") from exc
    if not first or not any(cell.strip() for cell in first):
        raise BallotFileError(1, "the first row must be a header naming the columns")
    header = [cell.strip() for cell in first]
    rows = _rows(reader)
    count_col = next((i for i, h in enumerate(header) if h.lower() in _COUNT_COLUMN), None)
    numbered: dict[int, int] = {}  # rank number -> column
    for i, h in enumerate(header):
        if m := _RANK_COLUMN.match(h):
            rank = int(m.group(1) or m.group(2))
            if rank in numbered:
                raise BallotFileError(
                    1, f"columns '{header[numbered[rank]]}' and '{h}' are both rank {rank}"
                )
            numbered[rank] = i
    if numbered:
        rank_cols = [numbered[r] for r in sorted(numbered)]
        return _cast_vote_record(rows, header, rank_cols, count_col)
    return _candidate_columns(rows, header, count_col)


class _from_column:  # noqa: N801 - a reader, used like csv.reader
    """A csv reader's rows without their first ``skip`` cells (line numbers kept)."""

    def __init__(self, reader: Iterator[list[str]], skip: int) -> None:
        self._reader = reader
        self._skip = skip

    def __iter__(self) -> _from_column:
        return self

    def __next__(self) -> list[str]:
        return next(self._reader)[self._skip :]

    @property
    def line_num(self) -> int:
        return int(getattr(self._reader, "line_num", 0))


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank row after the header."""
    line = 1
    try:
        for row in reader:
            line = getattr(reader, "line_num", line + 1)
            if any(cell.strip() for cell in row):
                yield line, row
    except csv.Error as exc:
        raise BallotFileError(
            getattr(reader, "line_num", line + 1),
            f"not valid CSV ({exc}): is the file cut short inside a quoted cell?",
        ) from exc


def _count(lineno: int, row: list[str], count_col: int | None) -> int:
    if count_col is None:
        return 1
    cell = row[count_col].strip() if count_col < len(row) else ""
    if not cell.isdigit():
        raise BallotFileError(lineno, f"the count '{cell}' is not a whole number")
    return int(cell)


def _cast_vote_record(
    rows: Iterator[tuple[int, list[str]]],
    header: list[str],
    rank_cols: list[int],
    count_col: int | None,
) -> Profile:
    names: dict[str, int] = {}
    writer = MarkWriter()
    cast: Counter[tuple[int, ...]] = Counter()
    for lineno, row in rows:
        count = _count(lineno, row, count_col)
        marks: list[int] = []
        for col in rank_cols:
            cell = row[col].strip() if col < len(row) else ""
            token = _MARK_NOISE.sub("", cell.lower())
            if token in _SKIP_TOKENS:
                marks.append(SKIPPED)
                continue
            if token in _OVER_TOKENS:
                marks.append(OVERVOTE)
                continue
            parts = [part.strip() for part in re.split("[=|]", cell)]
            if not all(parts):
                raise BallotFileError(
                    lineno, f"'{cell}' in column '{header[col]}' names an empty candidate"
                )
            group = [names.setdefault(part, len(names)) for part in parts]
            marks.append(writer.mark(group))
        cast[tuple(marks)] += count
    if not cast:
        raise BallotFileError(1, "the file holds no ballots")
    candidates = list(names)
    overvotes = writer.overvotes
    ranks = np.zeros((len(cast), len(candidates)), dtype=np.int16)
    for i, marks_row in enumerate(cast):
        # each candidate at the first position that names it (alone or in an overvote)
        for pos, mark in enumerate(marks_row, start=1):
            named = (mark,) if mark >= 0 else overvotes[overvote_index(mark)] if mark <= -3 else ()
            for c in named:
                if ranks[i, c] == 0:
                    ranks[i, c] = pos
    return merge(
        Profile(
            candidates=tuple(candidates),
            ranks=ranks,
            counts=np.fromiter(cast.values(), dtype=np.int64, count=len(cast)),
            marks=np.array(list(cast), dtype=np.int16).reshape(len(cast), len(rank_cols)),
            overvotes=overvotes,
        )
    )


def _candidate_columns(
    rows: Iterator[tuple[int, list[str]]], header: list[str], count_col: int | None
) -> Profile:
    cand_cols = [i for i in range(len(header)) if i != count_col]
    names = [header[i] for i in cand_cols]
    if len(set(names)) != len(names) or not all(names):
        raise BallotFileError(1, "every candidate column needs its own non-empty name")
    cast: Counter[tuple[tuple[int, ...], ...]] = Counter()
    for lineno, row in rows:
        count = _count(lineno, row, count_col)
        by_rank: dict[int, list[int]] = {}
        for k, col in enumerate(cand_cols):
            cell = row[col].strip() if col < len(row) else ""
            if cell in ("", "0"):
                continue
            if not cell.isdigit():
                raise BallotFileError(lineno, f"'{cell}' in column '{header[col]}' is not a rank")
            by_rank.setdefault(int(cell), []).append(k)
        top = max(by_rank, default=0)
        cast[tuple(tuple(by_rank.get(r, ())) for r in range(1, top + 1))] += count
    if not cast:
        raise BallotFileError(1, "the file holds no ballots")
    return build_profile(names, ((n, positions) for positions, n in cast.items()))
