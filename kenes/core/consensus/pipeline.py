"""The Pol.is pipeline end to end: votes → map → opinion groups → what they stand for.

Steps and rules as published (Small et al., "Polis: Scaling Deliberation by Mapping
High Dimensional Opinion Spaces", 2021; compdemocracy.org "Algorithms"):
moderated-out statements are dropped; participants with min(7, statements) votes
are clustered (`projection`); k-means with k by silhouette (`clustering`);
representative statements per group (`representative`); group-informed consensus
(`agreement`). Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from kenes.core.consensus.agreement import ConsensusStatement, rank_consensus
from kenes.core.consensus.clustering import MAX_GROUPS, Clustering, cluster
from kenes.core.consensus.matrix import MODERATED_IN, MODERATED_OUT, VoteMatrix
from kenes.core.consensus.projection import MIN_VOTES, Projection, clustered_participants, project
from kenes.core.consensus.representative import (
    MAX_REPRESENTATIVE,
    RepresentativeStatement,
    representative_statements,
)
from kenes.core.consensus.statistics import Tally, tally


@dataclass(frozen=True)
class OpinionGroup:
    """An opinion group: its members (row indices of the matrix) and what represents it."""

    id: int
    participants: NDArray[np.int64]
    representative: list[RepresentativeStatement]


@dataclass(frozen=True)
class Analysis:
    """Everything the pipeline found; indices refer to `matrix.participants` / `.statements`."""

    matrix: VoteMatrix
    seed: int
    analysed_statements: NDArray[np.int64]
    projection: Projection
    clustering: Clustering
    groups: list[OpinionGroup]
    counts: Tally
    consensus: list[ConsensusStatement]
    disagreement: list[ConsensusStatement]

    def group_of_participant(self) -> NDArray[np.int64]:
        """Group id per matrix row; −1 for participants who voted too little to be clustered."""
        groups = np.full(len(self.matrix.participants), -1, dtype=np.int64)
        groups[self.projection.participants] = self.clustering.labels
        return groups


def analysed_statements(matrix: VoteMatrix, strict_moderation: bool = False) -> NDArray[np.bool_]:
    """Statements that enter the analysis: not moderated out (strict: moderated in only)."""
    states = np.array([s.moderated for s in matrix.statements], dtype=np.int64)
    analysed: NDArray[np.bool_] = (
        states == MODERATED_IN if strict_moderation else states != MODERATED_OUT
    )
    return analysed


def analyse(
    matrix: VoteMatrix,
    *,
    seed: int = 0,
    strict_moderation: bool = False,
    min_votes: int = MIN_VOTES,
    max_groups: int = MAX_GROUPS,
    representatives: int = MAX_REPRESENTATIVE,
    moderated_out_as_pass: bool = True,
) -> Analysis:
    """Run the Pol.is pipeline on a vote matrix (options: see the modules named above).

    Runs on one thread: on a busy server, OpenMP/BLAS worker threads of k-means and the
    SVD spin against other processes and ran 30× slower in measurements (bench/README.md);
    one thread is fast enough for 100,000 participants and keeps results reproducible.
    """
    with threadpool_limits(limits=1):
        return _analyse(
            matrix,
            seed=seed,
            strict_moderation=strict_moderation,
            min_votes=min_votes,
            max_groups=max_groups,
            representatives=representatives,
            moderated_out_as_pass=moderated_out_as_pass,
        )


def _analyse(
    matrix: VoteMatrix,
    *,
    seed: int,
    strict_moderation: bool,
    min_votes: int,
    max_groups: int,
    representatives: int,
    moderated_out_as_pass: bool,
) -> Analysis:
    active = analysed_statements(matrix, strict_moderation)
    statements = np.flatnonzero(active).astype(np.int64)
    participants = clustered_participants(matrix, active, min_votes)
    projection = project(
        matrix, active, participants, seed, moderated_out_as_pass=moderated_out_as_pass
    )
    clustering = cluster(projection.coordinates, seed, max_groups)
    group_of = np.full(len(matrix.participants), -1, dtype=np.int64)
    group_of[participants] = clustering.labels
    n_groups = clustering.k
    counts = tally(matrix, group_of, max(n_groups, 1))
    groups = [
        OpinionGroup(
            id=g,
            participants=participants[clustering.labels == g],
            representative=representative_statements(counts, g, statements, representatives),
        )
        for g in range(n_groups)
    ]
    return Analysis(
        matrix=matrix,
        seed=seed,
        analysed_statements=statements,
        projection=projection,
        clustering=clustering,
        groups=groups,
        counts=counts,
        consensus=rank_consensus(counts, statements),
        disagreement=rank_consensus(counts, statements, disagreement=True),
    )
