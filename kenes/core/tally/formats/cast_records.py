"""What every cast-vote-record reader shares: the error that names the record and the field,
and the tally of ballots *as cast* (one mark per rank position) that becomes a Profile.

A ballot as cast is a tuple of rank positions, each a tuple of candidate numbers: ``()`` for a
skipped position, one candidate for a mark, several for an overvote. Readers count identical
ballots as they stream, so memory follows the number of *distinct* ballots, not voters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.profile import SKIPPED, MarkWriter, Profile, merge

CastBallot = tuple[tuple[int, ...], ...]


class CastRecordError(BallotFileError):
    """A cast-vote record that cannot be read: names the record and the field.

    The file's name is added by whoever opened it (``kenes tally`` prefixes it).
    """

    def __init__(self, record: str, field: str, message: str, *, line: int = 0) -> None:
        super().__init__(line, message)
        self.record = record
        self.field = field
        where = f"{record}, field '{field}'" if field else record
        self.args = (f"{where}: {message}",)


def ballot_from_ranks(marks: Iterable[tuple[int, int]]) -> CastBallot:
    """The ballot as cast from ``(rank, candidate)`` marks; rank 1 is the first position.

    Ranks never marked before the last marked one are skipped positions; several candidates
    at one rank are an overvote; one candidate at several ranks is kept at each (the
    counting rules decide what a repeat means).
    """
    by_rank: dict[int, list[int]] = {}
    for rank, candidate in marks:
        group = by_rank.setdefault(rank, [])
        if candidate not in group:
            group.append(candidate)
    if not by_rank:
        return ()
    return tuple(tuple(sorted(by_rank.get(r, ()))) for r in range(1, max(by_rank) + 1))


def profile_from_cast(
    candidates: Sequence[str],
    ballots: Mapping[CastBallot, int],
    *,
    title: str = "",
    seats: int | None = None,
    withdrawn: Iterable[int] = (),
) -> Profile:
    """A Profile with ``marks`` (the ballots as cast) from counted cast ballots.

    ``ranks`` puts each candidate at the first position that marks it; an overvoted position
    ranks its candidates equal, as the CSV reader does.
    """
    width = max((len(b) for b in ballots), default=0)
    width = max(width, 1)
    n = len(candidates)
    ranks = np.zeros((len(ballots), n), dtype=np.int16)
    marks = np.full((len(ballots), width), SKIPPED, dtype=np.int16)
    counts = np.zeros(len(ballots), dtype=np.int64)
    writer = MarkWriter()  # several candidates at one position: a named overvote
    for i, (ballot, count) in enumerate(ballots.items()):
        counts[i] = count
        for pos, group in enumerate(ballot, start=1):
            marks[i, pos - 1] = writer.mark(group)
            for c in group:
                if ranks[i, c] == 0:
                    ranks[i, c] = pos
    return merge(
        Profile(
            candidates=tuple(candidates),
            ranks=ranks,
            counts=counts,
            withdrawn=frozenset(withdrawn),
            title=title,
            seats=seats,
            marks=marks,
            overvotes=writer.overvotes,
        )
    )


def renumber(ballots: Counter[CastBallot], order: Mapping[int, int]) -> Counter[CastBallot]:
    """The same ballots with candidate numbers mapped through ``order`` (old -> new)."""
    out: Counter[CastBallot] = Counter()
    for ballot, count in ballots.items():
        out[tuple(tuple(sorted(order[c] for c in group)) for group in ballot)] += count
    return out
