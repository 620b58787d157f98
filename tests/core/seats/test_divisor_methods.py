"""Divisor (highest averages) methods: D'Hondt, Sainte-Laguë (plain and 1.4), Huntington-Hill,
Adams, Dean and the Danish method."""

from __future__ import annotations

from kenes.core.seats import Method, TieRule, allocate, apportion

# Textbook example (Wikipedia "D'Hondt method"): 230,000 votes, 8 seats.
VOTES = [100_000, 80_000, 30_000, 20_000]


def test_dhondt_gives_4_3_1_0() -> None:
    assert apportion(VOTES, 8, Method.DHONDT).seats == (4, 3, 1, 0)


def test_sainte_lague_gives_3_3_1_1() -> None:
    assert apportion(VOTES, 8, Method.SAINTE_LAGUE).seats == (3, 3, 1, 1)


def test_modified_first_divisor_1_4_withholds_the_first_seat_from_a_small_list() -> None:
    # divisors 1.4, 3, 5, 7: the 8th seat is a tie of A's 100,000/7 and D's 20,000/1.4
    # (14,285.7 each), which A wins as the list registered earlier; plain Sainte-Laguë seats D
    result = apportion(VOTES, 8, Method.MODIFIED_SAINTE_LAGUE)
    assert result.seats == (4, 3, 1, 0)
    assert result.tie_losers == (3,)


def test_danish_divisors_1_4_7_give_3_1_1() -> None:
    # A: 100, 25, 14.3; B: 50, 12.5; C: 20, 5 -> 100 A, 50 B, 25 A, 20 C, 14.3 A
    assert apportion([100, 50, 20], 5, Method.DANISH).seats == (3, 1, 1)


def test_adams_gives_every_list_with_votes_a_first_seat() -> None:
    assert apportion([1_000, 10, 1], 3, Method.ADAMS).seats == (1, 1, 1)
    assert apportion([1_000, 10, 0], 3, Method.ADAMS).seats == (2, 1, 0)


def test_adams_with_fewer_seats_than_lists_seats_the_largest() -> None:
    assert apportion([5, 9, 7], 2, Method.ADAMS).seats == (0, 1, 1)


def test_huntington_hill_compares_geometric_means_exactly() -> None:
    # after 1 seat each: A's 2nd seat average 90/sqrt(2) = 63.6 > B's 60/sqrt(2) = 42.4;
    # then A's 3rd 90/sqrt(6) = 36.7 < B's 2nd 42.4
    assert apportion([90, 60, 5], 4, Method.HUNTINGTON_HILL).seats == (2, 1, 1)
    assert apportion([90, 60, 5], 5, Method.HUNTINGTON_HILL).seats == (2, 2, 1)


def test_dean_divisors_are_harmonic_means() -> None:
    # divisors 0, 4/3, 12/5: A 90/(4/3) = 67.5 beats B 60/(4/3) = 45; A 90/2.4 = 37.5 < 45
    assert apportion([90, 60, 5], 5, Method.DEAN).seats == (2, 2, 1)


def test_dhondt_tie_goes_to_the_list_registered_earlier() -> None:
    # 2nd seat: A's 30/2 = 15 ties B's 15/1; B registered first
    result = allocate({"B": 15, "A": 30}, 2, Method.DHONDT)
    assert result.seats == {"B": 1, "A": 1}
    assert result.tie_winners == ("B",) and result.tie_losers == ("A",)


def test_dhondt_tie_goes_to_more_votes_under_that_tie_rule() -> None:
    result = allocate({"B": 15, "A": 30}, 2, Method.DHONDT, tie_rule=TieRule.MORE_VOTES)
    assert result.seats == {"B": 0, "A": 2}
