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

The count itself is :func:`kenes.core.tally.methods.rcv.rcv` (winner mode
``multiple_per_round``, or ``single`` for one seat); this function fills in the Minneapolis
rules and names the result's method ``stv`` with ``options["stv_rules"] = "minneapolis"``.
With ``batch``, a batch never leaves fewer continuing candidates than seats left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kenes.core.tally.methods.rcv import rcv
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import Result
from kenes.core.tally.rules import Rules


def minneapolis_rules(
    seats: int,
    *,
    overvote: str = "exhaust",
    max_skipped: int | None = None,
    batch: bool = False,
    exclude_first: Sequence[str] = (),
    decimal_places: int = 4,
    seed: int | None = None,
) -> Rules:
    """The Rules of a Minneapolis count (the module docstring) with these options."""
    return Rules(
        overvote=overvote,
        max_skipped=max_skipped,
        batch=batch,
        exclude_first=tuple(exclude_first),
        decimal_places=decimal_places,
        seats=seats,
        winner_mode="single" if seats == 1 else "multiple_per_round",
        seed=seed,
    )


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
    rules: Rules | None = None,
) -> Result:
    """Count a multi-seat election under the Minneapolis / RCTab rules (module docstring).

    ``rules`` (any option of :class:`Rules`, seats included) replaces ``seats`` and the
    keyword options when given; ``seed`` still applies when the rules have none.
    """
    if rules is None:
        rules = minneapolis_rules(
            seats or profile.seats or 1,
            overvote=overvote,
            max_skipped=max_skipped,
            batch=batch,
            exclude_first=exclude_first,
            decimal_places=decimal_places,
            seed=seed,
        )
    elif rules.seed is None and seed is not None:
        rules = replace(rules, seed=seed)
    result = rcv(profile, rules, method="stv")
    result.options = {"stv_rules": "minneapolis", **result.options}
    return result
