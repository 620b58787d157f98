"""Minneapolis STV: multi-seat ranked-choice voting as Minneapolis counts it, and as RCTab (the
Universal RCV Tabulator, used for the certified count) implements it.

Rule sources: Minneapolis Code of Ordinances, Title 8.5, ch. 167 (167.20 definitions,
167.70 multiple-seat tabulation: threshold, fractional transfer of surplus, batch elimination);
RCTab ``Tabulator.java`` / ``CastVoteRecord.java`` with the rules of a contest's
``*_config.json`` (for the 2013 Park Board at-large count: ``decimalPlacesForVoteArithmetic`` 4,
``overvoteRule`` alwaysSkipToNextRank, ``maxSkippedRanksAllowed`` 2, no batch elimination,
``multiWinnerAllowMultipleWinnersPerRound``).

* Threshold: ``floor(votes for candidates in round 1 / (seats + 1)) + 1``, fixed in round 1
  (re-computed every round only for one seat).
* Each round every ballot counts, at its current value, for its highest-ranked continuing
  candidate (overvote / skipped-rank options as for :func:`kenes.core.tally.irv`); a ballot
  that finds none is inactive for good. Blank ballots (no mark at all) are not counted as
  inactive (RCTab reports them as undervotes).
* No one is elected while a candidate of ``exclude_first`` (undeclared write-ins) stands; they
  are excluded in round 1. Otherwise every candidate at or above the threshold is elected in
  the same round, or all continuing candidates once they are no more than the seats left.
* Surplus (fractional transfer): surplus fraction = (votes - threshold) / votes, truncated to
  ``decimal_places``; each ballot with the winner passes on ``value x fraction`` (truncated)
  and leaves the rest with the winner. The transfer shows in the next round; what truncation
  leaves over the threshold is *residual surplus* and the winner is set to the threshold.
* With no one elected, the lowest continuing candidate is excluded (``batch``: the largest
  group of lowest candidates whose combined votes trail the next candidate); ties by lot.
* Once every seat is filled, one more round shows the last surpluses: ballots that would move
  on are counted as *final round surplus*, not transferred.

Values are integers in units of ``10**-decimal_places`` vote, so every figure is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from kenes.core.tally.methods.common import all_standing_elected, check_seats, new_seed
from kenes.core.tally.methods.irv import ballot_choices, lowest_candidates
from kenes.core.tally.profile import SKIPPED, Profile
from kenes.core.tally.result import LotDrawer, Result, Round

IntArray = npt.NDArray[np.int64]


def minneapolis_stv(
    profile: Profile,
    seats: int | None = None,
    seed: int | None = None,
    *,
    overvote: str = "exhaust",
    max_skipped: int | None = None,
    batch: bool = False,
    exclude_first: Sequence[str] = (),
    decimal_places: int = 4,
) -> Result:
    """Count a multi-seat election under the Minneapolis / RCTab rules (module docstring)."""
    if overvote not in ("exhaust", "skip"):
        raise ValueError("overvote must be 'exhaust' or 'skip'")
    seats = seats or profile.seats or 1
    standing = check_seats(profile, seats)
    names = profile.candidates
    write_ins = [names.index(name) for name in exclude_first if name in names]
    options = {
        "stv_rules": "minneapolis",
        "overvote": overvote,
        "max_skipped": "none" if max_skipped is None else str(max_skipped),
        "batch": str(batch).lower(),
        "decimal_places": str(decimal_places),
    }
    undersubscribed = all_standing_elected(
        profile, "stv", seats, standing, seed, options=options, placeholders=write_ins
    )
    if undersubscribed is not None:
        return undersubscribed
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    unit = 10**decimal_places
    continuing = np.zeros(profile.n_candidates, dtype=bool)
    continuing[standing] = True
    counts = profile.counts.astype(np.int64)
    blank = (profile.ranks == 0).all(axis=1)
    if profile.marks is not None:
        blank &= (profile.marks == SKIPPED).all(axis=1)
    value = np.full(len(counts), unit, dtype=np.int64)  # each ballot's current value
    holder = np.full(len(counts), -1, dtype=np.int64)
    inactive = blank.copy()
    kept: dict[int, int] = {}  # winner -> value left with them, counted in the next round
    final_surplus = 0
    residual = 0
    threshold = 0
    elected: list[int] = []
    rounds: list[Round] = []
    previous: dict[int, int] = {}

    def frac(units: int) -> Fraction:
        return Fraction(units, unit)

    while len(elected) < seats or (seats > 1 and rounds and rounds[-1].elected):
        number = len(rounds) + 1
        held = holder >= 0
        moving = ~inactive & ~(held & continuing[np.maximum(holder, 0)])
        if len(elected) == seats:
            # RCTab: with every seat filled, what would move on stays as final round surplus
            final_surplus += int((counts[moving] * value[moving]).sum())
            inactive |= moving
            holder[moving] = -1
        else:
            top = ballot_choices(profile, continuing, overvote, max_skipped)
            holder[moving] = np.where(top[moving] >= 0, top[moving], -1)
            inactive |= moving & (holder < 0)
        active = ~inactive & (holder >= 0)
        tally = np.bincount(
            holder[active], weights=counts[active] * value[active], minlength=len(names)
        )
        votes = {c: int(round(tally[c])) for c in standing if continuing[c]}
        if number == 1 or seats == 1:
            threshold = (sum(votes.values()) // ((seats + 1) * unit) + 1) * unit
        round_ = Round(number=number, votes={})
        # winners keep the tally of the round after their election, less residual surplus
        for c in elected:
            if c in kept:
                share = kept.pop(c)
                if share > threshold:
                    residual += share - threshold
                    round_.why.append(f"{names[c]}: residual surplus {frac(share - threshold)}")
                votes[c] = min(share, threshold)
            else:
                votes[c] = previous[c]
        round_.votes = {c: frac(v) for c, v in votes.items()}
        lost = int((counts[inactive & ~blank] * value[inactive & ~blank]).sum())
        round_.exhausted = frac(lost - final_surplus)
        round_.extra["threshold"] = frac(threshold)
        round_.extra["residual_surplus"] = frac(residual)
        if final_surplus:
            round_.extra["final_round_surplus"] = frac(final_surplus)
        if number == 1:
            round_.extra["blank_ballots"] = Fraction(int(counts[blank].sum()))
        if previous:
            round_.transfers = {c: frac(v - previous.get(c, 0)) for c, v in votes.items()}
        rounds.append(round_)
        previous = votes
        race = {c: v for c, v in votes.items() if continuing[c]}
        blocking = [c for c in write_ins if continuing[c]]
        new: list[int] = []
        if race and not blocking and len(elected) < seats:
            if len(race) == seats - len(elected):
                new = sorted(race, key=lambda c: (-race[c], c))
                round_.why.append("continuing candidates no more than the seats left: all elected")
            else:
                new = sorted((c for c in race if race[c] >= threshold), key=lambda c: -race[c])
                round_.why += [f"{names[c]} reached the threshold" for c in new]
        if new:
            round_.elected = new
            round_.action = "election"
            for c in new:
                _elect(c, race[c], threshold, unit, holder, value, counts, kept, seats)
                continuing[c] = False
                elected.append(c)
        elif len(elected) < seats:
            if blocking:
                out = blocking
                round_.why.append("excluded first as undeclared write-ins")
            else:
                shares = {c: frac(v) for c, v in race.items()}
                out = lowest_candidates(shares, batch, lots, round_)
            continuing[out] = False
            round_.excluded = list(out)
            round_.action = "exclusion"
        else:
            round_.action = "final round surplus"
    return Result(
        "stv",
        names,
        seats,
        elected,
        rounds,
        seed,
        lots.lots,
        quota=frac(threshold),
        options=options,
        notes=list(profile.notes),
    )


def _elect(
    winner: int,
    votes: int,
    threshold: int,
    unit: int,
    holder: IntArray,
    value: IntArray,
    counts: IntArray,
    kept: dict[int, int],
    seats: int,
) -> None:
    """Record the winner's share of each of their ballots and pass on the surplus fraction."""
    if seats == 1:
        return
    # RCTab ContestConfig.divide / multiply: truncated (RoundingMode.DOWN) to decimal_places
    fraction = (votes - threshold) * unit // votes if votes > threshold else 0
    rows = holder == winner
    passed = value[rows] * fraction // unit
    kept[winner] = int((counts[rows] * (value[rows] - passed)).sum())
    value[rows] = passed
