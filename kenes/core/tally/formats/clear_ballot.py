"""Clear Ballot ClearVote cast-vote-record export (CSV).

Layout read (as RCTab's Clear Ballot reader and VotingWorks' Arlo read it)::

    RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,
    ScanComputerName,Status,Remade,<choice columns>

One row per ballot card; one column per candidate *and rank*. A ranked contest's column is
headed ``Choice_<id>_<n>:<contest>:<rank>:Number of Winners <seats>:<candidate>:<party>``
(``NON`` for no party), a plurality contest's ``Choice_<id>_<n>:<contest>:Vote For <n>:
<candidate>:<party>``. Contest names may hold commas (the header cell is quoted). A cell is
``1`` where the voter marked that candidate at that rank and ``0`` where not; ``-1`` is read
as not marked, as RCTab reads it (the profile's notes say how many there were). A row whose
cells for the contest are all empty did not have the contest on its ballot and is not a
voter of it. Several candidates marked at one rank are an overvote (its candidates named),
ranks left out are skipped.

The file is read row by row, identical ballots counted as they come.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from kenes.core.tally.formats.cast_records import (
    CastBallot,
    CastRecordError,
    ballot_from_ranks,
    profile_from_cast,
)
from kenes.core.tally.profile import Profile

_SEATS = re.compile(r"(?i)^\s*(?:number of winners|vote for)\s+(\d+)\s*$")
_RANKED = re.compile(r"(?i)^\s*number of winners\s+\d+\s*$")
_FIELD_LIMIT = 1 << 20  # one header cell of a real export is far below 1 MB


@dataclass(frozen=True)
class ChoiceColumn:
    """What one choice column's header says."""

    column: int
    contest: str
    rank: int
    seats: int
    candidate: str


def choice_column(column: int, header: str) -> ChoiceColumn | None:
    """The choice a column header names, or None if it is not a ``Choice_...`` column.

    Fields are taken from the end (party, candidate, seats, rank), so a contest name may hold
    a colon.
    """
    if not header.startswith("Choice_"):
        return None
    fields = header.split(":")
    if len(fields) >= 6 and _RANKED.match(fields[-3]) and fields[-4].strip().isdigit():
        rank, contest = int(fields[-4]), ":".join(fields[1:-4])
    elif len(fields) >= 5 and _SEATS.match(fields[-3]):
        rank, contest = 1, ":".join(fields[1:-3])
    else:
        return None
    seats = _SEATS.match(fields[-3])
    assert seats is not None
    return ChoiceColumn(column, contest.strip(), rank, int(seats.group(1)), fields[-2].strip())


def is_clear_ballot_header(cells: list[str]) -> bool:
    """Whether a CSV header row is a Clear Ballot export's (it has Choice_... columns)."""
    return any(choice_column(i, cell) is not None for i, cell in enumerate(cells))


def parse_clear_ballot(stream: TextIO, contest: str | None = None) -> Profile:
    """Read one contest of a Clear Ballot CVR export from a text stream."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    reader = csv.reader(stream, strict=True)  # a quote left open is an error
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise CastRecordError("line 1", "", "must be the header naming the columns", line=1)
    columns = _contest_columns(header, contest)
    chosen = columns[0]
    candidates: dict[str, int] = {}
    for choice in columns:
        candidates.setdefault(choice.candidate, len(candidates))
    by_column = [(c.column, c.rank, candidates[c.candidate]) for c in columns]
    cast: Counter[CastBallot] = Counter()
    not_marked = 0
    for line, row in _rows(reader, header):
        marks: list[tuple[int, int]] = []
        on_ballot = False
        for col, rank, candidate in by_column:
            cell = row[col].strip()
            if cell == "1":
                marks.append((rank, candidate))
            elif cell == "-1":
                not_marked += 1
            elif cell and cell != "0":
                raise CastRecordError(
                    _record(line, header, row),
                    header[col],
                    f"'{cell}' is not a mark: 1 (marked), 0 (not marked) or -1",
                    line=line,
                )
            on_ballot = on_ballot or bool(cell)
        if on_ballot:
            cast[ballot_from_ranks(marks)] += 1
    if not cast:
        raise CastRecordError(
            f"contest '{chosen.contest}'", "", "no row holds this contest", line=1
        )
    profile = profile_from_cast(
        list(candidates), cast, title=chosen.contest, seats=chosen.seats or None
    )
    if not_marked:
        note = (
            f"{not_marked} cell(s) of contest '{chosen.contest}' read -1 and were counted as "
            "not marked"
        )
        profile = dataclasses.replace(profile, notes=(*profile.notes, note))
    return profile


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[tuple[int, list[str]]]:
    line = 1
    try:
        for row in reader:
            line = getattr(reader, "line_num", line + 1)
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise CastRecordError(
                    _record(line, header, row),
                    "",
                    f"has {len(row)} fields but the header has {len(header)}: the file is "
                    "cut short or a field is not quoted",
                    line=line,
                )
            yield line, row
    except csv.Error as exc:
        raise CastRecordError(
            f"line {getattr(reader, 'line_num', line + 1)}",
            "",
            f"is not valid CSV ({exc}): is the file cut short inside a quoted field?",
        ) from exc


def _record(line: int, header: list[str], row: list[str]) -> str:
    record = f"line {line}"
    if "BallotID" in header:
        i = header.index("BallotID")
        if i < len(row) and row[i].strip():
            record += f" (BallotID '{row[i].strip()}')"
    return record


def _contest_columns(header: list[str], wanted: str | None) -> list[ChoiceColumn]:
    contests: dict[str, list[ChoiceColumn]] = {}
    for i, cell in enumerate(header):
        col = choice_column(i, cell)
        if col is None:
            if cell.startswith("Choice_"):
                raise CastRecordError(
                    "line 1",
                    cell,
                    "is not a choice header 'Choice_<id>_<n>:<contest>:<rank>:Number of "
                    "Winners <n>:<candidate>:<party>'",
                    line=1,
                )
            continue
        contests.setdefault(col.contest, []).append(col)
    if not contests:
        raise CastRecordError(
            "line 1", "", "has no Choice_... column: is this a Clear Ballot export?", line=1
        )
    listing = ", ".join(f"'{name}'" for name in contests)
    if wanted is None:
        if len(contests) > 1:
            raise CastRecordError(
                "line 1",
                "",
                f"choose one contest with --contest NAME; the file has {listing}",
                line=1,
            )
        return next(iter(contests.values()))
    matches = [n for n in contests if n.casefold() == wanted.strip().casefold()]
    if len(matches) != 1:
        raise CastRecordError(
            "line 1", "", f"'{wanted}' names no contest; the file has {listing}", line=1
        )
    return contests[matches[0]]
