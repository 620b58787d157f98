"""Apportionment methods in exact arithmetic: votes (integers or fractions) -> seats.

Largest remainder (Hamilton) with the Hare, Droop and Hagenbach-Bischoff quotas, and the divisor
(highest averages) methods D'Hondt, Sainte-Laguë, Sainte-Laguë with the modified first divisor
(1.4, Sweden/Norway), Huntington-Hill, Adams, Dean and the Danish method. Definitions follow
Pukelsheim, *Proportional Representation* (2nd ed., Springer 2017) and Balinski & Young,
*Fair Representation* (2nd ed., 2001); the Danish method (divisors 1, 4, 7, ...) is the one of
Denmark's Folketing supplementary seats.

Every comparison is exact (``Fraction``; Huntington-Hill compares squares), so a tie is a real
tie and is settled by ``tie_order`` (data, e.g. the list registered earlier wins).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

Number = int | Fraction


class Method(StrEnum):
    """The apportionment methods by their usual names (ids used in data files and commands)."""

    HARE = "hare"
    DROOP = "droop"
    HAGENBACH_BISCHOFF = "hagenbach-bischoff"
    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte-lague"
    MODIFIED_SAINTE_LAGUE = "modified-sainte-lague"
    HUNTINGTON_HILL = "huntington-hill"
    ADAMS = "adams"
    DEAN = "dean"
    DANISH = "danish"

    @property
    def is_largest_remainder(self) -> bool:
        return self in (Method.HARE, Method.DROOP, Method.HAGENBACH_BISCHOFF)


class ApportionmentError(ValueError):
    """Votes or seats that no method can apportion (negative votes, no votes, no seats)."""


@dataclass(frozen=True)
class Apportionment:
    """Seats per list in input order; ``quota`` for quota methods; lists that won a tie."""

    seats: tuple[int, ...]
    quota: Fraction | None
    tie_winners: tuple[int, ...]
    tie_losers: tuple[int, ...]


def quota_for(method: Method, total: Number, seats: int) -> Fraction:
    """The electoral quota: Hare v/s, Droop floor(v/(s+1))+1, Hagenbach-Bischoff v/(s+1)."""
    if method is Method.HARE:
        return Fraction(total) / seats
    if method is Method.DROOP:
        return Fraction(int(Fraction(total) // (seats + 1)) + 1)
    if method is Method.HAGENBACH_BISCHOFF:
        return Fraction(total) / (seats + 1)
    raise ApportionmentError(f"{method} is not a largest-remainder method")


def divisor_squared(method: Method, k: int) -> Fraction:
    """The square of the divisor for a list that already holds ``k`` seats.

    Squares keep Huntington-Hill (sqrt(k(k+1))) rational; the order of v/d equals that of v²/d².
    """
    if method is Method.DHONDT:
        d = Fraction(k + 1)
    elif method is Method.SAINTE_LAGUE:
        d = Fraction(2 * k + 1, 2)
    elif method is Method.MODIFIED_SAINTE_LAGUE:
        d = Fraction(7, 10) if k == 0 else Fraction(2 * k + 1, 2)
    elif method is Method.ADAMS:
        d = Fraction(k)
    elif method is Method.DANISH:
        d = Fraction(3 * k + 1, 3)
    elif method is Method.DEAN:
        d = Fraction(2 * k * (k + 1), 2 * k + 1)
    elif method is Method.HUNTINGTON_HILL:
        return Fraction(k * (k + 1))
    else:
        raise ApportionmentError(f"{method} is not a divisor method")
    return d * d


def _check(votes: Sequence[Number], seats: int, tie_order: Sequence[int]) -> None:
    if seats < 0:
        raise ApportionmentError("The number of seats cannot be negative.")
    if any(v < 0 for v in votes):
        raise ApportionmentError("A list cannot have a negative number of votes.")
    if seats > 0 and sum(votes) == 0:
        raise ApportionmentError("No list has any votes: there is nothing to apportion.")
    if sorted(tie_order) != list(range(len(votes))):
        raise ApportionmentError("The tie order must name every list exactly once.")


def apportion(
    votes: Sequence[Number],
    seats: int,
    method: Method,
    tie_order: Sequence[int] | None = None,
) -> Apportionment:
    """Apportion ``seats`` among lists with ``votes`` by ``method``, exactly.

    ``tie_order`` ranks the lists for ties (first = wins); default: input order, which is the
    "list registered earlier wins" rule when lists are given in registration order.
    """
    order = list(range(len(votes))) if tie_order is None else list(tie_order)
    _check(votes, seats, order)
    if method.is_largest_remainder:
        return _largest_remainder(votes, seats, method, order)
    return _divisor(votes, seats, method, order)


def _largest_remainder(
    votes: Sequence[Number], seats: int, method: Method, order: Sequence[int]
) -> Apportionment:
    """Hamilton's method: integer parts of v/q, then one seat each by largest remainder.

    With the Droop and Hagenbach-Bischoff quotas the integer parts may exceed the house by one;
    the list with the smallest remainder among those holding seats then gives one back
    (Pukelsheim 2017, on quota methods).
    """
    if seats == 0:
        return Apportionment(tuple(0 for _ in votes), None, (), ())
    quota = quota_for(method, sum(votes), seats)
    quotients = [Fraction(v) / quota for v in votes]
    result = [int(q) for q in quotients]
    remainders = [q - int(q) for q in quotients]
    rank = {party: position for position, party in enumerate(order)}
    winners: list[int] = []
    losers: list[int] = []
    while sum(result) > seats:
        holders = [i for i in range(len(votes)) if result[i] > 0]
        # the smallest remainder gives back; on a tie the later-ranked list gives back
        giver = min(holders, key=lambda i: (remainders[i], -rank[i]))
        result[giver] -= 1
    left = seats - sum(result)
    if left > 0:
        ranked = sorted(
            (i for i in range(len(votes)) if votes[i] > 0),
            key=lambda i: (-remainders[i], rank[i]),
        )
        # a Droop quota rounded up on tiny counts can leave more seats than lists: go round again
        chosen = [ranked[j % len(ranked)] for j in range(left)]
        for i in chosen:
            result[i] += 1
        if len(ranked) > left:
            cutoff = remainders[chosen[-1]]
            tied = [i for i in ranked if remainders[i] == cutoff]
            if len(tied) > 1 and any(i not in chosen for i in tied):
                winners = [i for i in tied if i in chosen]
                losers = [i for i in tied if i not in chosen]
    return Apportionment(tuple(result), quota, tuple(winners), tuple(losers))


def _priority(method: Method, vote: Number, held: int) -> tuple[int, Fraction]:
    """Sort key of the next seat of a list: larger is earlier; a zero divisor comes first."""
    if vote == 0:
        return (-1, Fraction(0))
    d2 = divisor_squared(method, held)
    if d2 == 0:
        # Adams, Dean and Huntington-Hill: every list's first seat precedes all others;
        # among first seats, more votes first
        return (1, Fraction(vote))
    return (0, Fraction(vote) * Fraction(vote) / d2)


def _divisor(
    votes: Sequence[Number], seats: int, method: Method, order: Sequence[int]
) -> Apportionment:
    """Highest averages: each seat in turn to the list with the largest v/d(k) (Pukelsheim 2017)."""
    rank = {party: position for position, party in enumerate(order)}
    result = [0] * len(votes)

    def priority(i: int) -> tuple[int, Fraction]:
        return _priority(method, votes[i], result[i])

    heap = [(_negate(priority(i)), rank[i], i) for i in range(len(votes))]
    heapq.heapify(heap)
    last: tuple[int, Fraction] | None = None
    for _ in range(seats):
        key, _r, i = heapq.heappop(heap)
        result[i] += 1
        last = _negate(key)
        heapq.heappush(heap, (_negate(priority(i)), rank[i], i))
    winners: list[int] = []
    losers: list[int] = []
    if last is not None:
        losers = [i for key, _r, i in heap if _negate(key) == last and votes[i] > 0]
        if losers:
            winners = [i for i in range(len(votes)) if _won_at(method, votes[i], result[i], last)]
    return Apportionment(tuple(result), None, tuple(winners), tuple(losers))


def _won_at(method: Method, vote: Number, held: int, level: tuple[int, Fraction]) -> bool:
    return held > 0 and _priority(method, vote, held - 1) == level


def _negate(key: tuple[int, Fraction]) -> tuple[int, Fraction]:
    return (-key[0], -key[1])
