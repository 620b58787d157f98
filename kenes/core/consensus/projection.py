"""The opinion map: which participants count, and their position in two dimensions.

Rules from the Pol.is description (Small et al., "Polis: Scaling Deliberation by
Mapping High Dimensional Opinion Spaces", Recerca 26(2), 2021, §3; the
compdemocracy.org "Algorithms" page):

* a participant is clustered once they have voted on at least min(7, number of
  statements) statements (passes count as votes);
* missing votes are filled with the statement's mean vote, then principal component
  analysis keeps two components;
* a participant's projection is multiplied by sqrt(statements / statements voted on),
  so that someone who voted little is not pulled to the centre by the filled means.
  Pol.is zeroes the columns of moderated-out statements instead of dropping them, so in
  this factor they count as statements and as passes for everyone
  (`moderated_out_as_pass=True`, the default, which reproduces the published groups of
  the openData conversations); with False they are left out of both counts.

Filling with the column mean and then centring leaves zeros where votes are missing,
so the centred matrix keeps the sparsity of the votes: PCA is a truncated SVD of a
sparse matrix, never a dense 100,000 × 2,000 array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kenes.core.consensus.matrix import VoteMatrix

MIN_VOTES = 7


@dataclass(frozen=True)
class Projection:
    """Clustered participants (row indices into the matrix) and their scaled 2-d positions."""

    participants: NDArray[np.int64]
    coordinates: NDArray[np.float64]
    components: NDArray[np.float64]
    statement_means: NDArray[np.float64]


def votes_per_participant(matrix: VoteMatrix, active: NDArray[np.bool_]) -> NDArray[np.int64]:
    """How many active statements each participant voted on (agree, disagree or pass)."""
    on_active = active[matrix.cols]
    return np.bincount(matrix.rows[on_active], minlength=len(matrix.participants)).astype(np.int64)


def clustered_participants(
    matrix: VoteMatrix, active: NDArray[np.bool_], min_votes: int = MIN_VOTES
) -> NDArray[np.int64]:
    """Participants with at least min(`min_votes`, active statements) votes (Pol.is "in-conv")."""
    threshold = min(min_votes, int(active.sum()))
    counts = votes_per_participant(matrix, active)
    return np.flatnonzero(counts >= max(threshold, 1)).astype(np.int64)


def project(
    matrix: VoteMatrix,
    active: NDArray[np.bool_],
    participants: NDArray[np.int64],
    seed: int,
    *,
    moderated_out_as_pass: bool = True,
) -> Projection:
    """Mean-filled PCA to two dimensions with Pol.is' sparsity scaling.

    Only `participants` (row indices) and `active` statements enter the analysis.
    """
    n_statements = len(matrix.statements)
    position = np.full(len(matrix.participants), -1, dtype=np.int64)
    position[participants] = np.arange(participants.size)
    keep = active[matrix.cols] & (position[matrix.rows] >= 0)
    rows = position[matrix.rows[keep]]
    cols = matrix.cols[keep].astype(np.int64)
    votes = matrix.votes[keep].astype(np.float64)

    seen = np.bincount(cols, minlength=n_statements)
    sums = np.bincount(cols, weights=votes, minlength=n_statements)
    means = np.divide(sums, seen, out=np.zeros(n_statements), where=seen > 0)
    centred = sp.csr_matrix(
        (votes - means[cols], (rows, cols)), shape=(participants.size, n_statements)
    )
    n_components = min(2, participants.size, int(active.sum()))
    coordinates = np.zeros((participants.size, 2))
    components = np.zeros((2, n_statements))
    if n_components > 0 and centred.nnz:
        from sklearn.utils.extmath import randomized_svd  # imported when used: see clustering

        _, _, vt = randomized_svd(
            centred,
            n_components=n_components,
            n_oversamples=20,
            n_iter=12,
            random_state=seed,
        )
        # One sign per component, fixed by the statement loading of largest magnitude,
        # so the map does not mirror between runs or machines.
        largest = np.argmax(np.abs(vt), axis=1)
        vt = vt * np.sign(vt[np.arange(vt.shape[0]), largest])[:, None]
        components[:n_components] = vt
        coordinates = np.asarray(centred @ components.T)
    voted = np.bincount(rows, minlength=participants.size).astype(np.float64)
    counted_statements = int(active.sum())
    if moderated_out_as_pass:
        left_out = n_statements - counted_statements
        voted, counted_statements = voted + left_out, n_statements
    scale = np.sqrt(counted_statements / np.maximum(voted, 1.0))
    return Projection(participants, coordinates * scale[:, None], components, means)
