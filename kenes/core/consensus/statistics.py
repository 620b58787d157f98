"""Vote counts per group and statement, and the Pol.is significance tests.

The tests follow Pol.is' published statistics (compdemocracy/polis,
`math/src/polismath/math/stats.clj`, described in Small et al. 2021, §3.4): one-sample
and two-sample proportion z-tests with a pseudocount of one added to successes and to
trials, so that a statement seen by few participants cannot look significant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kenes.core.consensus.matrix import AGREE, DISAGREE, VoteMatrix

#: One-sided z for 90 % confidence, the level Pol.is requires of representative statements.
Z_90 = 1.2816


@dataclass(frozen=True)
class Tally:
    """Counts indexed [group, statement]: agrees, disagrees and seen (agree + disagree + pass)."""

    agree: NDArray[np.int64]
    disagree: NDArray[np.int64]
    seen: NDArray[np.int64]

    @property
    def passed(self) -> NDArray[np.int64]:
        return self.seen - self.agree - self.disagree


def tally(matrix: VoteMatrix, group_of_participant: NDArray[np.int64], n_groups: int) -> Tally:
    """Count votes per group; participants whose group is −1 are not counted."""
    m = len(matrix.statements)
    group = group_of_participant[matrix.rows]
    counted = group >= 0
    cell = group[counted] * m + matrix.cols[counted]
    votes = matrix.votes[counted]
    size = n_groups * m

    def count(mask: NDArray[np.bool_] | None) -> NDArray[np.int64]:
        chosen = cell if mask is None else cell[mask]
        return np.bincount(chosen, minlength=size).reshape(n_groups, m).astype(np.int64)

    return Tally(count(votes == AGREE), count(votes == DISAGREE), count(None))


def smoothed_share(successes: NDArray[np.int64], trials: NDArray[np.int64]) -> NDArray[np.float64]:
    """(successes + 1) / (trials + 2): the Laplace-smoothed share Pol.is uses for p-agree."""
    return (successes + 1.0) / (trials + 2.0)


def proportion_test(successes: NDArray[np.int64], trials: NDArray[np.int64]) -> NDArray[np.float64]:
    """Pol.is' one-sample z: 2·sqrt(n + 1)·((s + 1)/(n + 1) − 1/2), testing share > 1/2."""
    n = trials + 1.0
    z: NDArray[np.float64] = 2.0 * np.sqrt(n) * ((successes + 1.0) / n - 0.5)
    return z


def two_proportion_test(
    successes_in: NDArray[np.int64],
    trials_in: NDArray[np.int64],
    successes_out: NDArray[np.int64],
    trials_out: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Two-sample proportion z with +1 pseudocounts; 0 where the pooled variance vanishes.

    When everyone in both samples agrees (or none does), the pooled share is 1 (or 0)
    and the classical statistic divides by zero; there is then no difference to test,
    so the statistic is 0.
    """
    s1, n1 = successes_in + 1.0, trials_in + 1.0
    s2, n2 = successes_out + 1.0, trials_out + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    difference = s1 / n1 - s2 / n2
    safe = variance > 1e-15
    z: NDArray[np.float64] = np.divide(
        difference,
        np.sqrt(np.where(safe, variance, 1.0)),
        where=safe,
        out=np.zeros_like(difference),
    )
    return z
