"""One election's list seats: threshold on a stated base, special rules, then a method.

``allocate(votes, seats, method, threshold)`` is the single, exact allocation behind the
`kenes seats` command and every official result reproduced in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from kenes.core.seats.methods import ApportionmentError, Method, apportion


class ThresholdBase(StrEnum):
    """What a threshold percentage is a share of (the "100 % base" of the count)."""

    VALID_PARTY_VOTES = "valid-party-votes"
    VALID_VOTES_INCL_AGAINST_ALL = "valid-votes-incl-against-all"
    BALLOTS_CAST = "ballots-cast"


class TieRule(StrEnum):
    """How equal remainders or averages are settled (data: each preset names its rule)."""

    REGISTERED_EARLIER = "registered-earlier"
    MORE_VOTES = "more-votes"


@dataclass(frozen=True)
class Threshold:
    """A legal threshold: ``percent`` of ``base``; a list passes at or above it."""

    percent: Fraction
    base: ThresholdBase = ThresholdBase.VALID_PARTY_VOTES


@dataclass(frozen=True)
class RunnerUpRule:
    """Kazakhstan 2009-2022: if only one list passes, the runner-up is admitted too.

    Constitutional Law "On Elections" as amended 9 Feb 2009 (IPU Parline report 2165_B; facts
    in shared/data/kz/majilis-rules.json):
    quota = (votes of both lists) / seats; the runner-up's quotient times ``correction`` (0.7);
    the runner-up gets at least ``min_seats`` (2). Seats left after the corrected quotient go
    to the leading list (our reading; the data file marks it UNCONFIRMED).
    """

    correction: Fraction
    min_seats: int


@dataclass(frozen=True)
class Allocation:
    """The result: seats per list (input order), lists passed, quota, base, ties settled."""

    seats: dict[str, int]
    passed: tuple[str, ...]
    quota: Fraction | None
    threshold_base_votes: int | None
    runner_up: str | None = None
    tie_winners: tuple[str, ...] = field(default=())
    tie_losers: tuple[str, ...] = field(default=())


def threshold_base_votes(
    votes: Mapping[str, int], base: ThresholdBase, against_all: int, ballots_cast: int | None
) -> int:
    """The number of votes the threshold percentage is taken of."""
    party_votes = sum(votes.values())
    if base is ThresholdBase.VALID_PARTY_VOTES:
        return party_votes
    if base is ThresholdBase.VALID_VOTES_INCL_AGAINST_ALL:
        return party_votes + against_all
    if ballots_cast is None:
        raise ApportionmentError(
            "This threshold is a share of ballots cast: give the number of ballots cast."
        )
    if ballots_cast < party_votes + against_all:
        raise ApportionmentError("Ballots cast cannot be fewer than the valid votes counted.")
    return ballots_cast


def tie_order(parties: Sequence[str], votes: Mapping[str, int], rule: TieRule) -> list[int]:
    """Indices of ``parties`` ranked for ties; input order is registration order."""
    indices = list(range(len(parties)))
    if rule is TieRule.MORE_VOTES:
        return sorted(indices, key=lambda i: (-votes[parties[i]], i))
    return indices


def allocate(
    votes: Mapping[str, int],
    seats: int,
    method: Method,
    threshold: Threshold | None = None,
    *,
    against_all: int = 0,
    ballots_cast: int | None = None,
    tie_rule: TieRule = TieRule.REGISTERED_EARLIER,
    runner_up: RunnerUpRule | None = None,
) -> Allocation:
    """Seats for each list. ``votes`` is in registration order (it settles ties by default)."""
    parties = list(votes)
    if any(v < 0 for v in votes.values()) or against_all < 0:
        raise ApportionmentError("Vote counts cannot be negative.")
    base_votes: int | None = None
    if threshold is None:
        passed = [p for p in parties if votes[p] > 0]
    else:
        base_votes = threshold_base_votes(votes, threshold.base, against_all, ballots_cast)
        passed = [
            p for p in parties if votes[p] > 0 and votes[p] * 100 >= threshold.percent * base_votes
        ]
    if not passed:
        raise ApportionmentError("No list passed the threshold: no seats can be allocated.")
    if runner_up is not None and len(passed) == 1 and sum(v > 0 for v in votes.values()) > 1:
        return _with_runner_up(votes, seats, passed[0], runner_up, base_votes, tie_rule)
    order = tie_order(passed, votes, tie_rule)
    result = apportion([votes[p] for p in passed], seats, method, order)
    seats_by_party = {p: 0 for p in parties}
    for party, won in zip(passed, result.seats, strict=True):
        seats_by_party[party] = won
    return Allocation(
        seats=seats_by_party,
        passed=tuple(passed),
        quota=result.quota,
        threshold_base_votes=base_votes,
        tie_winners=tuple(passed[i] for i in result.tie_winners),
        tie_losers=tuple(passed[i] for i in result.tie_losers),
    )


def _with_runner_up(
    votes: Mapping[str, int],
    seats: int,
    leader: str,
    rule: RunnerUpRule,
    base_votes: int | None,
    tie_rule: TieRule,
) -> Allocation:
    others = [p for p in votes if p != leader and votes[p] > 0]
    parties = list(votes)
    order = tie_order(parties, votes, tie_rule)
    second = min(others, key=lambda p: (-votes[p], order.index(parties.index(p))))
    quota = Fraction(votes[leader] + votes[second], seats)
    corrected = rule.correction * votes[second] / quota
    second_seats = min(seats, max(rule.min_seats, int(corrected)))
    seats_by_party = {p: 0 for p in parties}
    seats_by_party[second] = second_seats
    seats_by_party[leader] = seats - second_seats
    return Allocation(
        seats=seats_by_party,
        passed=(leader, second),
        quota=quota,
        threshold_base_votes=base_votes,
        runner_up=second,
    )
