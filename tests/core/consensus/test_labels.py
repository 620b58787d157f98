import numpy as np
import pytest

from kenes.core.consensus import ConsensusInputError, VoteMatrix, breakdown


def labelled_votes():
    """Farmers and workers: both agree on s0 (land and wages), split on s1 (a new tax)."""
    votes = []
    label_of = {}
    for i in range(10):
        label_of[f"f{i}"] = "farmers"
        label_of[f"w{i}"] = "workers"
        votes += [(f"f{i}", "s0", 1), (f"f{i}", "s1", 1), (f"w{i}", "s0", 1), (f"w{i}", "s1", -1)]
        votes += [(f"f{i}", "s2", 0), (f"w{i}", "s2", 1 if i % 2 else -1)]
    return VoteMatrix.from_votes(votes), label_of


def test_each_label_is_tallied_separately():
    matrix, label_of = labelled_votes()
    result = breakdown(matrix, label_of)
    assert result.labels == ("farmers", "workers")
    assert result.counts.agree[:, 1].tolist() == [10, 0]
    assert result.counts.disagree[:, 1].tolist() == [0, 10]
    assert result.counts.passed[:, 2].tolist() == [10, 0]
    assert np.allclose(result.agree_share()[:, 0], 1.0)


def test_the_statement_all_labels_agree_on_unites_them_first():
    matrix, label_of = labelled_votes()
    assert breakdown(matrix, label_of).uniting(1) == [0]


def test_the_statement_labels_split_on_divides_them_first():
    matrix, label_of = labelled_votes()
    result = breakdown(matrix, label_of)
    assert result.dividing(1) == [1]
    assert result.division[1] > 1.5 and result.division[0] < 0.01


def test_labels_that_saw_a_statement_too_rarely_are_not_compared():
    matrix, label_of = labelled_votes()
    assert np.isnan(breakdown(matrix, label_of, min_seen=11).division).all()


def test_a_labelled_participant_without_votes_is_reported():
    matrix, label_of = labelled_votes()
    with pytest.raises(ConsensusInputError, match="have no votes"):
        breakdown(matrix, {**label_of, "ghost": "traders"})


def test_bowling_greens_published_groups_divide_on_the_fairness_ordinance():
    # SOURCE.md: the dividing topic is a "fairness ordinance" (tids 20, 86, 87); traffic
    # (82, 83) and cable/internet rates (200, 201) unite.
    from kenes.core.consensus import read_polis_export, read_published_groups

    from .conftest import conversation_folder

    folder = conversation_folder("american-assembly.bowling-green")
    matrix = read_polis_export(folder)
    result = breakdown(matrix, read_published_groups(folder / "participants-votes.csv"))
    ids = [s.id for s in matrix.statements]
    assert [ids[c] for c in result.dividing(3)] == ["20", "86", "87"]
    assert {"82", "83", "200", "201"} <= {ids[c] for c in result.uniting(6)}
    moderated_out = [j for j, s in enumerate(matrix.statements) if s.moderated == -1]
    assert np.isnan(result.unity[moderated_out]).all()
