"""Classical properties (Balinski & Young, *Fair Representation*, 2nd ed. 2001):
divisor methods are house monotone; Hamilton (Hare) satisfies quota; D'Hondt satisfies lower
quota and Adams upper quota."""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.seats import Method, apportion

DIVISOR_METHODS = [m for m in Method if not m.is_largest_remainder]

votes_lists = st.lists(st.integers(min_value=1, max_value=1_000_000), min_size=2, max_size=8)


@settings(max_examples=30, deadline=None)
@given(votes=votes_lists, method=st.sampled_from(DIVISOR_METHODS))
def test_divisor_methods_are_house_monotone(votes: list[int], method: Method) -> None:
    previous = apportion(votes, 1, method).seats
    for house in range(2, 40):
        current = apportion(votes, house, method).seats
        assert all(now >= before for now, before in zip(current, previous, strict=True))
        previous = current


def _quotas(votes: list[int], house: int) -> list[Fraction]:
    return [Fraction(v * house, sum(votes)) for v in votes]


@settings(max_examples=60, deadline=None)
@given(votes=votes_lists, house=st.integers(min_value=1, max_value=200))
def test_hamilton_hare_stays_within_quota(votes: list[int], house: int) -> None:
    seats = apportion(votes, house, Method.HARE).seats
    for won, quota in zip(seats, _quotas(votes, house), strict=True):
        assert floor(quota) <= won <= ceil(quota)


@settings(max_examples=60, deadline=None)
@given(votes=votes_lists, house=st.integers(min_value=1, max_value=200))
def test_dhondt_never_falls_below_lower_quota(votes: list[int], house: int) -> None:
    seats = apportion(votes, house, Method.DHONDT).seats
    assert all(won >= floor(q) for won, q in zip(seats, _quotas(votes, house), strict=True))


@settings(max_examples=60, deadline=None)
@given(votes=votes_lists, house=st.integers(min_value=1, max_value=200))
def test_adams_never_exceeds_upper_quota(votes: list[int], house: int) -> None:
    seats = apportion(votes, house, Method.ADAMS).seats
    assert all(won <= ceil(q) for won, q in zip(seats, _quotas(votes, house), strict=True))


@settings(max_examples=60, deadline=None)
@given(votes=votes_lists, house=st.integers(min_value=1, max_value=200))
def test_every_method_fills_the_house_exactly(votes: list[int], house: int) -> None:
    for method in Method:
        assert sum(apportion(votes, house, method).seats) == house
