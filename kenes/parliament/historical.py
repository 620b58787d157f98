"""Past elections replayed under another period's rules ("2021 under the 2023 rules").

Kenes ships the official Kazakh results as package data (kenes/parliament/data/
majilis-results.json, with SOURCE.txt copied from the shared data's SOURCE.md), so replays
need nothing outside the package. A replay allocates the official votes with a preset's
rules (kenes.core.seats.presets); under the rules of its own period it gives the official
seats, which the tests check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kenes.core.seats import SeatRules, load_seat_rules, rules_for_election


@dataclass(frozen=True)
class PastElection:
    id: str
    jurisdiction: str
    year: int
    votes: dict[str, int]  # in the order of the data file, which settles ties
    official_seats: dict[str, int]

    @property
    def original_rules(self) -> SeatRules:
        return rules_for_election(self.jurisdiction, self.year)


@dataclass(frozen=True)
class Replay:
    election: PastElection
    rules: SeatRules
    seats: dict[str, int]
    passed: tuple[str, ...]
    runner_up: str | None

    @property
    def differs(self) -> bool:
        return any(self.seats.get(p, 0) != n for p, n in self.election.official_seats.items())


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    text = (
        resources.files("kenes.parliament.data")
        .joinpath("majilis-results.json")
        .read_text(encoding="utf-8")
    )
    return dict(json.loads(text))


def sources() -> list[str]:
    return list(_data()["sources"])  # type: ignore[call-overload]


def past_elections() -> list[PastElection]:
    """Every shipped election, oldest first."""
    found = []
    for entry in _data()["elections"]:  # type: ignore[attr-defined]
        found.append(
            PastElection(
                id=entry["id"],
                jurisdiction=entry["jurisdiction"],
                year=int(entry["year"]),
                votes={row["party"]: int(row["votes"]) for row in entry["lists"]},
                official_seats={row["party"]: int(row["official_seats"]) for row in entry["lists"]},
            )
        )
    return sorted(found, key=lambda e: e.year)


def past_election(election_id: str) -> PastElection | None:
    return next((e for e in past_elections() if e.id == election_id), None)


def replay(election: PastElection, rules_id: str) -> Replay:
    """The official votes allocated under `rules_id` (raises SeatRulesError if unknown)."""
    rules = load_seat_rules(rules_id)
    allocation = rules.allocate(election.votes)
    return Replay(
        election=election,
        rules=rules,
        seats=dict(allocation.seats),
        passed=tuple(allocation.passed),
        runner_up=allocation.runner_up,
    )
