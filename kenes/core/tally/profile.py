"""The preference profile: every distinct ballot once, with how many voters cast it.

Representation (chosen for speed at millions of ballots, tens of candidates):

* ``ranks`` — an ``(n_distinct, n_candidates)`` int16 matrix; ``ranks[i, c]`` is the position
  (1 = first) at which ballot ``i`` ranks candidate ``c``, 0 if it does not rank ``c``.
  Equal rankings (``a=b`` in BLT, ``{a,b}`` in PrefLib) share a position. A skipped position
  (``-`` in BLT, ``undervote`` in a cast-vote record) leaves a gap in the positions.
* ``counts`` — an int64 vector, the number of voters who cast each distinct ballot.
* ``marks`` — optional ``(n_distinct, n_positions)`` int16 matrix of the ballot *as cast*, one
  column per rank position, for the rules that look at what was written at each position
  (Minneapolis overvote / skipped-rank rules): a candidate index, ``SKIPPED``, ``OVERVOTE`` (an
  overvote whose candidates the file does not name, e.g. ES&S's ``overvote`` mark), or
  ``overvote_mark(k)`` <= -3 for an overvote of the candidates ``overvotes[k]`` (``a|b``).

Methods never loop over voters, only over distinct ballots, and mostly not even that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import TallyError

RankMatrix = npt.NDArray[np.int16]
Counts = npt.NDArray[np.int64]

SKIPPED = -1
OVERVOTE = -2
_FIRST_NAMED_OVERVOTE = -3


def overvote_mark(k: int) -> int:
    """The mark of an overvote of the candidates ``Profile.overvotes[k]``."""
    return _FIRST_NAMED_OVERVOTE - k


def overvote_index(mark: int) -> int:
    """The index into ``Profile.overvotes`` of a mark <= -3 (inverse of overvote_mark)."""
    return _FIRST_NAMED_OVERVOTE - mark


@dataclass(frozen=True)
class Profile:
    """Distinct ballots with their counts (see the module docstring for the layout)."""

    candidates: tuple[str, ...]
    ranks: RankMatrix
    counts: Counts
    withdrawn: frozenset[int] = frozenset()
    parties: tuple[str, ...] = ()
    title: str = ""
    seats: int | None = None
    marks: npt.NDArray[np.int16] | None = field(default=None, compare=False)
    # the candidate sets of named overvotes in ``marks`` (see overvote_mark)
    overvotes: tuple[tuple[int, ...], ...] = field(default=(), compare=False)
    # what the reader ignored or assumed (e.g. text after a BLT title); results repeat it
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    @property
    def n_voters(self) -> int:
        return int(self.counts.sum())

    def ballots(self) -> list[tuple[int, list[list[int]]]]:
        """The distinct ballots as (count, [[candidates at position 1], [at 2], ...]).

        A skipped position is an empty list.
        """
        out: list[tuple[int, list[list[int]]]] = []
        for row, count in zip(self.ranks, self.counts, strict=True):
            last = int(row.max())
            positions = [[int(c) for c in np.flatnonzero(row == p)] for p in range(1, last + 1)]
            out.append((int(count), positions))
        return out


def build_profile(
    candidates: Sequence[str],
    ballots: Iterable[tuple[int, Sequence[Sequence[int]]]],
    *,
    withdrawn: Iterable[int] = (),
    parties: Sequence[str] = (),
    title: str = "",
    seats: int | None = None,
) -> Profile:
    """Build a profile from (count, positions) pairs; each position is a list of candidates.

    An empty position is a skipped rank. Identical ballots are merged.
    """
    n = len(candidates)
    rows: list[list[int]] = []
    weights: list[int] = []
    for count, positions in ballots:
        row = [0] * n
        for pos, group in enumerate(positions, start=1):
            for c in group:
                if not 0 <= c < n:
                    raise TallyError(f"candidate number {c + 1} does not exist")
                if row[c] == 0:
                    row[c] = pos
        rows.append(row)
        weights.append(count)
    ranks = np.array(rows, dtype=np.int16).reshape(len(rows), n)
    counts = np.array(weights, dtype=np.int64)
    return merge(
        Profile(
            candidates=tuple(candidates),
            ranks=ranks,
            counts=counts,
            withdrawn=frozenset(withdrawn),
            parties=tuple(parties),
            title=title,
            seats=seats,
        )
    )


def merge(profile: Profile) -> Profile:
    """Merge identical ballots (and identical as-cast marks, when present)."""
    if profile.ranks.shape[0] == 0:
        return profile
    key = profile.ranks if profile.marks is None else np.hstack([profile.ranks, profile.marks])
    shifted = key.astype(np.int64) - int(key.min())
    base = int(shifted.max()) + 1
    if base ** key.shape[1] < 2**62:
        # one integer per row: sorting 1-D integers is far faster than rows of a matrix
        packed = np.zeros(key.shape[0], dtype=np.int64)
        for j in range(key.shape[1]):
            packed = packed * base + shifted[:, j]
        _, first, inverse = np.unique(packed, return_index=True, return_inverse=True)
        unique = key[first]
    else:
        unique, inverse = np.unique(key, axis=0, return_inverse=True)
    counts = np.zeros(unique.shape[0], dtype=np.int64)  # exact: float sums lose above 2**53
    np.add.at(counts, inverse.ravel(), profile.counts)
    n = profile.n_candidates
    keep = counts > 0
    marks = None if profile.marks is None else unique[keep, n:].astype(np.int16)
    return Profile(
        candidates=profile.candidates,
        ranks=unique[keep, :n].astype(np.int16),
        counts=counts[keep].astype(np.int64),
        withdrawn=profile.withdrawn,
        parties=profile.parties,
        title=profile.title,
        seats=profile.seats,
        marks=marks,
        overvotes=profile.overvotes,
        notes=profile.notes,
    )


def dense_ranks(ranks: RankMatrix) -> RankMatrix:
    """Close the gaps left by skipped positions: positions become 1, 2, 3, ... in order."""
    out = np.zeros_like(ranks)
    big = np.where(ranks > 0, ranks, np.iinfo(np.int16).max)
    order = np.sort(big, axis=1)
    # the dense position of a rank = 1 + number of distinct smaller ranks on the same row
    distinct = np.concatenate(
        [np.ones((ranks.shape[0], 1), dtype=bool), order[:, 1:] != order[:, :-1]], axis=1
    )
    for c in range(ranks.shape[1]):
        col = ranks[:, c]
        smaller = ((order < col[:, None]) & distinct).sum(axis=1)
        out[:, c] = np.where(col > 0, smaller + 1, 0)
    return out
