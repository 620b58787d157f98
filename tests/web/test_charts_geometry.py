"""The pictures as a reader sees them: each chart is rendered by its template, parsed as SVG and
measured. No reference line (threshold, quota) crosses a word, no mark sits on a word, nothing
falls outside the picture, bar charts take the width of the page at a phone's and a desktop's
width, the result chart lists candidates as the outcome ranks them, every seat of the
hemicycle is whole, and chart text keeps a contrast of at least 4.5:1 against what is behind it.

Text boxes are estimated generously (0.62 em per character, from 0.8 em above the baseline to
0.25 em below), so a chart that passes here has room to spare in a browser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils.translation import override

from kenes.core.tally import build_profile, count, result_json
from kenes.registry.readiness import RegionReadiness
from kenes.web.charts import region_chart
from kenes.web.hemicycle import hemicycle, interval_chart
from kenes.web.opinion_map import mark_radius, opinion_map
from kenes.web.result_charts import election_chart, motion_chart

SVG = "{http://www.w3.org/2000/svg}"
STATIC = Path(__file__).resolve().parents[2] / "kenes" / "web" / "static" / "kenes"
#: A phone's content column (360 px less the page's and the card's padding) and a desktop's.
WIDTHS = (296, 960)
FONT = 13  # px: the largest chart text (kenes.css `.chart text`)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with override("en"):
        yield


def parse(text: str) -> ET.Element:
    return ET.fromstring(text.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float
    what: str

    def meets(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def _x(value: str, width: float, scale: float) -> float:
    """An SVG x attribute (pixels or percent of the picture's width) in pixels, after a
    horizontal `scale()` of the group it is drawn in."""
    if value.endswith("%"):
        return width * float(value[:-1]) / 100 * scale
    return float(value) * scale


def layout(svg: ET.Element, width: float) -> tuple[list[Box], list[Box]]:
    """(text boxes, mark boxes) of a picture drawn `width` pixels wide."""
    texts: list[Box] = []
    marks: list[Box] = []

    def walk(node: ET.Element, scale: float) -> None:
        transform = node.get("transform", "")
        found = re.match(r"scale\(([\d.]+)[ ,]+1\)", transform)
        if found:
            scale *= float(found.group(1))
        else:
            assert not transform, f"unexpected transform {transform!r}"
        tag = node.tag.removeprefix(SVG)
        if tag == "text":
            content = "".join(node.itertext())
            length = len(content) * 0.62 * FONT
            x = _x(node.get("x", "0"), width, scale) + float(node.get("dx", "0"))
            anchor = node.get("text-anchor", "start")
            left = {"start": x, "middle": x - length / 2, "end": x - length}[anchor]
            y = float(node.get("y", "0"))
            texts.append(Box(left, y - 0.8 * FONT, left + length, y + 0.25 * FONT, content))
        elif tag == "rect" and "bar-track" not in node.get("class", ""):
            x = _x(node.get("x", "0"), width, scale)
            y = float(node.get("y", "0"))
            w = _x(node.get("width", "0"), width, scale)
            marks.append(Box(x, y, x + w, y + float(node.get("height", "0")), "rect"))
        elif tag == "line" and "track" not in node.get("class", ""):
            x1, x2 = _x(node.get("x1", "0"), width, scale), _x(node.get("x2", "0"), width, scale)
            y1, y2 = float(node.get("y1", "0")), float(node.get("y2", "0"))
            half = 4.0 if "interval__range" in node.get("class", "") else 1.0  # stroke / 2
            marks.append(
                Box(
                    min(x1, x2) - half,
                    min(y1, y2) - half,
                    max(x1, x2) + half,
                    max(y1, y2) + half,
                    f"line {node.get('class', '')}",
                )
            )
        elif tag == "circle":
            cx, cy = _x(node.get("cx", "0"), width, scale), float(node.get("cy", "0"))
            r = float(node.get("r", "0"))
            marks.append(Box(cx - r, cy - r, cx + r, cy + r, "circle"))
        for child in node:
            walk(child, scale)

    walk(svg, 1.0)
    return texts, marks


def assert_readable(svg: ET.Element) -> None:
    """At a phone's and a desktop's width: no mark on a word, no two words on each other,
    and everything inside the picture."""
    assert svg.get("width") == "100%", "a bar chart takes the width it is given"
    assert svg.get("viewBox") is None, "text must not scale with the picture"
    height = float(svg.get("height", "0"))
    for width in WIDTHS:
        texts, marks = layout(svg, width)
        assert texts and marks
        for text in texts:
            for mark in marks:
                assert not text.meets(mark), f"{mark.what} crosses {text.what!r} at {width} px"
            assert text.left >= 0 and text.right <= width, f"{text.what!r} leaves the picture"
            assert text.top >= 0 and text.bottom <= height, f"{text.what!r} leaves the picture"
        for a, b in zip(texts, texts[1:], strict=False):
            assert not a.meets(b) or a.what == b.what, f"{a.what!r} on {b.what!r} at {width} px"
        for mark in marks:
            assert mark.left >= -4.5 and mark.right <= width + 4.5, f"{mark.what} leaves it"
            assert mark.top >= 0 and mark.bottom <= height, f"{mark.what} leaves the picture"


REGION_NAMES = [
    "Восточно-Казахстанская область",
    "Алматы",
    "Северо-Казахстанская область",
    "Астана",
    "область Ұлытау",
]


def _regions(members: list[int], required: int = 200) -> list[RegionReadiness]:
    return [
        RegionReadiness(code=f"KZ-{i}", name=name, members=n, required=required, at_risk=0)
        for i, (name, n) in enumerate(zip(REGION_NAMES, members, strict=False))
    ]


@pytest.mark.parametrize(
    "members",
    [
        [31, 116, 199, 201, 7],  # bars ending just before and just after the line
        [0, 0, 0, 0, 0],
        [1200, 5, 250, 199, 200],  # one region far above: the line moves left
    ],
)
def test_the_readiness_threshold_crosses_bars_only_never_a_region_name_or_count(members):
    chart = region_chart(_regions(members))
    svg = parse(render_to_string("web/_region_chart.svg.html", {"chart": chart}))
    assert_readable(svg)
    lines = svg.findall(f".//{SVG}line")
    assert len(lines) == len(members)  # one segment per region's bar
    assert {line.get("x1") for line in lines} == {f"{chart.threshold_x}%"}


def test_the_readiness_chart_is_drawn_to_the_full_column_on_a_wide_screen():
    css = (STATIC / "kenes.css").read_text()
    rule = re.search(r"\.chart--fluid[^{]*\{([^}]*)\}", css)
    assert rule is not None and "max-width: none" in rule.group(1)
    svg = parse(
        render_to_string("web/_region_chart.svg.html", {"chart": region_chart(_regions([50] * 5))})
    )
    assert "chart--fluid" in svg.get("class", "")
    # The bar of a region at the threshold reaches 80 % of the width at any screen width.
    chart = region_chart(_regions([200, 250, 0, 0, 0]))
    assert chart.bars[0].width == pytest.approx(80.0)


def _stv_in_reverse_ballot_order() -> dict:
    """Ann is elected first and Bob second, but the ballot lists Dan, Cat, Bob, Ann."""
    names = ["Dan", "Cat", "Bob", "Ann"]
    ann, bob, cat, dan = 3, 2, 1, 0
    ballots = [
        (5, [[ann], [bob]]),
        (3, [[bob], [ann]]),
        (2, [[cat], [bob]]),
        (1, [[bob]]),
        (2, [[dan], [cat], [bob]]),
        (3, [[ann], [cat]]),
    ]
    profile = build_profile(names, ballots, title="t", seats=2)
    return {"kind": "election", **result_json(count(profile, "stv", seed=7))}


def test_the_result_chart_lists_candidates_as_the_outcome_ranks_them_not_the_ballot():
    result = _stv_in_reverse_ballot_order()
    assert result["winners"] == ["Ann", "Bob"]
    chart = election_chart(result)
    assert chart is not None
    names = [bar.name for bar in chart.bars]
    assert names[:2] == ["Ann", "Bob"]
    # Then the others, the one with more first-round votes first (Cat 2 + transfers vs Dan 2).
    first = result["rounds"][0]["votes"]
    rest = names[2:]
    assert [float(first[n]) for n in rest] == sorted((float(first[n]) for n in rest), reverse=True)


def test_the_quota_line_crosses_no_name_and_no_figure():
    result = _stv_in_reverse_ballot_order()
    result["candidates"] = [
        "Жаксылыкова Гульмира Кайраткызы",
        "Соколова Наталья Владимировна",
        "Bob",
        "Ann",
    ]
    renames = dict(zip(["Dan", "Cat", "Bob", "Ann"], result["candidates"], strict=True))
    for rnd in result["rounds"]:
        rnd["votes"] = {renames[k]: v for k, v in rnd["votes"].items()}
    result["winners"] = [renames[w] for w in result["winners"]]
    chart = election_chart(result)
    html = render_to_string("web/results/_chart.svg.html", {"chart": chart, "election": None})
    svg = parse(html)
    assert_readable(svg)
    assert len(svg.findall(f".//{SVG}line")) == 4  # the quota, across each candidate's bars


def test_a_motion_chart_is_readable_too():
    result = {"votes": {"yes": 240, "no": 56, "abstain": 36}, "carried": True}
    chart = motion_chart(result, {"yes": "Yes", "no": "No", "abstain": "Abstain"})
    assert [bar.name for bar in chart.bars] == ["Yes", "No", "Abstain"]  # the ballot's order
    svg = parse(render_to_string("web/results/_chart.svg.html", {"chart": chart}))
    assert_readable(svg)


@pytest.mark.parametrize("seats", [1, 2, 5, 7, 29, 69, 98, 107, 150, 300])
def test_every_seat_of_the_hemicycle_is_whole_inside_the_picture(seats):
    parties = [("A", seats // 2), ("B", seats - seats // 2)]
    svg = parse(_hemicycle_svg(parties))
    _x0, _y0, width, height = (float(v) for v in svg.get("viewBox", "").split())
    circles = svg.findall(f".//{SVG}circle")
    assert len(circles) == seats
    for c in circles:
        cx, cy, r = float(c.get("cx", "0")), float(c.get("cy", "0")), float(c.get("r", "0"))
        assert r > 0
        assert cx - r >= 0 and cx + r <= width, f"seat at {cx} cut at the side"
        assert cy - r >= 0 and cy + r <= height, f"seat at ({cx}, {cy}) cut at the bottom"


def _hemicycle_svg(parties: list[tuple[str, int]]) -> str:
    html = render_to_string(
        "web/parliament/_hemicycle.svg.html", {"chart": hemicycle(parties), "chart_id": "h"}
    )
    return html[html.index("<svg") : html.index("</svg>") + len("</svg>")]


@pytest.mark.parametrize(
    "rows",
    [
        [("Amanat", 39, 41, 43, 41.5), ("Auyl", 7, 8, 10, 8.3), ("ОСДП", 0, 0, 0, 0.0)],
        [("Народная партия Казахстана", 0, 50, 98, 49.0), ("Respublica", 98, 98, 98, 98.0)],
    ],
)
def test_the_seat_ranges_put_no_mark_on_a_party_name_or_its_range(rows):
    svg = parse(
        render_to_string("web/parliament/_intervals.svg.html", {"chart": interval_chart(rows)})
    )
    assert_readable(svg)


def _colour(value: str, variables: dict[str, str]) -> str:
    found = re.fullmatch(r"var\((--[\w-]+)(?:,\s*(#\w+))?\)", value.strip())
    if found:
        return variables.get(found.group(1), found.group(2) or "")
    return value.strip()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_chart_text_has_a_contrast_of_at_least_4_5_to_1():
    css = (STATIC / "kenes.css").read_text() + (STATIC / "parliament.css").read_text()
    root = re.search(r":root\s*\{([^}]*)\}", css)
    assert root is not None
    variables = dict(re.findall(r"(--[\w-]+):\s*([^;]+);", root.group(1)))
    backgrounds = [variables["--paper"], variables["--wash"]]  # cards and the page
    fills = re.findall(r"\.(?:chart|intervals) text\s*\{[^}]*fill:\s*([^;]+);", css)
    assert fills
    for fill in fills:
        for background in backgrounds:
            assert contrast(_colour(fill, variables), background) >= 4.5
    # Party colours paint marks only: a party class never gives text a coloured background
    # (the seat ranges used to put each party's name on a `background: <party colour>`).
    for rule in re.findall(r"\.party-\d[^{]*\{([^}]*)\}", css):
        assert "background" not in rule and "fill" not in rule
    svg = parse(
        render_to_string(
            "web/parliament/_intervals.svg.html",
            {"chart": interval_chart([("Amanat", 39, 41, 43, 41.5)])},
        )
    )
    for group in svg.iter(f"{SVG}g"):
        if group.find(f"{SVG}text") is not None:
            assert "party-" not in group.get("class", "")


def test_the_opinion_map_keeps_marks_and_letters_inside_its_frame():
    points = {str(i): (float(i % 7), float(i // 7)) for i in range(60)}
    groups = [[p for p in points if int(p) % 2 == 0], [p for p in points if int(p) % 2 == 1]]
    stored = {
        "coordinates": {p: list(xy) for p, xy in points.items()},
        "groups": [
            {"id": i, "size": len(m), "participants": m, "representative": []}
            for i, m in enumerate(groups)
        ],
    }
    result = opinion_map(stored)
    assert result is not None
    for mark in result.marks:
        r = mark_radius(mark.count) * 1.35  # the triangle's tip reaches furthest
        assert mark.x - r >= 0 and mark.x + r <= result.width
        assert mark.y - r >= 0 and mark.y + r <= result.plot_height
    for group in result.groups:
        assert 0 <= group.label_x <= result.width and 0 <= group.label_y <= result.plot_height
