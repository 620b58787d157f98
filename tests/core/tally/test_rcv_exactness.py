"""The rcv engine counts in int64 units of 10**-d vote: where they cannot be exact it refuses
in a sentence instead of wrapping around (RCTab allows up to 20 decimal places)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from kenes.core.tally import Rules, TallyError, build_profile, rcv


def _three_seats(weight: int = 1):  # type: ignore[no-untyped-def]
    # a, b over the threshold with surpluses to pass on, then c, d, e for the last seat
    ballots = [
        (40 * weight, [[0], [2], [3]]),
        (30 * weight, [[1], [3], [2]]),
        (9 * weight, [[2]]),
        (11 * weight, [[3]]),
        (10 * weight, [[4], [2]]),
    ]
    return build_profile(["a", "b", "c", "d", "e"], ballots)


def _rules(places: int) -> Rules:
    return Rules(winner_mode="multiple_per_round", seats=3, decimal_places=places, seed=1)


def test_nine_decimal_places_are_exact_and_every_vote_is_accounted_for() -> None:
    profile = _three_seats()
    result = rcv(profile, _rules(9))
    assert result.winner_names[:2] == ["a", "b"]
    for round_ in result.rounds:
        held = sum(round_.votes.values(), Fraction(0))
        parked = round_.extra.get("residual_surplus", Fraction(0)) + round_.extra.get(
            "final_round_surplus", Fraction(0)
        )
        assert held + round_.exhausted + parked == profile.n_voters
        # every figure is a whole number of 10**-9 vote: exact, not a rounded float
        assert all((v * 10**9).denominator == 1 for v in round_.votes.values())


def test_ten_decimal_places_would_overflow_a_surplus_share_and_are_refused() -> None:
    with pytest.raises(
        TallyError, match=r"10 decimal places cannot be counted exactly .* at most 9"
    ):
        rcv(_three_seats(), _rules(10))


def test_many_ballots_lower_the_limit_instead_of_wrapping_around() -> None:
    # 10**11 voters x 10**9 units does not fit in 64 bits: 10**11 x 10**8 neither:
    # the limit is 7 places here
    profile = _three_seats(weight=10**9)
    assert profile.n_voters == 10**11
    with pytest.raises(TallyError, match="at most 7"):
        rcv(profile, _rules(9))
    result = rcv(profile, _rules(7))
    first = result.rounds[0]
    assert first.votes[0] == 40 * 10**9  # no wrap-around: the tally is the ballots' count
    assert int(np.int64(first.votes[0])) == 40 * 10**9
