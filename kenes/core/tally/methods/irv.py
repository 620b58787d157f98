"""Instant-runoff voting (alternative vote), with the options real jurisdictions use.

Rule: count each ballot for its highest-ranked continuing candidate; a candidate with more than
half of the votes of the continuing ballots wins; otherwise the candidate with fewest votes is
excluded and the count repeats (Hare 1859; the single-seat case of STV).

Options (named as in RCTab, the Universal RCV Tabulator, rules documentation):

* ``overvote`` — what a ballot does when it reaches a position holding several candidates
  (an equal ranking or an ES&S ``overvote`` mark): ``"exhaust"`` (Minneapolis 2013,
  RCTab *exhaustImmediately*) or ``"skip"`` to the next position (Minneapolis 2017, RCTab
  *alwaysSkipToNextRank*). An inactive ballot stays inactive for good, as in RCTab.
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

A tie for last place is decided by lot from the recorded seed; so is a tie of the last two
(RCTab elects one of them by the tie-break in that round).

``rules`` (:class:`kenes.core.tally.rules.Rules`) carries every other option of RCTab; any
option beyond these, or a file with equal rankings, is counted by
:func:`kenes.core.tally.methods.rcv.rcv` (the same rounds, tested as a property).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import TallyError
from kenes.core.tally.methods.common import (
    EXHAUSTED,
    all_standing_elected,
    check_seats,
    new_seed,
    top_choices,
)
from kenes.core.tally.methods.rcv import INACTIVE_KEYS, rcv, rules_options
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import LotDrawer, Result, Round
from kenes.core.tally.rules import Rules

INCREMENTAL = True  # tests compare with False: the same rounds, recomputing every ballot

# the options the fast path below counts itself; any other option goes to the rcv engine
_FAST_FIELDS = ("overvote", "batch", "seed", "decimal_places")


def irv(
    profile: Profile,
    seed: int | None = None,
    *,
    overvote: str = "exhaust",
    max_skipped: int | None = None,
    batch: bool = False,
    exclude_first: Sequence[str] = (),
    rules: Rules | None = None,
) -> Result:
    """Count a single-seat instant-runoff election (see the module docstring).

    ``rules`` (any option of :class:`Rules`) replaces the keyword options when given. Plain
    rules on a file without overvotes are counted here, incrementally (only the ballots of
    an excluded candidate are read again); anything else by :func:`rcv` (the same rounds).
    """
    if rules is None:
        rules = Rules(
            overvote=overvote,
            max_skipped=max_skipped,
            batch=batch,
            exclude_first=tuple(exclude_first),
            seed=seed,
        )
    elif rules.seed is None and seed is not None:
        rules = replace(rules, seed=seed)
    rules.check()
    if rules.seats != 1 or rules.winner_mode != "single":
        raise TallyError("IRV fills one seat; use --method stv for several")
    if not _fast(profile, rules):
        return rcv(profile, rules, method="irv")
    standing = check_seats(profile, 1)
    options = rules_options(rules)
    nobody = all_standing_elected(profile, "irv", 1, standing, rules.seed, options=options)
    if nobody is not None:
        return nobody
    seed = new_seed(rules.seed)
    lots = LotDrawer(seed)
    n = profile.n_candidates
    continuing = np.zeros(n, dtype=bool)
    continuing[standing] = True
    rounds: list[Round] = []
    previous: dict[int, Fraction] = {}
    # Without overvotes a ballot's choice changes only when its choice is excluded: only
    # those ballots are looked at again.
    top = top_choices(profile.ranks, continuing)
    counts = profile.counts
    # a ballot with no mark; without withdrawals, exactly those that count for no one now
    blank = (top == EXHAUSTED) if not profile.withdrawn else (profile.ranks == 0).all(axis=1)
    blanks = int(counts[blank].sum())
    voters = profile.n_voters
    weights = counts.astype(np.float64)  # bincount sums: exact below 2**53 voters
    while True:
        # shifted by 1: EXHAUSTED (-1) counts apart, and for no one
        tally = np.bincount(top + 1, weights=weights, minlength=n + 1)[1:]
        votes = {c: Fraction(int(tally[c])) for c in range(n) if continuing[c]}
        exhausted = Fraction(voters - blanks - sum(int(v) for v in tally))
        active = sum(votes.values(), Fraction(0))
        round_ = Round(number=len(rounds) + 1, votes=votes, exhausted=exhausted)
        for key in INACTIVE_KEYS.values():
            round_.extra[key] = Fraction(0)
        round_.extra["inactive_exhausted"] = exhausted
        round_.extra["threshold"] = Fraction(int(active) // 2 + 1)
        if len(rounds) == 0:
            round_.extra["blank_ballots"] = Fraction(blanks)
        if previous:
            round_.transfers = {c: votes[c] - previous.get(c, Fraction(0)) for c in votes}
        rounds.append(round_)
        previous = votes
        leader = max(votes, key=lambda c: votes[c])
        if votes[leader] * 2 > active or len(votes) == 1:
            round_.elected = [leader]
            round_.action = "election"
            round_.why.append(
                f"{profile.candidates[leader]} has {votes[leader]} of {active} continuing votes, "
                "more than half"
            )
            break
        if len(votes) == 2:
            # RCTab: the last two tied, neither over the threshold: the tie-break elects
            drawn = lots.draw(
                sorted(votes), f"round {round_.number}: election among tied candidates"
            )
            names = profile.candidates
            round_.why.append(
                f"tie for election among {', '.join(names[c] for c in sorted(votes))} "
                f"decided by lot: {names[drawn]}"
            )
            round_.elected = [drawn]
            round_.action = "election"
            break
        out = lowest_candidates(votes, batch=rules.batch, lots=lots, round_=round_)
        for c in out:
            continuing[c] = False
        round_.excluded = out
        round_.action = "exclusion"
        again = np.zeros(len(top), dtype=bool)
        for c in out:
            again |= top == c
        rows = np.flatnonzero(again)
        before = top[rows]
        if INCREMENTAL:
            top[rows] = top_choices(profile.ranks[rows], continuing)
        else:
            top = top_choices(profile.ranks, continuing)
        after = top[rows]
        for c in out:
            mine = before == c
            moved = np.bincount(after[mine] + 1, weights=weights[rows][mine], minlength=n + 1)
            flows = {int(d) - 1: Fraction(int(v)) for d, v in enumerate(moved) if v}
            if flows:
                round_.flows[c] = flows
    return Result(
        "irv",
        profile.candidates,
        1,
        rounds[-1].elected,
        rounds,
        seed,
        lots.lots,
        quota=rounds[-1].extra["threshold"],
        options=options,
        notes=list(profile.notes),
    )


def _fast(profile: Profile, rules: Rules) -> bool:
    """Whether the plain incremental count gives exactly the rounds of :func:`rcv`."""
    default = Rules()
    for f in fields(Rules):
        plain = f.name in _FAST_FIELDS or f.name == "extra"
        if not plain and getattr(rules, f.name) != getattr(default, f.name):
            return False
    if profile.marks is not None:
        return False
    return not has_equal_rankings(profile.ranks)


def has_equal_rankings(ranks: npt.NDArray[np.int16]) -> bool:
    """Whether some ballot ranks two candidates at one position (an overvote)."""
    if ranks.size == 0:
        return False
    if int(ranks.max()) <= 30:
        # one bit per position used: fewer bits than marks means two marks share a position
        columns = np.ascontiguousarray(ranks.T)
        used = np.zeros(ranks.shape[0], dtype=np.int32)
        marked = np.zeros(ranks.shape[0], dtype=np.int16)
        for column in columns:
            used |= np.left_shift(np.int32(1), column, dtype=np.int32)
            marked += column > 0
        used &= ~np.int32(1)  # position 0 = not ranked
        return bool((np.bitwise_count(used) != marked).any())
    ordered = np.sort(ranks, axis=1)
    return bool(((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] > 0)).any())


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
