import numpy as np
import pytest

from kenes.core.consensus import ConsensusInputError, Statement, VoteMatrix


def test_a_changed_vote_replaces_the_earlier_one():
    matrix = VoteMatrix.from_votes([("ann", "s1", 1), ("bob", "s1", -1), ("ann", "s1", -1)])
    dense = matrix.to_dense()
    assert matrix.vote_count == 2
    assert dense[0, 0] == -1 and dense[1, 0] == -1


def test_pass_is_a_vote_and_missing_is_not():
    matrix = VoteMatrix.from_votes([("ann", "s1", 0), ("bob", "s2", 1)])
    dense = matrix.to_dense()
    assert dense[0, 0] == 0
    assert np.isnan(dense[0, 1]) and np.isnan(dense[1, 0])


def test_a_vote_other_than_agree_disagree_or_pass_is_refused():
    with pytest.raises(ConsensusInputError, match="Vote number 2 is 2"):
        VoteMatrix.from_votes([("ann", "s1", 1), ("bob", "s1", 2)])


def test_a_vote_on_an_unknown_statement_is_refused_when_statements_are_given():
    with pytest.raises(ConsensusInputError, match="statement s9"):
        VoteMatrix.from_votes([("ann", "s9", 1)], statements=[Statement("s1")])


def test_indices_outside_the_matrix_are_refused():
    with pytest.raises(ConsensusInputError, match="participant index"):
        VoteMatrix.build(["a"], [Statement("s")], np.array([1]), np.array([0]), np.array([1]))
