"""Monte-Carlo projection from polls: pass probabilities, seat distributions, majorities,
alliances on the same draws, the share needed for a 90 % chance, and its speed."""

from __future__ import annotations

import numpy as np
import pytest

from kenes.core.seats import load_seat_rules
from kenes.core.seats.files import parse_alliance
from kenes.core.seats.polls import (
    PollError,
    PollFigure,
    ShareModel,
    draw_shares,
    pool_polls,
)
from kenes.core.seats.projection import Alliance, merge_poll, project, share_needed

KZ_2023 = load_seat_rules("kz-majilis-2023")
TWELVE = [30, 14, 10, 8, 7, 6, 5, 4.5, 4, 3, 2.5, 2]


def _poll(shares: list[float], n: int = 1_000) -> list[PollFigure]:
    return [PollFigure(f"P{i}", s / 100, sample_size=n) for i, s in enumerate(shares)]


def test_dirichlet_draws_have_the_binomial_spread_of_the_sample_size() -> None:
    poll = pool_polls(_poll([40, 20, 10], n=1_000))
    draws = draw_shares(poll, 200_000, ShareModel.DIRICHLET, np.random.default_rng(1))
    assert draws[:, 0].mean() == pytest.approx(0.40, abs=0.002)
    assert draws[:, 0].std() == pytest.approx((0.4 * 0.6 / 1_000) ** 0.5, rel=0.05)
    assert np.allclose(draws.sum(axis=1), 1.0)


def test_logistic_normal_draws_keep_each_partys_own_margin() -> None:
    figures = [PollFigure("A", 0.40, margin=0.03), PollFigure("B", 0.04, margin=0.015)]
    poll = pool_polls(figures)
    draws = draw_shares(poll, 200_000, ShareModel.LOGISTIC_NORMAL, np.random.default_rng(2))
    assert draws[:, 1].std() == pytest.approx(0.015 / 1.96, rel=0.15)
    assert draws[:, 0].std() == pytest.approx(0.03 / 1.96, rel=0.15)


def test_two_polls_are_pooled_by_inverse_variance() -> None:
    poll = pool_polls([PollFigure("A", 0.04, 1_000), PollFigure("A", 0.06, 3_000)])
    assert poll.shares[0] == pytest.approx(0.0534, abs=5e-4)
    assert poll.n_eff[0] == pytest.approx(4_000, rel=0.1)


def test_a_share_without_uncertainty_is_refused_with_a_sentence() -> None:
    with pytest.raises(PollError, match="sample size or a margin"):
        pool_polls([PollFigure("A", 0.4)])


def test_projection_is_deterministic_for_a_seed() -> None:
    poll = pool_polls(_poll(TWELVE))
    first = project(poll, KZ_2023, draws=20_000, seed=5)
    again = project(poll, KZ_2023, draws=20_000, seed=5)
    assert first.baseline == again.baseline


def test_projection_reports_pass_chance_seat_interval_and_majority() -> None:
    poll = pool_polls(_poll([55, 20, 15, 4.9], n=2_000))
    outlook = project(poll, KZ_2023, draws=50_000, seed=1).baseline
    by_party = {o.party: o for o in outlook.lists}
    assert by_party["P0"].p_pass == 1.0
    assert by_party["P3"].p_pass == pytest.approx(0.45, abs=0.1)
    assert by_party["P0"].seats_p05 <= by_party["P0"].seats_p50 <= by_party["P0"].seats_p95
    assert by_party["P0"].p_majority > 0.99
    assert outlook.p_any_majority == pytest.approx(by_party["P0"].p_majority)


def test_runner_up_rule_admits_the_second_list_when_one_dominates() -> None:
    poll = pool_polls(_poll([90, 5, 3], n=2_000))
    by_party = {
        o.party: o
        for o in project(
            poll, load_seat_rules("kz-majilis-2012"), draws=20_000, seed=3
        ).baseline.lists
    }
    assert by_party["P1"].p_pass > 0.99
    assert by_party["P1"].seats_p05 >= 2


def test_an_alliance_of_two_small_parties_passes_where_each_alone_fails() -> None:
    poll = pool_polls(_poll([50, 20, 15, 3.5, 3.5]))
    alliance = parse_alliance("P3+P4:0.8")
    result = project(poll, KZ_2023, draws=40_000, seed=9, alliances=[alliance])
    alone = {o.party: o for o in result.baseline.lists}
    ((scenario, outlook),) = result.scenarios
    joint = next(o for o in outlook.lists if o.party == "P3+P4")
    assert alone["P3"].p_pass < 0.05 and alone["P4"].p_pass < 0.05
    assert joint.p_pass > 0.95
    assert joint.seats_mean > alone["P3"].seats_mean + alone["P4"].seats_mean


def test_retention_rate_moves_lost_voters_to_small_lists() -> None:
    poll = pool_polls(_poll([50, 20, 15, 3.5, 3.5]))
    merged = merge_poll(poll, Alliance((("P3", 1.0), ("P4", 0.5))))
    assert merged.parties[:4] == ("P0", "P1", "P2", "P3+P4")
    assert merged.shares[3] == pytest.approx(0.0525)
    assert merged.shares.sum() == pytest.approx(1.0)


def test_share_needed_for_90_percent_is_above_the_threshold_and_achieves_it() -> None:
    poll = pool_polls(_poll(TWELVE, n=1_000))
    needed = share_needed(poll, KZ_2023, "P8", target=0.9, draws=20_000, seed=4)
    assert 0.05 < needed < 0.065
    check = project(poll.with_share("P8", needed), KZ_2023, draws=40_000, seed=8)
    p8 = next(o for o in check.baseline.lists if o.party == "P8")
    assert p8.p_pass == pytest.approx(0.9, abs=0.02)
