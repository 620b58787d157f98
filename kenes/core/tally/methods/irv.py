"""Instant-runoff voting (alternative vote), with the options real jurisdictions use.

Rule: count each ballot for its highest-ranked continuing candidate; a candidate with more than
half of the votes of the continuing ballots wins; otherwise the candidate with fewest votes is
excluded and the count repeats (Hare 1859; the single-seat case of STV).

Options (named as in RCTab, the Universal RCV Tabulator, rules documentation):

* ``overvote`` — what a ballot does when it reaches a position holding several candidates
  (an equal ranking or an ES&S ``overvote`` mark): ``"exhaust"`` (Minneapolis 2013,
  RCTab *exhaustImmediately*; also Burlington's count) or ``"skip"`` to the next position
  (Minneapolis 2017, RCTab *alwaysSkipToNextRank*).
* ``max_skipped`` — a ballot that skips more than this many consecutive positions before its
  next mark is exhausted (RCTab *maxSkippedRanksAllowed*); ``None`` = no limit.
* ``batch`` — batch elimination (Minneapolis Code 167.70 / RCTab *batchElimination*): exclude
  at once the largest group of lowest candidates whose combined votes are fewer than the votes
  of the next candidate up, since none of them could overtake it.
* ``exclude_first`` — placeholders such as undeclared write-ins (RCTab *undeclaredWriteInLabel*):
  never elected. They are excluded in round 1, after the first count and before any test for
  a majority, so a write-in holding a first-round majority is still excluded and an outright
  winner is declared in round 2, as RCTab and the certified Minneapolis reports number the
  rounds (the Minneapolis STV count already did this).

A tie for last place is decided by lot from the recorded seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import TallyError
from kenes.core.tally.methods.common import (
    EXHAUSTED,
    TIED_AT_TOP,
    all_standing_elected,
    check_seats,
    new_seed,
    top_choices,
)
from kenes.core.tally.profile import OVERVOTE, SKIPPED, Profile
from kenes.core.tally.result import LotDrawer, Result, Round

INCREMENTAL = True  # tests compare with False: the same rounds, recomputing every ballot


def irv(
    profile: Profile,
    seed: int | None = None,
    *,
    overvote: str = "exhaust",
    max_skipped: int | None = None,
    batch: bool = False,
    exclude_first: Sequence[str] = (),
) -> Result:
    """Count a single-seat instant-runoff election (see the module docstring)."""
    if overvote not in ("exhaust", "skip"):
        raise ValueError("overvote must be 'exhaust' or 'skip'")
    standing = check_seats(profile, 1)
    unknown = [name for name in exclude_first if name not in profile.candidates]
    if unknown:
        raise TallyError(f"--exclude-first names no candidate in the file: {', '.join(unknown)}")
    first_out = [profile.candidates.index(name) for name in exclude_first]
    options = {
        "overvote": overvote,
        "max_skipped": "none" if max_skipped is None else str(max_skipped),
        "batch": str(batch).lower(),
    }
    nobody = all_standing_elected(
        profile, "irv", 1, standing, seed, options=options, placeholders=first_out
    )
    if nobody is not None:
        return nobody
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    n = profile.n_candidates
    continuing = np.zeros(n, dtype=bool)
    continuing[standing] = True
    first_out = [c for c in first_out if continuing[c]]
    rounds: list[Round] = []
    previous: dict[int, Fraction] = {}
    # Under the plain rules a ballot's choice changes only when its choice (or one of the
    # candidates it ties at the top) is excluded: only those ballots are looked at again.
    # (Skipping overvotes can change other ballots too, so that path recomputes all.)
    incremental = INCREMENTAL and profile.marks is None and overvote == "exhaust"
    top = ballot_choices(profile, continuing, overvote, max_skipped)
    voters = profile.n_voters
    weights = profile.counts.astype(np.float64)  # bincount sums: exact below 2**53 voters
    while True:
        # shifted by 2: EXHAUSTED and TIED_AT_TOP (-1, -2) count apart, and for no one
        tally = np.bincount(top + 2, weights=weights, minlength=n + 2)[2:]
        votes = {c: Fraction(int(tally[c])) for c in range(n) if continuing[c]}
        exhausted = Fraction(voters - sum(int(v) for v in tally))
        active = sum(votes.values(), Fraction(0))
        round_ = Round(number=len(rounds) + 1, votes=votes, exhausted=exhausted)
        round_.extra["threshold"] = Fraction(int(active) // 2 + 1)
        if previous:
            round_.transfers = {c: votes[c] - previous.get(c, Fraction(0)) for c in votes}
        rounds.append(round_)
        previous = votes
        leader = max(votes, key=lambda c: votes[c])
        if len(rounds) == 1 and first_out:
            # placeholders go before anyone can be elected, whatever their votes
            out = first_out
            round_.why.append("excluded first as undeclared write-ins")
        elif votes[leader] * 2 > active or len(votes) == 1:
            round_.elected = [leader]
            round_.action = "election"
            round_.why.append(
                f"{profile.candidates[leader]} has {votes[leader]} of {active} continuing votes, "
                "more than half"
            )
            break
        else:
            out = lowest_candidates(votes, batch, lots, round_)
        for c in out:
            continuing[c] = False
        round_.excluded = out
        round_.action = "exclusion"
        if incremental:
            again = top == TIED_AT_TOP
            for c in out:
                again |= top == c
            rows = np.flatnonzero(again)
            top[rows] = top_choices(profile.ranks[rows], continuing)
        else:
            top = ballot_choices(profile, continuing, overvote, max_skipped)
    return Result(
        "irv",
        profile.candidates,
        1,
        rounds[-1].elected,
        rounds,
        seed,
        lots.lots,
        options=options,
        notes=list(profile.notes),
    )


def lowest_candidates(
    votes: dict[int, Fraction], batch: bool, lots: LotDrawer, round_: Round
) -> list[int]:
    """The candidate(s) to exclude: the lowest (ties by lot), or a batch (see ``batch``)."""
    order = sorted(votes, key=lambda c: votes[c])
    if batch:
        total = Fraction(0)
        group = 0
        for k in range(len(order) - 1):
            total += votes[order[k]]
            if total < votes[order[k + 1]]:
                group = k + 1
        if group > 1:
            round_.why.append(
                f"batch exclusion: the {group} lowest candidates together have fewer votes than "
                "the next candidate"
            )
            return order[:group]
    low = votes[order[0]]
    tied = [c for c in order if votes[c] == low]
    if len(tied) > 1:
        drawn = lots.draw(tied, f"round {round_.number}: exclusion among candidates tied last")
        round_.why.append(f"tie for last place on {low} votes decided by lot")
        return [drawn]
    round_.why.append(f"fewest votes ({low})")
    return [order[0]]


def ballot_choices(
    profile: Profile, continuing: npt.NDArray[np.bool_], overvote: str, max_skipped: int | None
) -> npt.NDArray[np.int64]:
    """Each ballot's current choice under the overvote / skipped-rank options (or EXHAUSTED)."""
    if profile.marks is not None:
        return _choices_as_cast(profile.marks, continuing, overvote, max_skipped)
    if max_skipped is not None:
        raise ValueError("max_skipped needs a cast-vote record (a CSV with one column per rank)")
    ranks = profile.ranks
    top = top_choices(ranks, continuing)
    if overvote == "exhaust":
        return top
    while (top == TIED_AT_TOP).any():
        rows = np.flatnonzero(top == TIED_AT_TOP)
        sub = ranks[rows].copy()
        masked = np.where((sub > 0) & continuing[None, :], sub, np.iinfo(np.int16).max)
        best = masked.min(axis=1)
        sub[(sub == best[:, None]) & continuing[None, :]] = 0
        ranks = ranks.copy()
        ranks[rows] = sub
        top = top_choices(ranks, continuing)
    return top


def _choices_as_cast(
    marks: npt.NDArray[np.int16],
    continuing: npt.NDArray[np.bool_],
    overvote: str,
    max_skipped: int | None,
) -> npt.NDArray[np.int64]:
    limit = marks.shape[1] if max_skipped is None else max_skipped
    out = np.full(marks.shape[0], EXHAUSTED, dtype=np.int64)
    keep = continuing.tolist()
    for i, row in enumerate(marks.tolist()):
        skipped = 0
        for mark in row:
            if mark == SKIPPED:
                skipped += 1
                continue
            if skipped > limit:
                break
            skipped = 0
            if mark == OVERVOTE:
                if overvote == "exhaust":
                    break
                continue
            if keep[mark]:
                out[i] = mark
                break
    return out
