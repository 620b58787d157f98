"""Largest remainder (Hamilton) with the Hare, Droop and Hagenbach-Bischoff quotas."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kenes.core.seats import ApportionmentError, Method, apportion

# Textbook example (Wikipedia "Largest remainder method"): 100,000 votes, 10 seats.
VOTES = [47_000, 16_000, 15_800, 12_000, 6_100, 3_100]


def test_hare_quota_10000_gives_5_2_1_1_1_0() -> None:
    result = apportion(VOTES, 10, Method.HARE)
    assert result.seats == (5, 2, 1, 1, 1, 0)
    assert result.quota == 10_000


def test_droop_quota_9091_gives_5_2_2_1_0_0() -> None:
    result = apportion(VOTES, 10, Method.DROOP)
    assert result.seats == (5, 2, 2, 1, 0, 0)
    assert result.quota == 9_091


def test_hagenbach_bischoff_quota_is_votes_over_seats_plus_one() -> None:
    result = apportion(VOTES, 10, Method.HAGENBACH_BISCHOFF)
    assert result.quota == Fraction(100_000, 11)
    assert result.seats == (5, 2, 2, 1, 0, 0)


def test_hagenbach_bischoff_overallocation_gives_back_the_smallest_remainder() -> None:
    # quota 30/3 = 10: integer parts 2 + 1 = 3 > 2 seats; both remainders are 0, so the later
    # list (the tie rule's loser) gives its seat back
    assert apportion([20, 10], 2, Method.HAGENBACH_BISCHOFF).seats == (2, 0)


def test_equal_remainders_go_to_the_list_registered_earlier() -> None:
    result = apportion([50, 25, 25], 2, Method.HARE)
    assert result.seats == (1, 1, 0)
    assert result.tie_winners == (1,) and result.tie_losers == (2,)
    assert apportion([50, 25, 25], 2, Method.HARE, tie_order=[0, 2, 1]).seats == (1, 0, 1)


def test_fractional_votes_are_apportioned_exactly() -> None:
    assert apportion([Fraction(7, 10) * 30, 70], 10, Method.HARE).seats == (2, 8)


def test_no_votes_at_all_is_an_error_with_a_sentence() -> None:
    with pytest.raises(ApportionmentError, match="nothing to apportion"):
        apportion([0, 0], 3, Method.HARE)


def test_negative_votes_are_refused() -> None:
    with pytest.raises(ApportionmentError, match="negative"):
        apportion([5, -1], 3, Method.HARE)
