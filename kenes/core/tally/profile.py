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
  A candidate marked again at a later position is kept there (the rules decide what a repeat
  means); ``ranks`` holds each candidate at the first position that marks it.
* ``overvotes`` — the candidate sets of the named overvotes, each a sorted tuple of two or more
  candidates, each set once (:class:`MarkWriter` keeps them so). ``merge`` leaves the marks'
  values alone, so the sets stay valid; :func:`concat` and :func:`renumber` rewrite them.

Without ``marks`` (BLT, PrefLib) the ballot as cast is what ``ranks`` says: an equal ranking is
an overvote of the candidates sharing the position, a gap in the positions is a skipped rank,
and a repeated candidate cannot be written.

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


# marks are int16: the named overvote sets a profile can hold
MAX_OVERVOTE_SETS = overvote_index(int(np.iinfo(np.int16).min)) + 1


class MarkWriter:
    """Turns the candidates written at one position into its mark, naming each distinct
    overvote set once (shared by the readers, so that every profile keeps ``overvotes`` the
    same way: sorted tuples, no set twice)."""

    def __init__(self, overvotes: Iterable[tuple[int, ...]] = ()) -> None:
        self._sets: list[tuple[int, ...]] = []
        self._index: dict[tuple[int, ...], int] = {}
        for group in overvotes:
            self.mark(group)

    def mark(self, group: Iterable[int]) -> int:
        """SKIPPED for no candidate, the candidate for one, a named overvote for several."""
        distinct = tuple(sorted(set(group)))
        if not distinct:
            return SKIPPED
        if len(distinct) == 1:
            return distinct[0]
        k = self._index.get(distinct)
        if k is None:
            k = len(self._sets)
            if k >= MAX_OVERVOTE_SETS:
                raise TallyError(
                    f"more than {MAX_OVERVOTE_SETS} different overvotes (sets of candidates "
                    "marked at one position): too many to count"
                )
            self._index[distinct] = k
            self._sets.append(distinct)
        return overvote_mark(k)

    @property
    def overvotes(self) -> tuple[tuple[int, ...], ...]:
        return tuple(self._sets)


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
    as_cast: bool = False,
) -> Profile:
    """Build a profile from (count, positions) pairs; each position is a list of candidates.

    An empty position is a skipped rank. Identical ballots are merged. With ``as_cast`` the
    profile also keeps ``marks``, the ballots as written: several candidates at a position are
    a named overvote, and a candidate written again at a later position is kept there.
    """
    n = len(candidates)
    rows: list[list[int]] = []
    weights: list[int] = []
    writer = MarkWriter()
    mark_rows: list[list[int]] = []
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
        if as_cast:
            mark_rows.append([writer.mark(group) for group in positions])
    ranks = np.array(rows, dtype=np.int16).reshape(len(rows), n)
    counts = np.array(weights, dtype=np.int64)
    marks = None
    if as_cast:
        width = max([len(m) for m in mark_rows] + [1])
        marks = np.full((len(mark_rows), width), SKIPPED, dtype=np.int16)
        for i, m in enumerate(mark_rows):
            marks[i, : len(m)] = m
    return merge(
        Profile(
            candidates=tuple(candidates),
            ranks=ranks,
            counts=counts,
            withdrawn=frozenset(withdrawn),
            parties=tuple(parties),
            title=title,
            seats=seats,
            marks=marks,
            overvotes=writer.overvotes,
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


def marks_from_ranks(profile: Profile) -> tuple[npt.NDArray[np.int16], tuple[tuple[int, ...], ...]]:
    """The ballots as cast that ``ranks`` describes (for a profile read without marks): one
    column per position, an equal ranking as a named overvote, a gap as a skipped position."""
    ranks = profile.ranks
    width = max(int(ranks.max()) if ranks.size else 0, 1)
    marks = np.full((ranks.shape[0], width), SKIPPED, dtype=np.int16)
    writer = MarkWriter()
    for p in range(1, width + 1):
        at = ranks == p
        count = at.sum(axis=1)
        single = count == 1
        marks[single, p - 1] = np.argmax(at[single], axis=1)
        for i in np.flatnonzero(count > 1):
            marks[i, p - 1] = writer.mark(np.flatnonzero(at[i]).tolist())
    return marks, writer.overvotes


def concat(profiles: Sequence[Profile]) -> Profile:
    """The ballots of several profiles of the same candidates, merged into one.

    Marks are kept when every part has them or any part does (a part without marks gets the
    marks its ranks describe); the named overvote sets of all parts are numbered afresh, so a
    mark always names the set it named in its own part.
    """
    if not profiles:
        raise TallyError("no profiles to put together")
    first = profiles[0]
    for other in profiles[1:]:
        if other.candidates != first.candidates:
            raise TallyError("profiles of different candidates cannot be put together")
    ranks = np.concatenate([p.ranks for p in profiles])
    counts = np.concatenate([p.counts for p in profiles])
    marks = None
    writer = MarkWriter()
    if any(p.marks is not None for p in profiles):
        parts: list[npt.NDArray[np.int16]] = []
        for p in profiles:
            part, sets = (p.marks, p.overvotes) if p.marks is not None else marks_from_ranks(p)
            parts.append(_rename_sets(part, sets, writer))
        width = max(part.shape[1] for part in parts)
        marks = np.full((ranks.shape[0], width), SKIPPED, dtype=np.int16)
        row = 0
        for part in parts:
            marks[row : row + part.shape[0], : part.shape[1]] = part
            row += part.shape[0]
    withdrawn = frozenset().union(*(p.withdrawn for p in profiles))
    return merge(
        Profile(
            candidates=first.candidates,
            ranks=ranks,
            counts=counts,
            withdrawn=withdrawn,
            parties=first.parties,
            title=first.title,
            seats=first.seats,
            marks=marks,
            overvotes=writer.overvotes,
            notes=tuple(note for p in profiles for note in p.notes),
        )
    )


def renumber(profile: Profile, order: Sequence[int], candidates: Sequence[str]) -> Profile:
    """The same ballots with candidate ``c`` renumbered ``order[c]`` among ``candidates``
    (ranks, marks, overvote sets and withdrawn candidates alike)."""
    n = len(candidates)
    if len(order) != profile.n_candidates or len(set(order)) != len(order):
        raise TallyError("a renumbering must give every candidate its own new number")
    if any(not 0 <= new < n for new in order):
        raise TallyError("a renumbering names a candidate number that does not exist")
    ranks = np.zeros((profile.ranks.shape[0], n), dtype=np.int16)
    ranks[:, list(order)] = profile.ranks
    marks = None
    writer = MarkWriter()
    if profile.marks is not None:
        lookup = np.asarray(order, dtype=np.int16)
        old = profile.marks
        marks = old.copy()
        single = old >= 0
        marks[single] = lookup[old[single]]
        sets = tuple(tuple(order[c] for c in group) for group in profile.overvotes)
        marks = _rename_sets(marks, sets, writer)
    parties = [""] * n if profile.parties else []
    for c, party in enumerate(profile.parties):
        parties[order[c]] = party
    return merge(
        Profile(
            candidates=tuple(candidates),
            ranks=ranks,
            counts=profile.counts,
            withdrawn=frozenset(order[c] for c in profile.withdrawn),
            parties=tuple(parties),
            title=profile.title,
            seats=profile.seats,
            marks=marks,
            overvotes=writer.overvotes,
            notes=profile.notes,
        )
    )


def _rename_sets(
    marks: npt.NDArray[np.int16], sets: Sequence[Sequence[int]], writer: MarkWriter
) -> npt.NDArray[np.int16]:
    """``marks`` with each named overvote of ``sets`` renamed to its mark in ``writer``."""
    if not sets:
        return marks
    new = np.array([writer.mark(group) for group in sets], dtype=np.int16)
    out = marks.copy()
    named = marks <= _FIRST_NAMED_OVERVOTE
    out[named] = new[_FIRST_NAMED_OVERVOTE - marks[named].astype(np.int64)]
    return out


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
