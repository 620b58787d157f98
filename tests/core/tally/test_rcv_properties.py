"""Property tests of the rcv engine: plain rules equal the fast IRV count, and options that
cannot apply to a profile change nothing."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.tally import build_profile, irv, result_json
from kenes.core.tally.methods.irv import has_equal_rankings
from kenes.core.tally.methods.rcv import rcv
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import Result
from kenes.core.tally.rules import Rules

SEED = 3


@st.composite
def strict_profiles(draw, min_candidates=3):  # type: ignore[no-untyped-def]
    """Small profiles of strict, truncated rankings (no overvote, no skipped position)."""
    n = draw(st.integers(min_candidates, 6))
    ballots = []
    for _ in range(draw(st.integers(1, 40))):
        order = draw(st.permutations(range(n)))[: draw(st.integers(1, n))]
        ballots.append((draw(st.integers(1, 5)), [[c] for c in order]))
    return build_profile([f"C{i}" for i in range(n)], ballots)


def _rounds(result: Result) -> list[tuple[object, ...]]:
    return [(r.votes, r.elected, r.excluded, r.exhausted) for r in result.rounds]


def _same(a: Result, b: Result) -> None:
    assert a.winners == b.winners
    assert _rounds(a) == _rounds(b)


@given(strict_profiles())
@settings(max_examples=150, deadline=None)
def test_rcv_with_plain_rules_equals_the_fast_irv_count(profile: Profile) -> None:
    fast = irv(profile, seed=SEED)
    engine = rcv(profile, Rules(seed=SEED))
    _same(fast, engine)
    assert [r.flows for r in fast.rounds] == [r.flows for r in engine.rounds]
    for ours, theirs in zip(fast.rounds, engine.rounds, strict=True):
        for key in ("threshold", "inactive_exhausted", "inactive_overvote"):
            assert ours.extra[key] == theirs.extra[key]


@given(strict_profiles())
@settings(max_examples=100, deadline=None)
def test_reading_rules_change_nothing_on_ballots_without_overvotes_skips_or_repeats(
    profile: Profile,
) -> None:
    plain = rcv(profile, Rules(seed=SEED))
    positions = profile.n_candidates
    for rules in (
        Rules(overvote="skip", seed=SEED),
        Rules(overvote="exhaust_if_multiple", seed=SEED),
        Rules(duplicate="exhaust", seed=SEED),
        Rules(max_skipped=0, seed=SEED),
        Rules(max_rankings=positions, seed=SEED),
        Rules(minimum_votes=0, seed=SEED),
        Rules(decimal_places=2, seed=SEED),
    ):
        _same(plain, rcv(profile, rules))


@given(strict_profiles())
@settings(max_examples=100, deadline=None)
def test_batch_changes_nothing_when_no_batch_is_possible(profile: Profile) -> None:
    batch = rcv(profile, Rules(batch=True, seed=SEED))
    if all(len(r.excluded) <= 1 for r in batch.rounds):
        _same(batch, rcv(profile, Rules(seed=SEED)))
    else:
        # a batch only removes candidates that could not have overtaken anyone: same winner
        # as one exclusion at a time, unless a lot decided a tie on the way
        plain = rcv(profile, Rules(seed=SEED))
        if not batch.lots and not plain.lots:
            assert batch.winners == plain.winners


@given(strict_profiles(min_candidates=2))
@settings(max_examples=100, deadline=None)
def test_continue_until_two_changes_nothing_when_only_two_stand(profile: Profile) -> None:
    two = replace(profile, withdrawn=frozenset(range(2, profile.n_candidates)))
    _same(rcv(two, Rules(seed=SEED)), rcv(two, Rules(continue_until_two=True, seed=SEED)))


@given(strict_profiles())
@settings(max_examples=100, deadline=None)
def test_continue_until_two_never_changes_the_winner(profile: Profile) -> None:
    plain = rcv(profile, Rules(seed=SEED))
    longer = rcv(profile, Rules(continue_until_two=True, seed=SEED))
    if not plain.lots and not longer.lots:
        assert longer.winners == plain.winners
        assert _rounds(longer)[: len(plain.rounds)] == _rounds(plain)
        assert len(longer.rounds[-1].votes) <= 2


@given(strict_profiles())
@settings(max_examples=100, deadline=None)
def test_multi_seat_modes_with_one_seat_equal_the_single_winner_count(profile: Profile) -> None:
    single = rcv(profile, Rules(seed=SEED))
    for mode in ("multiple_per_round", "one_per_round"):
        _same(single, rcv(profile, Rules(winner_mode=mode, seats=1, seed=SEED)))
    sequential = rcv(profile, Rules(winner_mode="sequential", seats=1, seed=SEED))
    _same(single, sequential)
    assert {r.extra["pass"] for r in sequential.rounds} == {Fraction(1)}


@given(strict_profiles())
@settings(max_examples=100, deadline=None)
def test_tiebreak_modes_change_nothing_when_there_is_no_tie(profile: Profile) -> None:
    plain = rcv(profile, Rules(seed=SEED))
    if plain.lots:
        return
    for mode in ("previous_round_then_random", "candidate_order", "permutation"):
        _same(plain, rcv(profile, Rules(tiebreak=mode, seed=SEED)))


@given(strict_profiles(), st.integers(1, 4))
@settings(max_examples=100, deadline=None)
def test_stop_after_round_shows_the_first_rounds_of_the_full_count(
    profile: Profile, stop: int
) -> None:
    full = rcv(profile, Rules(seed=SEED))
    cut = rcv(profile, Rules(stop_after_round=stop, seed=SEED))
    assert _rounds(cut) == _rounds(full)[:stop]


@given(strict_profiles())
@settings(max_examples=60, deadline=None)
def test_every_round_accounts_for_every_vote(profile: Profile) -> None:
    seats = min(2, profile.n_candidates - 1)
    for rules in (Rules(seed=SEED), Rules(winner_mode="multiple_per_round", seats=seats)):
        result = rcv(profile, replace(rules, seed=SEED))
        voters = profile.n_voters
        for r in result.rounds:
            held = sum(r.votes.values(), Fraction(0))
            lost = r.exhausted + r.extra.get("final_round_surplus", Fraction(0))
            surplus = r.extra.get("residual_surplus", Fraction(0))
            assert held + lost + surplus == voters, f"round {r.number}"


@given(st.lists(st.lists(st.integers(0, 40), min_size=3, max_size=3), min_size=1, max_size=20))
@settings(max_examples=200, deadline=None)
def test_equal_rankings_are_found_by_both_checks(rows: list[list[int]]) -> None:
    # the bit check (positions up to 30) and the sorting check (beyond) agree with a plain one
    ranks = np.array(rows, dtype=np.int16)
    plain = any(len([r for r in row if r]) != len({r for r in row if r}) for row in rows)
    assert has_equal_rankings(ranks) == plain
    assert has_equal_rankings(np.minimum(ranks, 30)) == any(
        len([min(r, 30) for r in row if r]) != len({min(r, 30) for r in row if r}) for row in rows
    )


@given(strict_profiles())
@settings(max_examples=50, deadline=None)
def test_fast_irv_and_rcv_give_the_same_json(profile: Profile) -> None:
    fast = result_json(irv(profile, seed=SEED))
    engine = result_json(rcv(profile, Rules(seed=SEED)))
    for data in (fast, engine):
        for r in data["rounds"]:
            r.pop("why")
        data.pop("lots")
    assert fast == engine
