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

import numpy as np

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.profile import OVERVOTE, SKIPPED, MarkWriter, Profile, build_profile, merge

_RANK_COLUMN = re.compile(
    r"(?i)^\s*(?:rank|choice|preference|pref)[\s_#.-]*(\d+)"
    r"|^\s*(\d+)\s*(?:st|nd|rd|th)?[\s_-]*(?:choice|rank|preference)"
)
_COUNT_COLUMN = {"count", "weight", "votes", "ballots"}
# vendor marks, compared without case, spaces, hyphens, underscores, brackets or asterisks
_SKIP_TOKENS = {"", "undervote", "skipped", "skip", "blank"}
_OVER_TOKENS = {"overvote", "overvoted"}
_MARK_NOISE = re.compile(r"[\s_()*\[\]-]")


def parse_csv(text: str) -> Profile:
    """Parse CSV ballots (see the module docstring); raise BallotFileError naming the line."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise BallotFileError(1, "the first row must be a header naming the columns")
    header = [cell.strip() for cell in rows[0]]
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


def _count(lineno: int, row: list[str], count_col: int | None) -> int:
    if count_col is None:
        return 1
    cell = row[count_col].strip() if count_col < len(row) else ""
    if not cell.isdigit():
        raise BallotFileError(lineno, f"the count '{cell}' is not a whole number")
    return int(cell)


def _cast_vote_record(
    rows: list[list[str]], header: list[str], rank_cols: list[int], count_col: int | None
) -> Profile:
    names: dict[str, int] = {}
    writer = MarkWriter()
    mark_rows: list[list[int]] = []
    counts: list[int] = []
    ballots: list[tuple[int, list[list[int]]]] = []
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        count = _count(lineno, row, count_col)
        marks: list[int] = []
        positions: list[list[int]] = []
        seen: set[int] = set()
        for col in rank_cols:
            cell = row[col].strip() if col < len(row) else ""
            token = _MARK_NOISE.sub("", cell.lower())
            if token in _SKIP_TOKENS:
                marks.append(SKIPPED)
                positions.append([])
                continue
            if token in _OVER_TOKENS:
                marks.append(OVERVOTE)
                positions.append([])
                continue
            parts = [part.strip() for part in re.split("[=|]", cell)]
            if not all(parts):
                raise BallotFileError(
                    lineno, f"'{cell}' in column '{header[col]}' names an empty candidate"
                )
            group = [names.setdefault(part, len(names)) for part in parts]
            marks.append(writer.mark(group))
            fresh = [c for c in group if c not in seen]
            seen.update(fresh)
            positions.append(fresh)
        mark_rows.append(marks)
        counts.append(count)
        ballots.append((count, positions))
    if not ballots:
        raise BallotFileError(len(rows), "the file holds no ballots")
    candidates = list(names)
    n = len(candidates)
    ranks = np.zeros((len(ballots), n), dtype=np.int16)
    for i, (_, positions) in enumerate(ballots):
        for pos, group in enumerate(positions, start=1):
            for c in group:
                ranks[i, c] = pos
    return merge(
        Profile(
            candidates=tuple(candidates),
            ranks=ranks,
            counts=np.array(counts, dtype=np.int64),
            marks=np.array(mark_rows, dtype=np.int16),
            overvotes=writer.overvotes,
        )
    )


def _candidate_columns(rows: list[list[str]], header: list[str], count_col: int | None) -> Profile:
    cand_cols = [i for i in range(len(header)) if i != count_col]
    names = [header[i] for i in cand_cols]
    if len(set(names)) != len(names) or not all(names):
        raise BallotFileError(1, "every candidate column needs its own non-empty name")
    ballots: list[tuple[int, list[list[int]]]] = []
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
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
        ballots.append((count, [by_rank.get(r, []) for r in range(1, top + 1)]))
    if not ballots:
        raise BallotFileError(len(rows), "the file holds no ballots")
    return build_profile(names, ballots)
