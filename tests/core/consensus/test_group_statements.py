"""Representative statements and group-informed consensus on hand-made groups."""

import numpy as np

from kenes.core.consensus.agreement import group_informed_consensus, rank_consensus
from kenes.core.consensus.representative import representative_statements
from kenes.core.consensus.statistics import Tally


def counts(agree, disagree, seen) -> Tally:
    return Tally(np.array(agree), np.array(disagree), np.array(seen))


def test_group_informed_consensus_is_the_product_of_smoothed_group_agreement():
    product, mean = group_informed_consensus(np.array([[8], [3]]), np.array([[10], [4]]))
    assert np.isclose(product[0], (9 / 12) * (4 / 6))
    assert np.isclose(mean[0], np.sqrt((9 / 12) * (4 / 6)))


def test_the_comparable_score_does_not_shrink_with_more_identical_groups():
    two = group_informed_consensus(np.array([[8], [8]]), np.array([[10], [10]]))
    four = group_informed_consensus(np.array([[8]] * 4), np.array([[10]] * 4))
    assert four[0][0] < two[0][0]
    assert np.isclose(four[1][0], two[1][0])


def test_a_statement_one_group_rejects_ranks_below_one_all_groups_accept():
    tally = counts([[9, 9], [9, 1]], [[1, 1], [1, 9]], [[10, 10], [10, 10]])
    ranked = rank_consensus(tally, np.array([0, 1]))
    assert [c.statement for c in ranked] == [0, 1]


def test_a_group_is_represented_by_what_it_agrees_on_and_the_others_reject():
    # Statement 0: group 0 agrees, group 1 disagrees. Statement 1: everyone agrees.
    tally = counts([[30, 30], [2, 30]], [[0, 0], [28, 0]], [[30, 30], [30, 30]])
    found = representative_statements(tally, 0, np.array([0, 1]))
    assert [(r.statement, r.direction) for r in found] == [(0, "agree")]
    assert found[0].significant
    other = representative_statements(tally, 1, np.array([0, 1]))
    assert [(r.statement, r.direction) for r in other] == [(0, "disagree")]


def test_unanimous_agreement_everywhere_divides_by_nothing():
    tally = counts([[10, 10], [10, 10]], [[0, 0], [0, 0]], [[10, 10], [10, 10]])
    found = representative_statements(tally, 0, np.array([0, 1]))
    assert all(np.isfinite([r.metric, r.ratio_test, r.probability_test]).all() for r in found)
    assert not any(r.significant for r in found)
    assert len(found) == 1  # the best agreement stands alone when nothing is significant


def test_unanimous_disagreement_everywhere_divides_by_nothing():
    tally = counts([[0], [0]], [[10], [10]], [[10], [10]])
    assert representative_statements(tally, 0, np.array([0])) == []
    ranked = rank_consensus(tally, np.array([0]), disagreement=True)
    assert np.isfinite(ranked[0].score) and ranked[0].score > 0.9
