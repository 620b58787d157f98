"""Self-explaining count results and their stable JSON shape (version 1).

Every vote figure is an exact ``Fraction``; JSON renders it as a decimal string (exact when the
value is a finite decimal, as it always is for the methods here except Meek's iterations, which
are carried at fixed precision).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

RESULT_VERSION = 1


@dataclass
class Round:
    """One round (stage) of a count."""

    number: int
    votes: dict[int, Fraction]
    elected: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    exhausted: Fraction = Fraction(0)
    action: str = ""
    why: list[str] = field(default_factory=list)
    transfers: dict[int, Fraction] = field(default_factory=dict)
    extra: dict[str, Fraction] = field(default_factory=dict)
    keep_values: dict[int, Fraction] = field(default_factory=dict)
    # where the votes of each candidate excluded or elected (with a surplus) in this round went
    # in the next: source -> destination -> votes; destination -1 = became inactive (RCTab's
    # per-round "transfers", rcv engine only)
    flows: dict[int, dict[int, Fraction]] = field(default_factory=dict)


@dataclass
class Lot:
    """A tie settled by lot: who was tied, who was drawn, and what for."""

    purpose: str
    among: list[int]
    drawn: int


class LotDrawer:
    """Draws lots from a recorded seed so that anyone can repeat the draw.

    The draw is ``random.Random(seed).choice`` over the tied candidates sorted by number.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self.lots: list[Lot] = []

    def draw(self, tied: list[int], purpose: str) -> int:
        among = sorted(tied)
        drawn = among[self._rng.randrange(len(among))]
        self.lots.append(Lot(purpose=purpose, among=among, drawn=drawn))
        return drawn


@dataclass
class Result:
    """The outcome of a count and how it was reached."""

    method: str
    candidates: tuple[str, ...]
    seats: int
    winners: list[int]
    rounds: list[Round]
    seed: int
    lots: list[Lot] = field(default_factory=list)
    quota: Fraction | None = None
    options: dict[str, str] = field(default_factory=dict)
    pairwise: npt.NDArray[np.int64] | None = None
    strongest_paths: npt.NDArray[np.int64] | None = None
    locked: list[tuple[int, int]] = field(default_factory=list)
    ranking: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings about the input (Profile.notes)

    @property
    def winner_names(self) -> list[str]:
        return [self.candidates[c] for c in self.winners]


def decimal_string(value: Fraction, places: int = 9) -> str:
    """Exact decimal text for a finite decimal; otherwise rounded to ``places`` digits."""
    value = Fraction(value)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    digits = max(twos, fives) if den == 1 else places
    scaled = value * 10**digits
    whole = round(scaled) if den != 1 else int(scaled)
    sign = "-" if whole < 0 else ""
    text = str(abs(whole)).rjust(digits + 1, "0")
    if digits == 0:
        return sign + text
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def result_json(result: Result) -> dict[str, Any]:
    """The stable JSON shape of a result (documented in docs/tally.md)."""
    names = result.candidates

    def named(cs: list[int]) -> list[str]:
        return [names[c] for c in cs]

    rounds: list[dict[str, Any]] = []
    for r in result.rounds:
        item: dict[str, Any] = {
            "round": r.number,
            "action": r.action,
            "votes": {names[c]: decimal_string(v) for c, v in r.votes.items()},
            "elected": named(r.elected),
            "excluded": named(r.excluded),
            "exhausted": decimal_string(r.exhausted),
            "why": r.why,
        }
        if r.transfers:
            item["transfers"] = {names[c]: decimal_string(v) for c, v in r.transfers.items()}
        if r.flows:
            item["flows"] = {
                names[src]: {
                    (names[dst] if dst >= 0 else "exhausted"): decimal_string(v)
                    for dst, v in dests.items()
                }
                for src, dests in r.flows.items()
            }
        if r.keep_values:
            item["keep_values"] = {names[c]: decimal_string(v) for c, v in r.keep_values.items()}
        for key, value in r.extra.items():
            item[key] = decimal_string(value)
        rounds.append(item)
    out: dict[str, Any] = {
        "version": RESULT_VERSION,
        "method": result.method,
        "seats": result.seats,
        "candidates": list(names),
        "winners": named(result.winners),
        "rounds": rounds,
        "seed": result.seed,
        "lots": [
            {"purpose": lot.purpose, "among": named(lot.among), "drawn": names[lot.drawn]}
            for lot in result.lots
        ],
        "options": result.options,
    }
    if result.notes:
        out["notes"] = result.notes
    if result.quota is not None:
        out["quota"] = decimal_string(result.quota)
    if result.pairwise is not None:
        out["pairwise"] = result.pairwise.tolist()
    if result.strongest_paths is not None:
        out["strongest_paths"] = result.strongest_paths.tolist()
    if result.locked:
        out["locked"] = [[names[a], names[b]] for a, b in result.locked]
    if result.ranking:
        out["ranking"] = named(result.ranking)
    return out
