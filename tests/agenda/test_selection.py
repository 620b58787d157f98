"""The rule that picks the next statement (kenes/agenda/selection.py)."""

from __future__ import annotations

from collections import Counter

from kenes.agenda.selection import FEW_VOTES, next_statement


def pick(votes, divergence=None, *, key="p1", seed=1):  # type: ignore[no-untyped-def]
    return next_statement(list(votes), votes, divergence or {}, seed=seed, participant_key=key)


def test_a_statement_with_few_votes_comes_before_a_divisive_well_voted_one():
    votes = {1: 50, 2: FEW_VOTES - 1, 3: 40}
    assert pick(votes, {1: 0.9, 2: 0.0, 3: 0.1}) == 2


def test_among_new_statements_the_fewest_votes_come_first():
    assert pick({1: 3, 2: 0, 3: 5}) == 2


def test_among_well_voted_statements_the_most_divisive_comes_first():
    votes = {1: 30, 2: 30, 3: 30}
    assert pick(votes, {1: 0.2, 2: 0.8, 3: 0.5}) == 2


def test_statements_the_analysis_has_not_seen_count_as_not_divisive():
    votes = {1: 30, 2: 30}
    assert pick(votes, {1: 0.3}) == 1


def test_ties_are_broken_the_same_way_for_one_participant_and_differently_across_them():
    votes = {s: 10 for s in range(1, 21)}
    assert pick(votes, key="same") == pick(votes, key="same")
    firsts = Counter(pick(votes, key=f"participant-{i}") for i in range(200))
    assert len(firsts) > 10  # equal statements are spread over participants
    assert max(firsts.values()) < 40


def test_nothing_left_means_none():
    assert pick({}) is None
