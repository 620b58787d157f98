"""Synthetic conversations with known groups: the pipeline must find exactly those groups."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from kenes.core.consensus import analyse, as_json
from kenes.core.consensus.synthetic import planted_conversation


@pytest.mark.parametrize(
    ("groups", "shares"),
    [(2, None), (3, None), (4, None), (2, (0.8, 0.2)), (3, (0.5, 0.3, 0.2))],
)
def test_planted_groups_are_recovered_exactly(groups, shares):
    planted = planted_conversation(
        400, 80, 400 * 40, groups, seed=groups, noise=0.05, group_shares=shares
    )
    analysis = analyse(planted.matrix, seed=0)
    assert analysis.clustering.k == groups
    assert adjusted_rand_score(planted.groups, analysis.group_of_participant()) == 1.0


def test_the_larger_planted_group_gets_id_0():
    planted = planted_conversation(300, 60, 300 * 30, 2, seed=5, group_shares=(0.3, 0.7))
    analysis = analyse(planted.matrix, seed=0)
    assert analysis.groups[0].participants.size > analysis.groups[1].participants.size


def test_common_ground_tops_the_consensus_and_stances_represent_groups():
    planted = planted_conversation(400, 60, 400 * 40, 3, seed=11, noise=0.05)
    analysis = analyse(planted.matrix, seed=0)
    top = {c.statement for c in analysis.consensus[: planted.common_ground.size]}
    assert top == set(planted.common_ground.tolist())
    for group in analysis.groups:
        planted_group = np.bincount(planted.groups[group.participants]).argmax()
        for r in group.representative:
            stance = planted.stances[planted_group, r.statement]
            assert (r.direction == "agree") == (stance == 1)


def test_the_same_seed_gives_the_same_result_and_json():
    planted = planted_conversation(200, 40, 200 * 20, 3, seed=2)
    first = as_json(analyse(planted.matrix, seed=7))
    again = as_json(analyse(planted.matrix, seed=7))
    assert first == again


def test_one_opinion_everywhere_gives_no_split_into_many_groups():
    planted = planted_conversation(200, 30, 200 * 15, 1, seed=3, noise=0.0, pass_rate=0.0)
    analysis = analyse(planted.matrix, seed=0)
    # Identical voters collapse to few distinct points; k-means cannot split them, and
    # consensus still ranks every statement finite.
    assert analysis.clustering.k <= 2
    assert all(np.isfinite(c.score) for c in analysis.consensus)


def test_a_conversation_too_small_to_cluster_reports_no_groups_without_failing():
    from kenes.core.consensus import VoteMatrix

    matrix = VoteMatrix.from_votes([("a", "s1", 1), ("b", "s1", -1), ("c", "s2", 0)])
    result = as_json(analyse(matrix, seed=0))
    assert result["groups"] == [] and result["clustered_participants"] == 0
    assert result["votes"] == 3 and len(result["consensus"]) == 2
