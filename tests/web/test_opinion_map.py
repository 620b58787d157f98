"""The opinion map: server-rendered SVG, one mark per participant or per merged pixel."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils.translation import override

from kenes.web.opinion_map import BIN, SHAPES, convex_hull, mark_radius, opinion_map

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """These tests read the English sentences (the site's default language is Russian)."""
    with override("en"):
        yield


def analysis(points: dict[str, tuple[float, float]], groups: list[list[str]]) -> dict:
    return {
        "coordinates": {p: list(xy) for p, xy in points.items()},
        "groups": [
            {"id": i, "size": len(members), "participants": members, "representative": []}
            for i, members in enumerate(groups)
        ],
    }


def render(stored: dict) -> ET.Element:
    text = render_to_string("web/agenda/report_map.svg.html", {"opinion_map": opinion_map(stored)})
    # Parsed as XML in the SVG namespace, as a browser parses inline SVG.
    return ET.fromstring(text.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def marks(svg: ET.Element) -> list[ET.Element]:
    """The participants' marks: direct children of the SVG (legend samples sit in a group)."""
    return [e for e in svg if e.tag == f"{SVG}path" and "map-mark" in e.get("class", "")]


def legend(svg: ET.Element) -> ET.Element:
    return next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "map-legend")


def spread() -> dict:
    points = {str(i): (float(i % 10), float(i // 10)) for i in range(40)}
    return analysis(points, [[str(i) for i in range(20)], [str(i) for i in range(20, 40)]])


def test_the_map_is_valid_svg_with_one_mark_per_participant_when_none_overlap():
    svg = render(spread())

    assert svg.get("role") == "img"
    assert len(marks(svg)) == 40
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None and title.text == "Opinion map"
    assert desc is not None and "Group A: 20 participants." in desc.text
    assert "Group B: 20 participants." in desc.text


def test_each_group_has_its_own_colour_class_shape_and_legend_entry():
    svg = render(spread())

    classes = {m.get("class") for m in marks(svg)}
    assert classes == {"map-mark opinion-group-0", "map-mark opinion-group-1"}
    texts = [t.text for t in legend(svg).iter(f"{SVG}text")]
    assert texts == ["Group A: 20 participants", "Group B: 20 participants"]
    swatches = [p.get("d") for p in legend(svg).iter(f"{SVG}path")]
    # group A circles (arcs), group B squares (h/v lines): still told apart in grey print
    assert "a" in swatches[0] and "h" in swatches[1]
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "map-label"]
    assert labels == ["A", "B"]


def test_participants_at_the_same_pixel_merge_into_one_bigger_mark():
    # 1,000 participants of group A on one spot, 1 of group B far away.
    points = {str(i): (0.0, 0.0) for i in range(1000)}
    points["b"] = (10.0, 10.0)
    stored = analysis(points, [[str(i) for i in range(1000)], ["b"]])

    result = opinion_map(stored)
    svg = render(stored)

    assert result is not None
    assert [(m.group, m.count) for m in result.marks] == [(0, 1000), (1, 1)]
    assert len(marks(svg)) == 2
    assert mark_radius(1000) > mark_radius(1)
    assert result.participants == 1001


def test_thousands_of_scattered_participants_stay_within_one_mark_per_bin():
    points = {str(i): ((i * 7919) % 997 / 997, (i * 104729) % 991 / 991) for i in range(5000)}
    stored = analysis(points, [list(points)])

    result = opinion_map(stored)

    assert result is not None
    assert sum(m.count for m in result.marks) == 5000
    plot_bins = (result.width // BIN + 1) * (result.plot_height // BIN + 1)
    assert len(result.marks) <= plot_bins
    assert len(result.marks) < 5000


def test_distance_has_one_scale_in_both_directions():
    # One unit across and one unit up: the same number of pixels, although the plot is wider
    # than it is high.
    stored = analysis({"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (0.0, 1.0)}, [["a", "b", "c"]])
    result = opinion_map(stored)
    assert result is not None
    xs = [m.x for m in result.marks]
    ys = [m.y for m in result.marks]
    assert abs((max(xs) - min(xs)) - (max(ys) - min(ys))) < 0.2


def test_no_map_without_placed_participants():
    assert opinion_map({"coordinates": {}, "groups": []}) is None


def test_the_svg_has_no_inline_style_and_nothing_from_another_host():
    text = render_to_string(
        "web/agenda/report_map.svg.html", {"opinion_map": opinion_map(spread())}
    )
    assert "style=" not in text
    assert not re.search(r"https?://", text)


def test_convex_hull_keeps_only_the_corners():
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (1.0, 1.0), (1.0, 0.0)]
    assert sorted(convex_hull(square)) == [(0.0, 0.0), (0.0, 2.0), (2.0, 0.0), (2.0, 2.0)]


def test_there_is_a_shape_for_every_possible_opinion_group():
    from kenes.core.consensus.clustering import MAX_GROUPS

    assert len(SHAPES) >= MAX_GROUPS
