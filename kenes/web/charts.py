"""Server-rendered SVG charts: geometry computed here, drawn by a template, no JS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kenes.registry.readiness import RegionReadiness

_TOP = 22  # room above the bars for the threshold's label


@dataclass(frozen=True)
class Bar:
    name: str
    members: int
    required: int
    shortfall: int
    met: bool
    label_y: float
    bar_y: float
    width: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class RegionChart:
    width: int
    height: int
    plot_width: float
    bar_height: int
    threshold: int
    threshold_x: float
    threshold_label_x: float
    bars: tuple[Bar, ...]


def region_chart(
    regions: Sequence[RegionReadiness], *, width: int = 360, row: int = 40, bar_height: int = 14
) -> RegionChart:
    """Horizontal bars, one per region, each name above its bar so it fits a phone.

    The scale runs to a quarter past the threshold (or to the largest region),
    so one region far above the line does not squash the others out of sight.
    """
    threshold = max((r.required for r in regions), default=0)
    largest = max((r.members for r in regions), default=0)
    scale_max = max(largest, round(threshold * 1.25), 1)
    plot_width = width - 50  # room for the count after each bar
    bars = []
    for i, region in enumerate(regions):
        top = _TOP + i * row
        bar_width = round(plot_width * region.members / scale_max, 1)
        bars.append(
            Bar(
                name=region.name,
                members=region.members,
                required=region.required,
                shortfall=region.shortfall,
                met=region.shortfall == 0,
                label_y=top + 14,
                bar_y=top + 19,
                width=bar_width,
                value_x=round(bar_width + 6, 1),
                value_y=top + 19 + bar_height - 2,
            )
        )
    threshold_x = round(plot_width * threshold / scale_max, 1)
    return RegionChart(
        width=width,
        height=_TOP + row * len(bars) + 6,
        plot_width=plot_width,
        bar_height=bar_height,
        threshold=threshold,
        threshold_x=threshold_x,
        threshold_label_x=round(max(0.0, threshold_x - 40), 1),
        bars=tuple(bars),
    )
