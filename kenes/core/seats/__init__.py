"""Votes -> seats: apportionment methods, thresholds, parliament presets, poll projections.

Pure Python and numpy; no Django. See docs/seats.md.
"""

from kenes.core.seats.allocation import (
    Allocation,
    RunnerUpRule,
    Threshold,
    ThresholdBase,
    TieRule,
    allocate,
)
from kenes.core.seats.methods import Apportionment, ApportionmentError, Method, apportion
from kenes.core.seats.presets import (
    SeatRules,
    SeatRulesError,
    all_seat_rules,
    load_seat_rules,
    rules_for_election,
)

__all__ = [
    "Allocation",
    "Apportionment",
    "ApportionmentError",
    "Method",
    "RunnerUpRule",
    "SeatRules",
    "SeatRulesError",
    "Threshold",
    "ThresholdBase",
    "TieRule",
    "all_seat_rules",
    "allocate",
    "apportion",
    "load_seat_rules",
    "rules_for_election",
]
