"""The allocation of ``allocation.allocate`` over many draws at once, in numpy floats.

Rows are draws, columns lists in registration order (ties go to the earlier column, as the
"registered earlier" rule). Floats differ from the exact allocation only on exact ties, which
have probability zero under continuous draws; tests check both agree on integer vote vectors.
Shares carry no vote count, so the Droop quota floor(v/(s+1))+1 is taken as v/(s+1) here.

Divisor methods use Pukelsheim's jump-and-step (*Proportional Representation*, 2017):
round every quotient with the method's rounding at the divisor total/seats (a valid divisor
apportionment of its own house size), then add or remove single seats by the next or last
average until the house is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kenes.core.seats.allocation import RunnerUpRule, Threshold, ThresholdBase
from kenes.core.seats.methods import ApportionmentError, Method

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DrawRules:
    """What the vectorised allocation needs from SeatRules (kept apart to stay light)."""

    seats: int
    method: Method
    threshold: Threshold | None
    runner_up: RunnerUpRule | None


def passed_lists(
    shares: FloatArray, eligible: BoolArray, against_all: int | None, threshold: Threshold | None
) -> BoolArray:
    """Which lists pass the threshold in each draw."""
    live = eligible[None, :] & (shares > 0)
    if threshold is None:
        return live
    if threshold.base is ThresholdBase.BALLOTS_CAST:
        raise ApportionmentError(
            "A threshold on ballots cast needs the number of ballots; polls do not give it."
        )
    base = shares.sum(axis=1)
    if threshold.base is ThresholdBase.VALID_PARTY_VOTES and against_all is not None:
        base = base - shares[:, against_all]
    limit = base * (float(threshold.percent) / 100.0)
    passing: BoolArray = live & (shares >= limit[:, None])
    return passing


def allocate_draws(
    shares: FloatArray, eligible: BoolArray, against_all: int | None, rules: DrawRules
) -> tuple[IntArray, BoolArray]:
    """Seats (draws × lists) and passed mask for every draw."""
    passed = passed_lists(shares, eligible, against_all, rules.threshold)
    admitted = np.where(passed, shares, 0.0)
    if rules.method.is_largest_remainder:
        seats = _largest_remainder(admitted, rules.seats, rules.method)
    else:
        seats = _divisor(admitted, rules.seats, rules.method)
    if rules.runner_up is not None:
        _apply_runner_up(shares, eligible, passed, seats, rules.seats, rules.runner_up)
    return seats, passed


def _largest_remainder(admitted: FloatArray, house: int, method: Method) -> IntArray:
    total = admitted.sum(axis=1, keepdims=True)
    size = house if method is Method.HARE else house + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        quotients = admitted * (size / total)
    quotients = np.nan_to_num(quotients, nan=0.0)
    seats = np.floor(quotients)
    remainders = quotients - seats
    seats_int: IntArray = seats.astype(np.int64)
    remainders[admitted <= 0] = -1.0
    left = house - seats_int.sum(axis=1)
    left[total[:, 0] <= 0] = 0
    # over-allocation (Droop, Hagenbach-Bischoff): smallest remainder among holders gives back
    while (over := left < 0).any():
        rows = np.nonzero(over)[0]
        sub = np.where(seats_int[rows] > 0, remainders[rows], np.inf)
        giver = np.argmin(sub[:, ::-1], axis=1)
        giver = sub.shape[1] - 1 - giver
        seats_int[rows, giver] -= 1
        remainders[rows, giver] = np.inf
        left[rows] += 1
    if left.max(initial=0) > 0:
        order = np.argsort(-remainders, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(order.shape[1])[None, :], axis=1)
        seats_int += rank < left[:, None]
    return seats_int


def _divisor_of(method: Method, k: FloatArray) -> FloatArray:
    if method is Method.DHONDT:
        return k + 1.0
    if method is Method.SAINTE_LAGUE:
        return k + 0.5
    if method is Method.MODIFIED_SAINTE_LAGUE:
        return np.where(k == 0, 0.7, k + 0.5)
    if method is Method.ADAMS:
        return k
    if method is Method.DANISH:
        return k + 1.0 / 3.0
    if method is Method.DEAN:
        return 2.0 * k * (k + 1.0) / (2.0 * k + 1.0)
    return np.sqrt(k * (k + 1.0))


def _rounded(method: Method, x: FloatArray) -> FloatArray:
    """How many divisors d(0), d(1), ... are <= x: the method's rounding of quotient x."""
    if method is Method.DHONDT:
        return np.floor(x)
    if method is Method.SAINTE_LAGUE:
        return np.floor(x + 0.5)
    if method is Method.MODIFIED_SAINTE_LAGUE:
        return np.where(x < 0.7, 0.0, np.floor(x + 0.5))
    if method is Method.DANISH:
        return np.floor(x + 2.0 / 3.0)
    if method is Method.ADAMS:
        k = np.ceil(x)
    elif method is Method.DEAN:
        k = np.floor(((2 * x - 2) + np.sqrt((2 - 2 * x) ** 2 + 8 * x)) / 4) + 1
    else:
        k = np.floor((-1 + np.sqrt(1 + 4 * x * x)) / 2) + 1
    return np.where(x > 0, k, 0.0)


