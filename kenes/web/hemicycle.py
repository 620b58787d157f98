"""Geometry of the parliament pictures: the hemicycle and the seat-interval bars.

Pure functions; the templates `web/parliament/_hemicycle.svg.html` and `_intervals.svg.html`
draw them as server-rendered SVG with classes only (strict CSP: no inline styles).

Hemicycle: seats sit in concentric rows on a half-circle (inner radius 40 % of the outer),
one seat pitch apart both along and across rows, so no two seats overlap. Rows take seats in
proportion to their length. All seats are then ordered by angle, left to right, and each party
takes the next run of them: parties are contiguous wedges, in the order given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PALETTE = 10  # CSS classes party-0 ... party-9 in parliament.css; reused in turn beyond that
WIDTH = 360.0
INNER = 0.4  # inner radius as a share of the outer one
MARGIN = 6.0


@dataclass(frozen=True)
class Seat:
    x: float
    y: float
    angle: float  # radians, pi on the left, 0 on the right
    row: int


@dataclass(frozen=True)
class PartyBlock:
    party: str
    seats: int
    css: str
    circles: tuple[Seat, ...]


@dataclass(frozen=True)
class Hemicycle:
    width: float
    height: float
    radius: float  # of one seat's circle
    total: int
    blocks: tuple[PartyBlock, ...]


def css_class(index: int) -> str:
    return f"party-{index % PALETTE}"


def _rows_for(total: int) -> int:
    """The fewest rows whose capacity holds `total` seats."""
    rows = 1
    while _capacities(rows, total_rows=rows) and sum(_capacities(rows, total_rows=rows)) < total:
        rows += 1
    return rows


def _capacities(rows: int, *, total_rows: int) -> list[int]:
    pitch = (1 - INNER) / total_rows
    return [math.floor(math.pi * (INNER + pitch * (i + 0.5)) / pitch) + 1 for i in range(rows)]


def _shares(total: int, capacities: list[int]) -> list[int]:
    """Seats per row in proportion to row capacity (largest remainders), never above it."""
    room = sum(capacities)
    exact = [total * c / room for c in capacities]
    counts = [math.floor(e) for e in exact]
    order = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], -i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def seat_positions(total: int, *, width: float = WIDTH) -> tuple[list[Seat], float]:
    """`total` seats ordered left to right by angle, and the circle radius."""
    if total <= 0:
        return [], 0.0
    rows = _rows_for(total)
    outer = (width - 2 * MARGIN) / 2
    pitch = (1 - INNER) / rows
    counts = _shares(total, _capacities(rows, total_rows=rows))
    cx, cy = width / 2, outer + MARGIN
    seats = []
    for row, count in enumerate(counts):
        r = INNER + pitch * (row + 0.5)
        for j in range(count):
            angle = math.pi / 2 if count == 1 else math.pi * (1 - j / (count - 1))
            seats.append(
                Seat(
                    x=round(cx + outer * r * math.cos(angle), 2),
                    y=round(cy - outer * r * math.sin(angle), 2),
                    angle=angle,
                    row=row,
                )
            )
    # left to right; on one ray, outer rows first so a wedge's edge is a straight line
    seats.sort(key=lambda s: (-round(s.angle, 9), -s.row))
    return seats, round(outer * pitch * 0.42, 2)


def hemicycle(seats_by_party: Sequence[tuple[str, int]], *, width: float = WIDTH) -> Hemicycle:
    """Parties (in the order given, left to right) with their seats; parties with 0 are left out
    of the picture but keep their colour, so colours match the tables."""
    total = sum(n for _, n in seats_by_party)
    positions, radius = seat_positions(total, width=width)
    blocks = []
    at = 0
    for index, (party, n) in enumerate(seats_by_party):
        if n <= 0:
            continue
        blocks.append(PartyBlock(party, n, css_class(index), tuple(positions[at : at + n])))
        at += n
    # The bottom row's seats sit on the diameter: the picture reaches one seat's radius below
    # it, plus the margin, so no seat is cut off.
    height = round(width / 2 + radius + MARGIN, 2)
    return Hemicycle(width, height, radius, total, tuple(blocks))


@dataclass(frozen=True)
class Interval:
    party: str
    css: str
    y: float  # the bar's middle
    label_y: float  # baseline of the party's name and its range
    tick_top: float
    tick_bottom: float
    low_x: float  # percent of the chart's width, like all x below
    high_x: float
    median_x: float
    mean_x: float
    low: int
    median: int
    high: int
    mean: float


@dataclass(frozen=True)
class IntervalChart:
    height: float
    scale_max: int
    bars: tuple[Interval, ...]


#: Room kept at each end of the track (percent) so the mean's dot and the bar's rounded
#: ends stay inside the picture.
INTERVAL_INSET = 2.0


def interval_chart(
    rows: Sequence[tuple[str, int, int, int, float]],
    *,
    row_height: float = 38,
) -> IntervalChart:
    """Rows (party, 5th percentile, median, 95th percentile, mean) -> one bar per party:
    the 90 % interval of its seats, a tick at the median and a dot at the mean.

    The bars stretch to the chart's width (x in percent); the party's name and its range
    are a line of text above its bar, so no mark ever sits on a word."""
    top = max([high for _, _, _, high, _ in rows] + [1])
    span = 100.0 - 2 * INTERVAL_INSET

    def x(value: float) -> float:
        return round(INTERVAL_INSET + span * value / top, 2)

    bars = []
    for index, (party, low, median, high, mean) in enumerate(rows):
        label_y = 16 + index * row_height
        y = label_y + 14
        bars.append(
            Interval(
                party=party,
                css=css_class(index),
                y=y,
                label_y=label_y,
                tick_top=y - 7,
                tick_bottom=y + 7,
                low_x=x(low),
                high_x=x(high),
                median_x=x(median),
                mean_x=x(mean),
                low=low,
                median=median,
                high=high,
                mean=mean,
            )
        )
    height = 12 + len(rows) * row_height
    return IntervalChart(height, top, tuple(bars))
