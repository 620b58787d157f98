"""Every method that the `apportionment` package (Lackner) also implements gives the same seats
on random vote vectors (ties excluded: the package breaks them in floats)."""

from __future__ import annotations

from fractions import Fraction

import apportionment.methods as reference
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kenes.core.seats import Method, Threshold, allocate, apportion

SAME_METHOD = {
    Method.HARE: "hamilton",
    Method.DHONDT: "dhondt",
    Method.SAINTE_LAGUE: "saintelague",
    Method.MODIFIED_SAINTE_LAGUE: "modified_saintelague",
    Method.HUNTINGTON_HILL: "huntington",
    Method.ADAMS: "adams",
    Method.DEAN: "dean",
}

votes_lists = st.lists(st.integers(min_value=1, max_value=2_000_000), min_size=2, max_size=9)
house_sizes = st.integers(min_value=1, max_value=120)


@settings(max_examples=40, deadline=None)
@given(
    votes=votes_lists,
    seats=house_sizes,
    method=st.sampled_from(sorted(SAME_METHOD)),
)
def test_each_shared_method_matches_the_apportionment_package(
    votes: list[int], seats: int, method: Method
) -> None:
    ours = apportion(votes, seats, method)
    assume(not ours.tie_losers)
    assert list(ours.seats) == reference.compute(SAME_METHOD[method], votes, seats)


@settings(max_examples=40, deadline=None)
@given(
    votes=votes_lists,
    seats=house_sizes,
    percent=st.integers(min_value=1, max_value=15),
    method=st.sampled_from([Method.HARE, Method.DHONDT, Method.SAINTE_LAGUE]),
)
def test_thresholds_match_the_apportionment_package(
    votes: list[int], seats: int, percent: int, method: Method
) -> None:
    total = sum(votes)
    assume(all(v * 100 != percent * total for v in votes))
    assume(any(v * 100 > percent * total for v in votes))
    named = {f"list {i}": v for i, v in enumerate(votes)}
    ours = allocate(named, seats, method, Threshold(Fraction(percent)))
    assume(not ours.tie_losers)
    expected = reference.compute(SAME_METHOD[method], votes, seats, threshold=percent / 100)
    assert list(ours.seats.values()) == expected
