"""The vectorised allocation behind projections equals the exact one, draw by draw."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from kenes.core.seats import ApportionmentError, Method, Threshold, allocate, load_seat_rules
from kenes.core.seats.vectorised import DrawRules, allocate_draws


def _random_votes(rng: np.random.Generator, rows: int, lists: int) -> np.ndarray:
    # skewed shares so that thresholds bite and, often, only one list passes
    weights = rng.dirichlet(np.full(lists, 0.6), size=rows)
    return np.round(weights * 1_000_000).astype(np.int64)


def _exact(row: np.ndarray, rules: DrawRules) -> list[int] | None:
    named = {f"list {i}": int(v) for i, v in enumerate(row)}
    try:
        result = allocate(
            named, rules.seats, rules.method, rules.threshold, runner_up=rules.runner_up
        )
    except ApportionmentError:
        return None
    if result.tie_losers:
        return None
    return list(result.seats.values())


@pytest.mark.parametrize("method", list(Method), ids=str)
def test_every_method_agrees_with_the_exact_allocation(method: Method) -> None:
    rng = np.random.default_rng(7)
    votes = _random_votes(rng, 150, 7)
    rules = DrawRules(37, method, Threshold(Fraction(4)), None)
    seats, _ = allocate_draws(votes.astype(float), np.ones(7, dtype=bool), None, rules)
    compared = 0
    for row, got in zip(votes, seats, strict=True):
        expected = _exact(row, rules)
        if expected is not None:
            assert got.tolist() == expected
            compared += 1
    assert compared > 100


@pytest.mark.parametrize("rule_id", ["kz-majilis-2007", "kz-majilis-2012", "at-nationalrat"])
def test_presets_agree_with_the_exact_allocation(rule_id: str) -> None:
    preset = load_seat_rules(rule_id)
    rules = DrawRules(preset.seats, preset.method, preset.threshold, preset.runner_up)
    rng = np.random.default_rng(11)
    votes = _random_votes(rng, 200, 6)
    seats, passed = allocate_draws(votes.astype(float), np.ones(6, dtype=bool), None, rules)
    lone = 0
    for row, got, admitted in zip(votes, seats, passed, strict=True):
        expected = _exact(row, rules)
        if expected is not None:
            assert got.tolist() == expected
            lone += int(np.count_nonzero(np.asarray(expected)) == 2 and admitted.sum() == 2)
    assert lone > 0 or preset.runner_up is None