_JUMP_OFFSET = {Method.DHONDT: 0.5, Method.ADAMS: -0.5, Method.DANISH: 1.0 / 6.0}


def _divisor(admitted: FloatArray, house: int, method: Method) -> IntArray:
    total = admitted.sum(axis=1, keepdims=True)
    # jump-start: a divisor near total / (house + k(1/2 - c)) for divisors d(j) = j + c
    # lands within a seat or two of the house size (Pukelsheim 2017)
    lists = (admitted > 0).sum(axis=1, keepdims=True)
    target = house + lists * _JUMP_OFFSET.get(method, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.nan_to_num(admitted * (target / total), nan=0.0)
    seats = _rounded(method, x)
    seats[admitted <= 0] = 0
    left = house - seats.sum(axis=1)
    left[total[:, 0] <= 0] = 0
    for _ in range(4 * house + 4):
        rows = np.nonzero(left)[0]
        if rows.size == 0:
            break
        sub_votes = admitted[rows]
        sub_seats = seats[rows]
        adding = left[rows] > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            nxt = np.where(sub_votes > 0, sub_votes / _divisor_of(method, sub_seats), -np.inf)
            last = np.where(sub_seats > 0, sub_votes / _divisor_of(method, sub_seats - 1), np.inf)
        gainer = np.argmax(nxt, axis=1)
        # the list that won its last seat latest gives it back; on a tie the later list
        loser = last.shape[1] - 1 - np.argmin(last[:, ::-1], axis=1)
        column = np.where(adding, gainer, loser)
        step = np.where(adding, 1.0, -1.0)
        seats[rows, column] += step
        left[rows] -= step
    return seats.astype(np.int64)


def _runner_up_rows(
    shares: FloatArray, eligible: BoolArray, passed: BoolArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Rows where exactly one list passed and another has votes: (rows, leader, runner-up)."""
    rows = np.nonzero(passed.sum(axis=1) == 1)[0]
    sub = shares[rows]
    candidates = np.where(eligible[None, :] & ~passed[rows] & (sub > 0), sub, -1.0)
    second = np.argmax(candidates, axis=1)
    has_second = candidates[np.arange(rows.size), second] > 0
    rows, second = rows[has_second], second[has_second]
    leader = np.argmax(passed[rows], axis=1)
    return rows, leader, second


def admitted_lists(
    shares: FloatArray, eligible: BoolArray, against_all: int | None, rules: DrawRules
) -> BoolArray:
    """Lists that pass, or enter as runner-up: P(pass) without allocating seats."""
    passed = passed_lists(shares, eligible, against_all, rules.threshold)
    if rules.runner_up is not None:
        rows, _, second = _runner_up_rows(shares, eligible, passed)
        passed[rows, second] = True
    return passed


def _apply_runner_up(
    shares: FloatArray,
    eligible: BoolArray,
    passed: BoolArray,
    seats: IntArray,
    house: int,
    rule: RunnerUpRule,
) -> None:
    """Kazakhstan 2009-2022 runner-up rule on rows where exactly one list passed (in place)."""
    rows, leader, second = _runner_up_rows(shares, eligible, passed)
    if rows.size == 0:
        return
    v_leader, v_second = shares[rows, leader], shares[rows, second]
    corrected = float(rule.correction) * v_second * house / (v_leader + v_second)
    second_seats = np.minimum(house, np.maximum(rule.min_seats, np.floor(corrected))).astype(
        np.int64
    )
    seats[rows] = 0
    seats[rows, second] = second_seats
    seats[rows, leader] = house - second_seats
    passed[rows, second] = True
