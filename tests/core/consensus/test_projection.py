"""The map follows Pol.is: mean-filled PCA, sparsity scaling, the min(7, n) vote rule."""

import numpy as np

from kenes.core.consensus import Statement, VoteMatrix, analyse
from kenes.core.consensus.pipeline import analysed_statements
from kenes.core.consensus.projection import clustered_participants, project
from kenes.core.consensus.synthetic import planted_conversation


def dense_reference(matrix: VoteMatrix) -> np.ndarray:
    """Textbook version: fill missing with column means, centre, SVD, scale by sqrt(n/votes)."""
    dense = matrix.to_dense()
    means = np.nanmean(dense, axis=0)
    filled = np.where(np.isnan(dense), means, dense) - means
    _, _, vt = np.linalg.svd(filled, full_matrices=False)
    voted = (~np.isnan(dense)).sum(axis=1)
    return (filled @ vt[:2].T) * np.sqrt(dense.shape[1] / voted)[:, None]


def test_sparse_projection_equals_mean_filled_dense_pca_with_sparsity_scaling():
    matrix = planted_conversation(120, 25, 120 * 12, 3, seed=4).matrix
    active = analysed_statements(matrix)
    everyone = np.arange(len(matrix.participants))
    ours = project(matrix, active, everyone, seed=0).coordinates
    reference = dense_reference(matrix)
    for axis in range(2):  # equal up to the sign of each component
        sign = np.sign(ours[:, axis] @ reference[:, axis])
        assert np.allclose(ours[:, axis], sign * reference[:, axis], atol=1e-6)


def test_a_moderated_out_statement_counts_as_a_pass_in_the_scaling_as_in_polis():
    votes = [(p, s, 1 if (p + s) % 3 else -1) for p in range(12) for s in range(8) if p % 4 or s]
    statements = [Statement(str(s), moderated=-1 if s == 7 else 1) for s in range(8)]
    matrix = VoteMatrix.from_votes([(str(p), str(s), v) for p, s, v in votes], statements)
    active = analysed_statements(matrix)
    everyone = np.arange(12)
    polis = project(matrix, active, everyone, 0).coordinates
    dropped = project(matrix, active, everyone, 0, moderated_out_as_pass=False).coordinates
    voted = np.bincount(matrix.rows[active[matrix.cols]], minlength=12)
    expected = np.sqrt(8 / (voted + 1)) / np.sqrt(7 / voted)
    assert np.allclose(polis, dropped * expected[:, None])


def test_participants_need_seven_votes_or_all_statements_to_be_clustered():
    votes = [("six", str(s), 1) for s in range(6)] + [("seven", str(s), -1) for s in range(7)]
    matrix = VoteMatrix.from_votes(votes + [("all", str(s), 0) for s in range(10)])
    active = analysed_statements(matrix)
    clustered = [matrix.participants[i] for i in clustered_participants(matrix, active)]
    assert clustered == ["seven", "all"]
    small = VoteMatrix.from_votes([("few", str(s), 1) for s in range(4)])
    assert clustered_participants(small, analysed_statements(small)).tolist() == [0]


def test_moderated_out_statements_leave_the_analysis():
    statements = [Statement("kept", moderated=1), Statement("spam", moderated=-1)]
    votes = [(str(p), s.id, 1) for p in range(10) for s in statements]
    analysis = analyse(VoteMatrix.from_votes(votes, statements), seed=0)
    assert analysis.analysed_statements.tolist() == [0]
    assert [c.statement for c in analysis.consensus] == [0]
