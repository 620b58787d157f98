"""What a result page draws: the round-by-round table, the pairwise matrix, the bar chart.

Pure functions over the result JSON (docs/tally.md). The chart's geometry is computed here
and drawn by `web/results/_chart.svg.html` as server-rendered SVG: no JS, no inline styles.
Every figure keeps its exact decimal string beside the human one, for a `title`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kenes.web.charts import REACH, TOP, label_anchor, percent
from kenes.web.explain import human, round_label


@dataclass(frozen=True)
class Cell:
    votes: str  # human
    exact: str
    transfer: str = ""  # human, signed
    transfer_exact: str = ""
    mark: str = ""  # "elected" | "excluded" | ""
    out: bool = False  # not standing any more (excluded earlier)
    won: bool = False  # elected in this round or earlier


@dataclass(frozen=True)
class Row:
    name: str
    winner: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Column:
    number: int
    label: str


@dataclass(frozen=True)
class RoundTable:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    extra: tuple[tuple[str, tuple[Cell, ...]], ...]  # (row key, cells): exhausted, quota, ...


def _signed(value: str) -> str:
    shown = human(value)
    return shown if Decimal(value) < 0 else f"+{shown}"


def _cell(value: Any) -> Cell:
    if value is None:
        return Cell(votes="", exact="")
    return Cell(votes=human(value), exact=str(value))


EXTRA_ROWS = ("exhausted", "non_transferable", "non_transferable_rounding", "threshold", "quota")


def round_table(result: dict[str, Any]) -> RoundTable:
    """Rows are candidates (in ballot order), columns are rounds; marks where things happen."""
    rounds = result["rounds"]
    winners = set(result["winners"])
    columns = tuple(
        Column(number=r["round"], label=round_label(result, i)) for i, r in enumerate(rounds)
    )
    rows = []
    for name in result["candidates"]:
        cells, out, won = [], False, False
        for rnd in rounds:
            mark = ""
            if name in rnd["elected"]:
                mark, won = "elected", True
            elif name in rnd["excluded"]:
                mark = "excluded"
            votes = rnd["votes"].get(name)
            change = rnd.get("transfers", {}).get(name)
            cells.append(
                Cell(
                    votes=human(votes) if votes is not None else "",
                    exact=str(votes) if votes is not None else "",
                    transfer=_signed(change) if change is not None and Decimal(change) else "",
                    transfer_exact=str(change) if change is not None else "",
                    mark=mark,
                    out=out and not mark,
                    won=won,
                )
            )
            out = out or mark == "excluded"
        rows.append(Row(name=name, winner=name in winners, cells=tuple(cells)))
    extra = []
    for key in EXTRA_ROWS:
        if key == "exhausted" or any(key in r for r in rounds):
            fallback = result.get("quota") if key == "quota" else None
            extra.append((key, tuple(_cell(r.get(key, fallback)) for r in rounds)))
    if "quota" in result and not any("quota" in r for r in rounds):
        extra.append(("quota", tuple(_cell(result["quota"]) for _r in rounds)))
    return RoundTable(columns=columns, rows=tuple(rows), extra=tuple(extra))


@dataclass(frozen=True)
class PairCell:
    value: int
    beats: bool  # row candidate beats column candidate in this comparison
    self_pair: bool


def pair_matrix(
    names: list[str], matrix: list[list[int]] | None
) -> tuple[tuple[str, tuple[PairCell, ...]], ...]:
    """`matrix[a][b]` per row a and column b, marking where a beats b."""
    if not matrix:
        return ()
    return tuple(
        (
            name,
            tuple(
                PairCell(
                    value=matrix[a][b],
                    beats=a != b and matrix[a][b] > matrix[b][a],
                    self_pair=a == b,
                )
                for b in range(len(names))
            ),
        )
        for a, name in enumerate(names)
    )


@dataclass(frozen=True)
class Bar:
    name: str
    winner: bool
    label_y: float  # baseline of the name
    first_y: float
    first_width: float  # percent
    first: str  # human
    first_exact: str
    final_y: float
    final_width: float  # percent
    final: str
    final_exact: str
    line_top: float  # the quota's segment across this candidate's bars
    line_bottom: float
    first_value_y: float  # baselines of the figures, beside their bars
    final_value_y: float


#: The bars take this share (percent) of the chart's width; each bar's figure stands in the
#: rest, to its right, so neither a long name nor the quota line ever meets a figure.
PLOT_SHARE = 82


@dataclass(frozen=True)
class VotesChart:
    """The plot (bars, quota line) is drawn in percent of the whole chart and squeezed into
    its first `plot_share` percent by `scale(plot_scale, 1)`; text is never scaled."""

    height: int
    plot_share: int
    plot_scale: float
    bar_height: int
    two_series: bool  # first and final round differ (STV, IRV); else one bar per candidate
    quota: str  # human; "" when the method has no quota or threshold
    quota_exact: str
    quota_x: float  # percent of the plot
    quota_label_x: float  # percent of the chart
    quota_anchor: str
    bars: tuple[Bar, ...]


def votes_chart(
    names: list[str],
    first: dict[str, str],
    final: dict[str, str],
    *,
    winners: list[str],
    quota: str | None = None,
    bar_height: int = 12,
) -> VotesChart:
    """Horizontal bars: each candidate's votes in the first and final round, the quota a line.

    Bars stretch to the chart's width (lengths in percent, see `kenes.web.charts`); each name
    sits on a line of text above its bars, so long names fit a phone, and each figure to the
    right of its bar, past the plot (`PLOT_SHARE`). When first
    and final are the same round (single-round methods, motions) each candidate gets one bar.
    Bars come in the order of `names`.
    """
    two = first != final
    row = 20 + bar_height * (2 if two else 1) + (4 if two else 0) + 8
    values = [Decimal(v) for v in (*first.values(), *final.values())]
    scale_max = float(max([*values, Decimal(quota) if quota else Decimal(0), Decimal(1)]))

    def length(value: str) -> float:
        return percent(float(Decimal(value)), scale_max)

    bars = []
    for i, name in enumerate(names):
        top = TOP + i * row
        f, z = first.get(name, "0"), final.get(name, "0")
        first_y = top + 21
        final_y = first_y + bar_height + 4 if two else first_y
        bars.append(
            Bar(
                name=name,
                winner=name in winners,
                label_y=top + 14,
                first_y=first_y,
                first_width=length(f),
                first=human(f),
                first_exact=f,
                final_y=final_y,
                final_width=length(z),
                final=human(z),
                final_exact=z,
                line_top=first_y - REACH,
                line_bottom=final_y + bar_height + REACH,
                first_value_y=first_y + bar_height - 1,
                final_value_y=final_y + bar_height - 1,
            )
        )
    quota_x = length(quota) if quota else 0.0
    return VotesChart(
        height=TOP + row * len(bars) + 4,
        plot_share=PLOT_SHARE,
        plot_scale=PLOT_SHARE / 100,
        bar_height=bar_height,
        two_series=two,
        quota=human(quota) if quota else "",
        quota_exact=quota or "",
        quota_x=quota_x,
        quota_label_x=round(quota_x * PLOT_SHARE / 100, 2),
        quota_anchor=label_anchor(quota_x),
        bars=tuple(bars),
    )


def result_order(result: dict[str, Any]) -> list[str]:
    """Candidates as the outcome ranks them, not as the ballot lists them: the winners in order
    of election, then the others by final-round votes, then by first-round votes (a candidate
    excluded early has no final-round figure); ties keep the ballot's order."""
    rounds = result["rounds"]
    winners = list(result["winners"])
    first, final = rounds[0]["votes"], rounds[-1]["votes"]
    ballot = {name: i for i, name in enumerate(result["candidates"])}
    others = sorted(
        (name for name in result["candidates"] if name not in winners),
        key=lambda n: (
            -Decimal(str(final.get(n, 0))),
            -Decimal(str(first.get(n, 0))),
            ballot[n],
        ),
    )
    return [name for name in winners if name in ballot] + others


def election_chart(result: dict[str, Any]) -> VotesChart | None:
    """The chart of an election result: first and final round, quota or majority line;
    the candidates in the order of the outcome (`result_order`)."""
    rounds = result.get("rounds") or []
    if not rounds:
        return None
    quota = result.get("quota") or rounds[-1].get("threshold")
    return votes_chart(
        result_order(result),
        {k: str(v) for k, v in rounds[0]["votes"].items()},
        {k: str(v) for k, v in rounds[-1]["votes"].items()},
        winners=result["winners"],
        quota=str(quota) if quota is not None else None,
    )


def motion_chart(result: dict[str, Any], labels: dict[str, str]) -> VotesChart:
    """Yes, no and abstain as bars, one each."""
    votes = {labels[k]: str(v) for k, v in result["votes"].items()}
    winners = [labels["yes"]] if result["carried"] else []
    return votes_chart(list(votes), votes, votes, winners=winners)
