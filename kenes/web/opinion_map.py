"""The opinion map of a consultation as server-rendered SVG: geometry here, drawing in a template.

Input is the stored analysis (`kenes.core.consensus.as_json`): each clustered participant's
two map coordinates and each opinion group's participants. Both axes share one scale, so
distance on the map means the same in every direction: participants who voted alike sit
close together. The axes themselves mean nothing (a projection of the votes, as in Pol.is),
so they carry no labels.

Thousands of participants must stay light on a cheap phone: participants of one group who
fall into the same small square of the map are merged into one mark whose area grows with
their number. Each group has its own colour (Okabe–Ito, safe for colour-blind readers) AND
its own shape and letter, so the map still reads in grey print.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kenes.agenda.exports import group_letter

WIDTH = 360
PLOT_HEIGHT = 280
MARGIN = 14
LEGEND_ROW = 20
#: Side of the square (in map pixels) whose participants of one group merge into one mark.
BIN = 6
#: Radius of a mark for one participant and the largest radius of a merged mark.
RADIUS = 2.6
MAX_RADIUS = 9.0
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down")


@dataclass(frozen=True)
class Mark:
    """One mark: a participant, or several of one group at the same place of the map."""

    group: int  # index into OpinionMap.groups
    css: str  # the group's colour class
    count: int
    x: float
    y: float
    path: str


@dataclass(frozen=True)
class GroupKey:
    """A group as the legend and the labels show it."""

    index: int
    letter: str
    size: int
    shape: str
    css: str  # "opinion-group-<index>": the colour in report.css
    label_x: float
    label_y: float
    hull: str  # SVG path of the convex hull of the group's marks ("" when too few)
    swatch: str  # SVG path of the legend's sample mark
    legend_y: float
    legend_text_y: float


@dataclass(frozen=True)
class OpinionMap:
    width: int
    height: int
    plot_height: int
    participants: int
    marks: tuple[Mark, ...]
    groups: tuple[GroupKey, ...]


def shape_path(shape: str, x: float, y: float, r: float) -> str:
    """An SVG path of `shape` centred on (x, y), of about the area of a circle of radius r."""
    if shape == "square":
        h = r * 0.886  # half side of a square of the circle's area
        return f"M{x - h:.1f} {y - h:.1f}h{2 * h:.1f}v{2 * h:.1f}h{-2 * h:.1f}z"
    if shape in ("triangle", "triangle-down"):
        s = r * 1.35
        tip = -s if shape == "triangle" else s
        return (
            f"M{x:.1f} {y + tip:.1f}L{x + s * 0.866:.1f} {y - tip / 2:.1f}"
            f"L{x - s * 0.866:.1f} {y - tip / 2:.1f}z"
        )
    if shape == "diamond":
        d = r * 1.25
        return f"M{x:.1f} {y - d:.1f}L{x + d:.1f} {y:.1f}L{x:.1f} {y + d:.1f}L{x - d:.1f} {y:.1f}z"
    arc = f"a{r:.1f} {r:.1f} 0 1 0"
    return f"M{x - r:.1f} {y:.1f}{arc} {2 * r:.1f} 0{arc} {-2 * r:.1f} 0z"


def mark_radius(count: int) -> float:
    """Area grows with the participants a mark stands for, up to MAX_RADIUS."""
    return min(MAX_RADIUS, RADIUS * math.sqrt(count))


def convex_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain: the hull's corners counter-clockwise (fewer than 3: as given)."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _scale(coordinates: Mapping[str, Sequence[float]]) -> tuple[float, float, float]:
    """One scale for both axes (distance means the same across and up), centred in the plot."""
    xs = [float(c[0]) for c in coordinates.values()]
    ys = [float(c[1]) for c in coordinates.values()]
    span_x = max(xs) - min(xs)
    span_y = max(ys) - min(ys)
    inner_w, inner_h = WIDTH - 2 * MARGIN, PLOT_HEIGHT - 2 * MARGIN
    scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
    if not math.isfinite(scale):
        scale = 1.0
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return scale, mid_x, mid_y


def opinion_map(analysis: Mapping[str, Any]) -> OpinionMap | None:
    """The map of a stored analysis, or None when nobody has been placed on it yet."""
    coordinates: Mapping[str, Sequence[float]] = analysis.get("coordinates") or {}
    groups: Sequence[Mapping[str, Any]] = analysis.get("groups") or []
    if not coordinates or not groups:
        return None
    group_of = {str(p): i for i, g in enumerate(groups) for p in g["participants"]}
    scale, mid_x, mid_y = _scale(coordinates)
    bins: dict[tuple[int, int, int], list[float]] = {}
    for participant, (x, y) in coordinates.items():
        group = group_of.get(str(participant))
        if group is None:
            continue  # placed but not clustered: cannot happen in analyse(); skip safely
        px = WIDTH / 2 + (float(x) - mid_x) * scale
        # SVG y grows downwards; flipping keeps the map the way `kenes consensus` plots it.
        py = PLOT_HEIGHT / 2 - (float(y) - mid_y) * scale
        key = (group, int(px // BIN), int(py // BIN))
        cell = bins.setdefault(key, [0.0, 0.0, 0.0])
        cell[0] += 1
        cell[1] += px
        cell[2] += py
    marks = []
    points: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(groups))}
    for (group, _bx, _by), (count, sum_x, sum_y) in sorted(bins.items()):
        n = int(count)
        x, y = round(sum_x / n, 1), round(sum_y / n, 1)
        shape = SHAPES[group % len(SHAPES)]
        css = f"opinion-group-{group % len(SHAPES)}"
        marks.append(Mark(group, css, n, x, y, shape_path(shape, x, y, mark_radius(n))))
        points[group].append((x, y))
    keys = []
    for i, group in enumerate(groups):
        own = points[i]
        hull = convex_hull(own)
        label_x = round(sum(p[0] for p in own) / len(own), 1) if own else 0.0
        label_y = round(sum(p[1] for p in own) / len(own), 1) if own else 0.0
        legend_y = PLOT_HEIGHT + 8 + i * LEGEND_ROW
        shape = SHAPES[i % len(SHAPES)]
        keys.append(
            GroupKey(
                index=i,
                letter=group_letter(int(group["id"])),
                size=int(group["size"]),
                shape=shape,
                css=f"opinion-group-{i % len(SHAPES)}",
                label_x=label_x,
                label_y=label_y,
                hull=(
                    "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in hull) + "z"
                    if len(hull) >= 3
                    else ""
                ),
                swatch=shape_path(shape, MARGIN + 6, legend_y + 7, 5.5),
                legend_y=legend_y,
                legend_text_y=legend_y + 12,
            )
        )
    return OpinionMap(
        width=WIDTH,
        height=PLOT_HEIGHT + 8 + LEGEND_ROW * len(keys) + 4,
        plot_height=PLOT_HEIGHT,
        participants=sum(m.count for m in marks),
        marks=tuple(marks),
        groups=tuple(keys),
    )
