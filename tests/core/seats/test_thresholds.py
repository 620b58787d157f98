"""Thresholds as a share of a stated base: valid party votes, valid votes incl. "against all",
ballots cast."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kenes.core.seats import ApportionmentError, Method, Threshold, ThresholdBase, allocate

VOTES = {"A": 900, "B": 60, "C": 40}


def test_five_percent_of_valid_party_votes_admits_b_not_c() -> None:
    result = allocate(VOTES, 10, Method.HARE, Threshold(Fraction(5)))
    assert result.passed == ("A", "B")
    assert result.threshold_base_votes == 1_000


def test_against_all_in_the_base_raises_the_bar() -> None:
    threshold = Threshold(Fraction(5), ThresholdBase.VALID_VOTES_INCL_AGAINST_ALL)
    result = allocate(VOTES, 10, Method.HARE, threshold, against_all=300)
    assert result.passed == ("A",)
    assert result.threshold_base_votes == 1_300
    assert result.seats == {"A": 10, "B": 0, "C": 0}


def test_ballots_cast_base_counts_invalid_ballots_too() -> None:
    threshold = Threshold(Fraction(5), ThresholdBase.BALLOTS_CAST)
    assert allocate(VOTES, 10, Method.HARE, threshold, ballots_cast=1_150).passed == ("A", "B")
    assert allocate(VOTES, 10, Method.HARE, threshold, ballots_cast=1_250).passed == ("A",)


def test_ballots_cast_base_needs_the_number_of_ballots() -> None:
    with pytest.raises(ApportionmentError, match="ballots cast"):
        allocate(VOTES, 10, Method.HARE, Threshold(Fraction(5), ThresholdBase.BALLOTS_CAST))


def test_a_list_exactly_at_the_threshold_passes() -> None:
    result = allocate({"A": 95, "B": 5}, 20, Method.HARE, Threshold(Fraction(5)))
    assert result.passed == ("A", "B")
    assert result.seats == {"A": 19, "B": 1}


def test_seats_are_shared_among_passing_lists_only() -> None:
    result = allocate(VOTES, 96, Method.HARE, Threshold(Fraction(5)))
    assert result.seats == {"A": 90, "B": 6, "C": 0}
    assert result.quota == Fraction(960, 96)


def test_no_list_passing_is_an_error_with_a_sentence() -> None:
    with pytest.raises(ApportionmentError, match="No list passed"):
        allocate({"A": 50, "B": 50}, 10, Method.HARE, Threshold(Fraction(60)))
