"""Hemicycle geometry: every seat drawn once, no two overlap, each party one contiguous wedge."""

from __future__ import annotations

import itertools
import math

import pytest

from kenes.web.hemicycle import (
    INTERVAL_INSET,
    PALETTE,
    hemicycle,
    interval_chart,
    seat_positions,
)

HOUSES = [1, 2, 3, 7, 10, 29, 69, 77, 98, 107, 150, 183, 300]


@pytest.mark.parametrize("total", HOUSES)
def test_every_seat_is_placed_once_inside_the_picture(total):
    seats, radius = seat_positions(total)
    assert len(seats) == total
    assert len({(s.x, s.y) for s in seats}) == total
    chart = hemicycle([("A", total)])
    for s in seats:
        assert radius <= s.x <= chart.width - radius
        assert radius / 2 <= s.y <= chart.height


@pytest.mark.parametrize("total", HOUSES)
def test_no_two_seats_overlap(total):
    seats, radius = seat_positions(total)
    for a, b in itertools.combinations(seats, 2):
        assert math.dist((a.x, a.y), (b.x, b.y)) >= 2 * radius


def test_seats_run_left_to_right_by_angle():
    seats, _ = seat_positions(98)
    angles = [s.angle for s in seats]
    assert angles == sorted(angles, reverse=True)
    assert seats[0].x < seats[-1].x


def test_each_party_is_a_contiguous_wedge_in_the_order_given():
    parties = [("A", 51), ("B", 8), ("C", 6), ("D", 4)]
    chart = hemicycle(parties)
    assert [(b.party, b.seats, len(b.circles)) for b in chart.blocks] == [
        (p, n, n) for p, n in parties
    ]
    # Every seat of a party lies at an angle between its neighbours' seats: no interleaving.
    for left, right in itertools.pairwise(chart.blocks):
        assert min(s.angle for s in left.circles) >= max(s.angle for s in right.circles)


def test_parties_without_seats_are_left_out_but_keep_their_colour():
    chart = hemicycle([("A", 5), ("B", 0), ("C", 3)])
    assert [(b.party, b.css) for b in chart.blocks] == [("A", "party-0"), ("C", "party-2")]
    assert chart.total == 8


def test_the_palette_is_finite_and_reused_in_turn():
    chart = hemicycle([(f"P{i}", 1) for i in range(PALETTE + 2)])
    assert {b.css for b in chart.blocks} == {f"party-{i}" for i in range(PALETTE)}
    assert chart.blocks[PALETTE].css == "party-0"


def test_an_empty_parliament_draws_nothing():
    chart = hemicycle([("A", 0)])
    assert chart.blocks == () and chart.total == 0


def test_interval_bars_scale_to_the_largest_upper_bound():
    chart = interval_chart([("A", 40, 45, 50, 45.2), ("B", 0, 2, 5, 2.4)])
    a, b = chart.bars
    assert a.high_x == 100 - INTERVAL_INSET and b.low_x == INTERVAL_INSET  # percent
    assert a.low_x < a.median_x < a.high_x
    assert b.median_x < a.low_x
