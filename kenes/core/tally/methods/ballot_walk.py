"""Where each ballot stands: its current choice among the continuing candidates, or why it is
inactive, under the ballot-reading rules of :class:`kenes.core.tally.rules.Rules`
(``overvote``, ``duplicate``, ``max_skipped``, ``max_rankings``).

Reads ``profile.marks`` (the ballot as cast, one column per position) when the file has them,
otherwise ``profile.ranks`` (an equal ranking is an overvote of the candidates sharing it).

The walk follows RCTab's ``Tabulator.computeTalliesForRound`` (BrightSpots/rcv): a ballot is
read from its first position; at each position that holds a mark, in this order,

1. *skipped ranks* — if more than ``max_skipped`` positions were skipped since the previous
   position holding a mark (or since the start), the ballot is inactive (SKIPPED_OUT). Only
   positions holding a mark are checked, so skipped positions after the last mark never
   exhaust a ballot; an overvote is a mark (it ends a run of skipped positions);
2. *duplicates* — with ``duplicate="exhaust"``, a position naming a candidate already met at
   an earlier position makes the ballot inactive (REPEATED_OUT), whether or not that candidate
   is still continuing (RCTab *exhaustOnDuplicateCandidate*: the check looks only at the
   candidates seen). With ``duplicate="skip"`` a repeat is read like any mark: the candidate
   was passed over at its first position because it is not continuing, so the walk passes it
   again — unless its first mark was inside an overvote the rules skipped, where RCTab too
   counts the repeat (``[a|b], a`` counts for a under ``overvote="skip"``). A bare overvote
   names no candidate, so it is never a repeat (RCTab takes its overvote label for a
   candidate name here, so that a second bare overvote, reached after skipping the first,
   exhausts as a duplicate: we do not follow that);
3. *overvotes* — ``exhaust``: the ballot is inactive (OVERVOTED) when it reaches an overvote,
   whoever is continuing (RCTab *exhaustImmediately*: checked only when the walk reaches
   the position, i.e. once every earlier-ranked candidate is out); ``skip``: the walk moves
   on (RCTab *alwaysSkipToNextRank*; an overvote in the last position leaves the ballot
   EXHAUSTED, not OVERVOTED, as in RCTab); ``exhaust_if_multiple``: OVERVOTED if two or more
   of the overvoted candidates are continuing, counted for the one if exactly one is, the walk
   moves on if none is (RCTab *exhaustIfMultipleContinuing*). That rule needs to know the
   candidates: a bare ``OVERVOTE`` mark (ES&S's ``overvote`` token) cannot be read under it
   and ``choices`` raises ValueError, as RCTab refuses an *overvoteLabel* with that rule;
4. the first continuing candidate at the position counts the ballot.

A ballot that runs out of positions is EXHAUSTED. ``max_rankings``: positions beyond it are
not read (RCTab's ES&S reader reads only that many rank columns; its other readers refuse a
record ranking beyond it — :func:`ranked_beyond` counts such ballots, for a caller that wants
to refuse them).

Inactive is final. RCTab never looks at an inactive ballot again; under ``exhaust_if_multiple``
a ballot OVERVOTED while two of its overvoted candidates continue would count again once one
of them is excluded if read afresh. Pass the previous round's result as ``previous`` to keep
every inactive ballot inactive (and to walk again only the ballots whose candidate left,
which is also faster); without it each call reads every ballot afresh. ``continuing`` may only
shrink between the calls that share ``previous``.

Without marks (BLT, PrefLib): the positions are the rank numbers; an equal ranking is an
overvote of the candidates sharing the position; a gap in the rank numbers (BLT ``-``) is a
skipped position, so ``max_skipped`` applies to the gaps; a candidate cannot be ranked twice,
so ``duplicate`` changes nothing.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kenes.core.tally.methods.common import EXHAUSTED, TIED_AT_TOP, best_continuing
from kenes.core.tally.profile import OVERVOTE, SKIPPED, Profile, overvote_index
from kenes.core.tally.rules import DUPLICATE_RULES, OVERVOTE_RULES, Rules

# why a ballot is inactive (negative codes; a candidate index is >= 0)
OVERVOTED = TIED_AT_TOP  # reached an overvote that the rules exhaust
SKIPPED_OUT = -3  # skipped more positions in a row than the rules allow
REPEATED_OUT = -4  # reached a repeated candidate and the rules exhaust on duplicates
# EXHAUSTED (-1): no continuing candidate left on the ballot
INACTIVE_REASONS = {
    EXHAUSTED: "exhausted",
    OVERVOTED: "overvote",
    SKIPPED_OUT: "skipped",
    REPEATED_OUT: "repeated",
}

__all__ = [
    "EXHAUSTED",
    "INACTIVE_REASONS",
    "OVERVOTED",
    "REPEATED_OUT",
    "SKIPPED_OUT",
    "choices",
    "ranked_beyond",
]

Choices = npt.NDArray[np.int64]
_GO_ON = -100  # decision table: nothing decided at this position, read the next one
_NONE = int(np.iinfo(np.int16).max)  # "no such position" in the rank walk


def choices(
    profile: Profile,
    continuing: npt.NDArray[np.bool_],
    rules: Rules,
    previous: Choices | None = None,
    *,
    rows: npt.NDArray[np.intp] | None = None,
) -> Choices:
    """For each distinct ballot, its current candidate (>= 0) or its inactive code (< 0).

    ``previous``: the result of the previous call in the same count (see the module
    docstring): inactive ballots stay inactive, ballots whose candidate still continues keep
    it, and only the others are read again.

    ``rows``: read only these distinct ballots (indices into the profile) and return their
    choices alone, in that order — for an engine that keeps each ballot's state itself and
    reads again only the ballots that move (it then keeps inactive ballots inactive).
    """
    _check_rules(rules)
    continuing = np.asarray(continuing, dtype=bool)
    if continuing.shape != (profile.n_candidates,):
        raise ValueError(
            f"continuing must hold one flag per candidate ({profile.n_candidates}), "
            f"not {continuing.shape}"
        )
    marks = profile.marks
    if marks is not None:
        _check_marks(profile, marks, rules)
    if rows is not None:
        if previous is not None:
            raise ValueError("give choices either previous or rows, not both")
        rows = np.asarray(rows, dtype=np.intp)
        if marks is not None:
            return _walk_marks(marks[rows], profile.overvotes, continuing, rules)
        return _walk_ranks(profile, rows, continuing, rules)
    if previous is not None:
        if previous.shape != (profile.ranks.shape[0],):
            raise ValueError("previous must hold one choice per distinct ballot of the profile")
        out = previous.astype(np.int64, copy=True)
        counted = out >= 0
        rows = np.flatnonzero(counted)
        rows = rows[~continuing[out[rows]]]
        if rows.size == 0:
            return out
    if marks is not None:
        walked = _walk_marks(
            marks if rows is None else marks[rows], profile.overvotes, continuing, rules
        )
    else:
        walked = _walk_ranks(profile, rows, continuing, rules)
    if rows is None:
        return walked
    out[rows] = walked
    return out


def ranked_beyond(profile: Profile, max_rankings: int) -> int:
    """How many voters marked a position beyond ``max_rankings`` (RCTab refuses such records
    from every reader but ES&S's; the walk just does not read those positions)."""
    if profile.marks is not None:
        beyond = (profile.marks[:, max_rankings:] != SKIPPED).any(axis=1)
    else:
        beyond = (profile.ranks > max_rankings).any(axis=1)
    return int(profile.counts[beyond].sum())


def _check_rules(rules: Rules) -> None:
    if rules.overvote not in OVERVOTE_RULES:
        raise ValueError(
            f"overvote rule '{rules.overvote}' is not one of {', '.join(OVERVOTE_RULES)}"
        )
    if rules.duplicate not in DUPLICATE_RULES:
        raise ValueError(
            f"duplicate rule '{rules.duplicate}' is not one of {', '.join(DUPLICATE_RULES)}"
        )
    if rules.max_skipped is not None and rules.max_skipped < 0:
        raise ValueError(f"max_skipped must be 0 or more, not {rules.max_skipped}")
    if rules.max_rankings is not None and rules.max_rankings < 1:
        raise ValueError(f"max_rankings must be 1 or more, not {rules.max_rankings}")


def _check_marks(profile: Profile, marks: npt.NDArray[np.int16], rules: Rules) -> None:
    if marks.shape[0] != profile.ranks.shape[0]:
        raise ValueError("the profile's marks and ranks hold different numbers of ballots")
    if marks.size == 0:
        return
    low, high = int(marks.min()), int(marks.max())
    if high >= profile.n_candidates:
        raise ValueError(f"a mark names candidate number {high + 1}, which does not exist")
    if low < OVERVOTE and overvote_index(low) >= len(profile.overvotes):
        raise ValueError(f"a mark names overvote set {overvote_index(low)}, which does not exist")
    if rules.overvote == "exhaust_if_multiple" and (marks == OVERVOTE).any():
        raise ValueError(
            "overvote rule 'exhaust_if_multiple' needs to know which candidates an overvote "
            "marks, and this file writes overvotes without naming them (as RCTab, use "
            "'exhaust' or 'skip' with such files)"
        )


def _walk_marks(
    marks: npt.NDArray[np.int16],
    overvotes: tuple[tuple[int, ...], ...],
    continuing: npt.NDArray[np.bool_],
    rules: Rules,
) -> Choices:
    """The walk over the marks as cast, a position (column) at a time for all ballots."""
    n = continuing.shape[0]
    n_sets = len(overvotes)
    if rules.max_rankings is not None:
        marks = marks[:, : rules.max_rankings]
    # every mark value v (from the last named overvote up to n - 1) is looked up at v + shift
    shift = n_sets + 2
    decide = _decisions(overvotes, continuing, rules.overvote, shift)
    seen_masks = _candidate_masks(overvotes, n, shift) if rules.duplicate == "exhaust" else None
    out = np.full(marks.shape[0], EXHAUSTED, dtype=np.int64)
    alive = np.arange(marks.shape[0])
    last = np.zeros(marks.shape[0], dtype=np.int64)  # 1 + the last position holding a mark
    seen = (
        None if seen_masks is None else np.zeros((marks.shape[0], seen_masks.shape[1]), np.uint64)
    )
    limit = rules.max_skipped
    for j in range(marks.shape[1]):
        if alive.size == 0:
            break
        at = marks[alive, j].astype(np.intp) + shift
        code = decide[at]
        if limit is not None or seen is not None:
            marked = at != SKIPPED + shift
            if limit is not None:
                code = np.where(marked & (j - last > limit), SKIPPED_OUT, code)
                last = np.where(marked, j + 1, last)
            if seen is not None and seen_masks is not None:
                written = seen_masks[at]
                repeated = (seen & written).any(axis=1) & (code != SKIPPED_OUT)
                code = np.where(repeated, REPEATED_OUT, code)
                seen |= written
        done = code != _GO_ON
        if done.any():
            out[alive[done]] = code[done]
            keep = ~done
            alive = alive[keep]
            last = last[keep]
            if seen is not None:
                seen = seen[keep]
    return out


def _decisions(
    overvotes: tuple[tuple[int, ...], ...],
    continuing: npt.NDArray[np.bool_],
    rule: str,
    shift: int,
) -> Choices:
    """For every mark value (at value + shift) what reaching it decides under these rules."""
    n = continuing.shape[0]
    table = np.full(shift + n, _GO_ON, dtype=np.int64)
    table[shift:] = np.where(continuing, np.arange(n), _GO_ON)
    sets = slice(0, shift + OVERVOTE + 1)  # the bare OVERVOTE and every named overvote
    if rule == "exhaust":
        table[sets] = OVERVOTED
    elif rule == "exhaust_if_multiple" and overvotes:
        # (a bare OVERVOTE is refused before the walk under this rule)
        sizes = [len(group) for group in overvotes]
        members = np.fromiter((c for group in overvotes for c in group), dtype=np.int64)
        owner = np.repeat(np.arange(len(overvotes)), sizes)
        live = continuing[members]
        how_many = np.bincount(owner, weights=live, minlength=len(overvotes))
        which = np.bincount(owner, weights=np.where(live, members, 0), minlength=len(overvotes))
        per_set = np.where(
            how_many >= 2, OVERVOTED, np.where(how_many == 1, which.astype(np.int64), _GO_ON)
        )
        # named overvote k has mark -3 - k, found at shift - 3 - k
        table[shift + OVERVOTE - 1 - np.arange(len(overvotes))] = per_set
    return table


def _candidate_masks(
    overvotes: tuple[tuple[int, ...], ...], n: int, shift: int
) -> npt.NDArray[np.uint64]:
    """For every mark value (at value + shift) the candidates it names, as 64-bit words."""
    words = (n + 63) // 64
    masks = np.zeros((shift + n, words), dtype=np.uint64)
    for c in range(n):
        masks[shift + c, c // 64] |= np.uint64(1 << (c % 64))
    for k, group in enumerate(overvotes):
        for c in group:
            masks[shift + OVERVOTE - 1 - k, c // 64] |= np.uint64(1 << (c % 64))
    return masks


# -- the walk over ranks (profiles without marks) --


@dataclass(frozen=True)
class _RankShape:
    """What the rules need of each ballot's positions, whoever is continuing (cached)."""

    first_overvote: npt.NDArray[np.int16]  # first position holding two or more candidates
    first_skipped_out: npt.NDArray[np.int16]  # first mark after too many skipped positions
    single: npt.NDArray[np.int16] | None  # ranks without the overvoted positions (None: none)


_SHAPES: dict[
    tuple[int, int | None, int | None], tuple[weakref.ref[npt.NDArray[np.int16]], _RankShape]
] = {}


def _walk_ranks(
    profile: Profile,
    rows: npt.NDArray[np.intp] | None,
    continuing: npt.NDArray[np.bool_],
    rules: Rules,
) -> Choices:
    pick = slice(None) if rows is None else rows
    if rules.overvote == "exhaust_if_multiple" and rules.max_skipped is None:
        # the highest continuing position decides alone: no need to know the ballot's shape
        top, _ = best_continuing(_limited(profile.ranks[pick], rules.max_rankings), continuing)
        return np.where(top == TIED_AT_TOP, OVERVOTED, top)
    shape = _rank_shape(profile.ranks, rules.max_rankings, rules.max_skipped)
    first_over = shape.first_overvote[pick]
    if rules.overvote == "skip" and shape.single is not None:
        ranks = shape.single[pick]
    else:
        ranks = _limited(profile.ranks[pick], rules.max_rankings)
    top, best = best_continuing(ranks, continuing)
    if rules.overvote == "exhaust":
        over = (first_over <= best) & (first_over != _NONE)
        stop = np.minimum(best, first_over)
    else:
        over = top == TIED_AT_TOP  # exhaust_if_multiple; never under skip
        stop = best
    out = np.where(over, OVERVOTED, top)
    if rules.max_skipped is not None:
        skipped_out = shape.first_skipped_out[pick]
        out = np.where((skipped_out <= stop) & (skipped_out != _NONE), SKIPPED_OUT, out)
    return out


def _limited(ranks: npt.NDArray[np.int16], max_rankings: int | None) -> npt.NDArray[np.int16]:
    if max_rankings is None or max_rankings >= _NONE:
        return ranks
    return np.where(ranks <= max_rankings, ranks, 0).astype(np.int16)


def _rank_shape(
    ranks: npt.NDArray[np.int16], max_rankings: int | None, max_skipped: int | None
) -> _RankShape:
    key = (id(ranks), max_rankings, max_skipped)
    cached = _SHAPES.get(key)
    if cached is not None and cached[0]() is ranks:
        return cached[1]
    shape = _compute_rank_shape(_limited(ranks, max_rankings), max_skipped)
    if len(_SHAPES) >= 16:
        _SHAPES.clear()
    _SHAPES[key] = (weakref.ref(ranks), shape)
    return shape


def _compute_rank_shape(ranks: npt.NDArray[np.int16], max_skipped: int | None) -> _RankShape:
    rows = ranks.shape[0]
    if ranks.shape[1] == 0:
        none = np.full(rows, _NONE, dtype=np.int16)
        return _RankShape(none, none, None)
    ordered = np.sort(np.where(ranks > 0, ranks, _NONE), axis=1)
    after = ordered[:, 1:]
    repeats = (after == ordered[:, :-1]) & (after != _NONE)
    first_over = np.where(repeats, after, _NONE).min(axis=1, initial=_NONE).astype(np.int16)
    first_skipped_out = np.full(rows, _NONE, dtype=np.int16)
    if max_skipped is not None:
        before = np.concatenate([np.zeros((rows, 1), dtype=np.int16), ordered[:, :-1]], axis=1)
        gap = ordered.astype(np.int32) - before - 1
        too_far = (gap > max_skipped) & (ordered != _NONE)
        first_skipped_out = np.where(too_far, ordered, _NONE).min(axis=1).astype(np.int16)
    single = None
    if repeats.any():
        tied_values = np.where(repeats, after, 0)
        tied_cell = np.zeros(ranks.shape, dtype=bool)
        for k in np.flatnonzero(repeats.any(axis=0)):
            value = tied_values[:, k : k + 1]
            tied_cell |= (ranks == value) & (value > 0)
        single = np.where(tied_cell, 0, ranks).astype(np.int16)
    return _RankShape(first_over, first_skipped_out, single)
