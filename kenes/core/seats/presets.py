"""Seat rules of real parliaments, read from kenes/jurisdictions/parliament-*.toml.

Each ``[[rules]]`` table names one period's rules (e.g. ``kz-majilis-2023``) with its sources and
the points still UNCONFIRMED, so a strategist sees how sure each number is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from kenes.core.seats.allocation import (
    Allocation,
    RunnerUpRule,
    Threshold,
    ThresholdBase,
    TieRule,
    allocate,
)
from kenes.core.seats.methods import Method


class JointLists(StrEnum):
    """Whether parties may stand on a joint list (an electoral bloc) in this period."""

    ALLOWED = "allowed"
    BANNED = "banned"
    UNKNOWN = "unknown"


class SeatRulesError(ValueError):
    """A parliament-*.toml file that is not well formed, or an unknown rule id."""


@dataclass(frozen=True)
class SeatRules:
    """One period's seat rules, as data."""

    id: str
    name: str
    jurisdiction: str
    elections: tuple[int, ...]
    seats: int
    seats_total: int
    method: Method
    threshold: Threshold | None
    tie_rule: TieRule
    runner_up: RunnerUpRule | None
    against_all_on_ballot: bool
    joint_lists: JointLists
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    unconfirmed: tuple[str, ...]

    def allocate(
        self,
        votes: Mapping[str, int],
        *,
        against_all: int = 0,
        ballots_cast: int | None = None,
    ) -> Allocation:
        """Allocate this period's list seats; ``votes`` in registration order."""
        return allocate(
            votes,
            self.seats,
            self.method,
            self.threshold,
            against_all=against_all,
            ballots_cast=ballots_cast,
            tie_rule=self.tie_rule,
            runner_up=self.runner_up,
        )


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SeatRulesError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _choice(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str):
        raise SeatRulesError(f"{where}: {key!r} must be a string")
    return value


def parse_rules(table: Mapping[str, Any], where: str) -> SeatRules:
    """One ``[[rules]]`` table -> SeatRules; raises SeatRulesError naming the bad key."""
    try:
        rule_id = _choice(table, "id", where)
        where = f"{where} [{rule_id}]"
        seats = table["seats"]
        if not isinstance(seats, int) or seats <= 0:
            raise SeatRulesError(f"{where}: 'seats' must be a positive integer")
        percent = table.get("threshold_percent")
        threshold = (
            None
            if percent is None
            else Threshold(
                Fraction(str(percent)), ThresholdBase(_choice(table, "threshold_base", where))
            )
        )
        runner = table.get("runner_up")
        runner_up = (
            None
            if runner is None
            else RunnerUpRule(Fraction(str(runner["correction"])), int(runner["min_seats"]))
        )
        elections = table.get("elections", [])
        return SeatRules(
            id=rule_id,
            name=_choice(table, "name", where),
            jurisdiction=_choice(table, "jurisdiction", where),
            elections=tuple(int(e) for e in elections),
            seats=seats,
            seats_total=int(table.get("seats_total", seats)),
            method=Method(_choice(table, "method", where)),
            threshold=threshold,
            tie_rule=TieRule(table.get("tie_rule", TieRule.REGISTERED_EARLIER.value)),
            runner_up=runner_up,
            against_all_on_ballot=bool(table.get("against_all_on_ballot", False)),
            joint_lists=JointLists(table.get("joint_lists", JointLists.UNKNOWN.value)),
            sources=_strings(table, "sources", where),
            notes=_strings(table, "notes", where),
            unconfirmed=_strings(table, "unconfirmed", where),
        )
    except (KeyError, ValueError, TypeError) as error:
        if isinstance(error, SeatRulesError):
            raise
        raise SeatRulesError(f"{where}: {error}") from error


@lru_cache(maxsize=1)
def all_seat_rules() -> Mapping[str, SeatRules]:
    """Every preset shipped in kenes/jurisdictions/parliament-*.toml, by id."""
    found: dict[str, SeatRules] = {}
    folder = resources.files("kenes.jurisdictions")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not (entry.name.startswith("parliament-") and entry.name.endswith(".toml")):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        for table in data.get("rules", []):
            rules = parse_rules(table, entry.name)
            if rules.id in found:
                raise SeatRulesError(f"{entry.name}: rule id {rules.id!r} is defined twice")
            found[rules.id] = rules
    return MappingProxyType(found)


def load_seat_rules(rule_id: str) -> SeatRules:
    """The preset with this id (e.g. ``kz-majilis-2023``, ``at-nationalrat``)."""
    presets = all_seat_rules()
    if rule_id not in presets:
        known = ", ".join(sorted(presets))
        raise SeatRulesError(f"Unknown seat rules {rule_id!r}. Known rules: {known}.")
    return presets[rule_id]


def rules_for_election(jurisdiction: str, year: int) -> SeatRules:
    """The preset in force for an election year (e.g. kz 2016 -> kz-majilis-2012)."""
    for rules in all_seat_rules().values():
        if rules.jurisdiction == jurisdiction and year in rules.elections:
            return rules
    raise SeatRulesError(f"No seat rules for {jurisdiction} {year}.")
