"""What a result page draws: the round-by-round table, the pairwise matrix, the bar chart.

Pure functions over the result JSON (docs/tally.md). The chart's geometry is computed here
and drawn by `web/results/_chart.svg.html` as server-rendered SVG: no JS, no inline styles.
Every figure keeps its exact decimal string beside the human one, for a `title`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kenes.web.explain import human, round_label

_TOP = 22  # room above the bars for the quota's label


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
    label_y: float
    first_y: float
    first_width: float
    first: str  # human
    first_exact: str
    first_value_x: float
    final_y: float
    final_width: float
    final: str
    final_exact: str
    final_value_x: float


@dataclass(frozen=True)
class VotesChart:
    width: int
    height: int
    plot_width: float
    bar_height: int
    two_series: bool  # first and final round differ (STV, IRV); else one bar per candidate
    quota: str  # human; "" when the method has no quota or threshold
    quota_exact: str
    quota_x: float
    quota_label_x: float
    bars: tuple[Bar, ...]


def votes_chart(
    names: list[str],
    first: dict[str, str],
    final: dict[str, str],
    *,
    winners: list[str],
    quota: str | None = None,
    width: int = 360,
    bar_height: int = 12,
) -> VotesChart:
    """Horizontal bars: each candidate's votes in the first and final round, the quota a line.

    Each name sits above its bars so long names fit a phone. When first and final are the
    same round (single-round methods, motions) each candidate gets one bar.
    """
    two = first != final
    row = 20 + bar_height * (2 if two else 1) + (4 if two else 0) + 8
    values = [Decimal(v) for v in (*first.values(), *final.values())]
    # A little room past the longest bar (or the quota) for its figure.
    scale_max = max([*values, Decimal(quota) if quota else Decimal(0), Decimal(1)]) * Decimal("1.1")
    plot_width = width - 60  # room for the figure after each bar

    def length(value: str) -> float:
        return round(float(Decimal(value) * Decimal(plot_width) / scale_max), 1)

    bars = []
    for i, name in enumerate(names):
        top = _TOP + i * row
        f, z = first.get(name, "0"), final.get(name, "0")
        first_y = top + 18
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
                first_value_x=round(length(f) + 5, 1),
                final_y=final_y,
                final_width=length(z),
                final=human(z),
                final_exact=z,
                final_value_x=round(length(z) + 5, 1),
            )
        )
    quota_x = length(quota) if quota else 0.0
    return VotesChart(
        width=width,
        height=_TOP + row * len(bars) + 4,
        plot_width=plot_width,
        bar_height=bar_height,
        two_series=two,
        quota=human(quota) if quota else "",
        quota_exact=quota or "",
        quota_x=quota_x,
        quota_label_x=round(max(0.0, quota_x - 40), 1),
        bars=tuple(bars),
    )


def election_chart(result: dict[str, Any]) -> VotesChart | None:
    """The chart of an election result: first and final round, quota or majority line."""
    rounds = result.get("rounds") or []
    if not rounds:
        return None
    quota = result.get("quota") or rounds[-1].get("threshold")
    return votes_chart(
        result["candidates"],
        rounds[0]["votes"],
        rounds[-1]["votes"],
        winners=result["winners"],
        quota=str(quota) if quota is not None else None,
    )


def motion_chart(result: dict[str, Any], labels: dict[str, str]) -> VotesChart:
    """Yes, no and abstain as bars, one each."""
    votes = {labels[k]: str(v) for k, v in result["votes"].items()}
    winners = [labels["yes"]] if result["carried"] else []
    return votes_chart(list(votes), votes, votes, winners=winners)
