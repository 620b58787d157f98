"""Consensus across opinion groups: group-informed (group-aware) consensus.

Pol.is ranks a statement by the product over opinion groups of each group's smoothed
agreement, prod_g (agree_g + 1) / (seen_g + 2) (Small et al. 2021, §3.5; the
`group-aware-consensus` of compdemocracy/polis `math/src/polismath/math/conversation.clj`).
A statement scores high only if every group agrees, however small the group.

The product shrinks as groups are added, so scores of conversations with different
numbers of groups cannot be compared; the k-th root (the geometric mean of the group
agreements, in [0, 1]) can, and ranks statements in the same order within one
conversation. Both are reported; `score` is the comparable form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kenes.core.consensus.statistics import Tally, smoothed_share


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement's group-informed consensus, for agreement or for disagreement."""

    statement: int
    score: float  # geometric mean over groups: comparable across numbers of groups
    product: float  # Pol.is' group-informed consensus (product over groups)
    agree: int
    disagree: int
    seen: int


def group_informed_consensus(
    successes: NDArray[np.int64], seen: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(product, geometric mean) over groups (rows) of the smoothed shares, per statement."""
    shares = smoothed_share(successes, seen)
    log_shares = np.log(shares)
    return np.exp(log_shares.sum(axis=0)), np.exp(log_shares.mean(axis=0))


def rank_consensus(
    counts: Tally, statements: NDArray[np.int64], *, disagreement: bool = False
) -> list[ConsensusStatement]:
    """Analysed statements ranked by group-informed consensus (agreement by default)."""
    successes = counts.disagree if disagreement else counts.agree
    product, score = group_informed_consensus(successes, counts.seen)
    agree = counts.agree.sum(axis=0)
    disagree = counts.disagree.sum(axis=0)
    seen = counts.seen.sum(axis=0)
    order = sorted(statements.tolist(), key=lambda c: (-product[c], c))
    return [
        ConsensusStatement(
            statement=c,
            score=float(score[c]),
            product=float(product[c]),
            agree=int(agree[c]),
            disagree=int(disagree[c]),
            seen=int(seen[c]),
        )
        for c in order
    ]
