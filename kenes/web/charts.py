"""Server-rendered SVG charts: geometry computed here, drawn by a template, no JS.

Bar charts stretch to the width they are given: lengths along the bars are percentages
of the SVG's width, heights are pixels, so the text keeps its size on a phone and on a
wide screen alike. Each row is a line of text (the name on the left, the figure on the
right) above its bar; the reference line (a threshold, a quota) is drawn as one short
dashed segment across each row's bars only, so it never crosses any text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kenes.registry.readiness import RegionReadiness

#: Room above the first row for the reference line's label.
TOP = 22
#: How far a reference segment reaches above and below the bars it crosses.
REACH = 2


def percent(value: float, scale_max: float) -> float:
    """`value` as a percentage of `scale_max`, kept within 0..100."""
    if scale_max <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * value / scale_max)), 2)


def label_anchor(x_percent: float) -> str:
    """Where the reference line's label hangs, so it stays inside the chart at any width:
    centred on the line, or ending (starting) at it near the right (left) edge."""
    if x_percent > 70:
        return "end"
    if x_percent < 15:
        return "start"
    return "middle"


@dataclass(frozen=True)
class Bar:
    name: str
    members: int
    required: int
    shortfall: int
    met: bool
    label_y: float  # baseline of the name and the figure
    bar_y: float
    width: float  # percent
    line_top: float  # the threshold's segment across this bar
    line_bottom: float


@dataclass(frozen=True)
class RegionChart:
    height: int
    bar_height: int
    threshold: int
    threshold_x: float  # percent
    threshold_anchor: str
    bars: tuple[Bar, ...]


def region_chart(
    regions: Sequence[RegionReadiness], *, row: int = 40, bar_height: int = 14
) -> RegionChart:
    """Horizontal bars, one per region, each name and count above its bar so it fits a phone.

    The scale runs to a quarter past the threshold (or to the largest region),
    so one region far above the line does not squash the others out of sight.
    """
    threshold = max((r.required for r in regions), default=0)
    largest = max((r.members for r in regions), default=0)
    scale_max = max(largest, round(threshold * 1.25), 1)
    bars = []
    for i, region in enumerate(regions):
        top = TOP + i * row
        bar_y = top + 21
        bars.append(
            Bar(
                name=region.name,
                members=region.members,
                required=region.required,
                shortfall=region.shortfall,
                met=region.shortfall == 0,
                label_y=top + 14,
                bar_y=bar_y,
                width=percent(region.members, scale_max),
                line_top=bar_y - REACH,
                line_bottom=bar_y + bar_height + REACH,
            )
        )
    threshold_x = percent(threshold, scale_max)
    return RegionChart(
        height=TOP + row * len(bars) + 6,
        bar_height=bar_height,
        threshold=threshold,
        threshold_x=threshold_x,
        threshold_anchor=label_anchor(threshold_x),
        bars=tuple(bars),
    )
