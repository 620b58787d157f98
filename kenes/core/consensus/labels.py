"""How any labelling of participants votes: constituent groups, regions, opinion groups.

Beyond Pol.is: the same smoothed shares as the opinion-group statistics
(`statistics.smoothed_share`, Laplace's rule of succession), applied to labels the
movement already knows. A statement *unites* the labels when every label agrees:
it is ranked by the geometric mean over labels of (agree + 1) / (seen + 2), the
comparable form of Pol.is' group-informed consensus (`agreement`). A statement
*divides* them when labels lean opposite ways: it is ranked by the spread (highest
minus lowest) over labels of the smoothed net support (agree − disagree + 0) / (seen + 2).
Labels that saw a statement fewer than `min_seen` times are left out of its spread;
moderated-out statements get no unity or division (NaN) and rank last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kenes.core.consensus.agreement import group_informed_consensus
from kenes.core.consensus.matrix import MODERATED_OUT, ConsensusInputError, VoteMatrix
from kenes.core.consensus.statistics import Tally, tally

MIN_SEEN = 5


@dataclass(frozen=True)
class LabelBreakdown:
    """Vote counts [label, statement] and the statements that unite or divide the labels."""

    labels: tuple[str, ...]
    counts: Tally
    unity: NDArray[np.float64]  # per statement, in [0, 1]; NaN if moderated out
    division: NDArray[np.float64]  # per statement, in [0, 2]

    def agree_share(self) -> NDArray[np.float64]:
        """Raw share of agree among those who saw the statement; NaN where nobody did."""
        seen = self.counts.seen.astype(np.float64)
        share: NDArray[np.float64] = np.divide(
            self.counts.agree, seen, out=np.full(seen.shape, np.nan), where=seen > 0
        )
        return share

    def uniting(self, top: int = 10) -> list[int]:
        """Statement indices, most uniting first."""
        order = np.lexsort((np.arange(self.unity.size), -np.nan_to_num(self.unity, nan=-1)))
        return [int(c) for c in order[:top]]

    def dividing(self, top: int = 10) -> list[int]:
        """Statement indices, most dividing first (statements nobody can compare are last)."""
        order = np.lexsort((np.arange(self.division.size), -np.nan_to_num(self.division, nan=-1)))
        return [int(c) for c in order[:top]]


def breakdown(
    matrix: VoteMatrix, label_of: Mapping[str, str], min_seen: int = MIN_SEEN
) -> LabelBreakdown:
    """Tally `matrix` by the label of each participant id; unlabelled participants are skipped."""
    voters = set(matrix.participants)
    unknown = [p for p in label_of if p not in voters]
    if unknown:
        raise ConsensusInputError(
            f"{len(unknown)} labelled participant(s) have no votes, e.g. {unknown[0]}."
        )
    labels = tuple(sorted(set(label_of.values())))
    index = {label: i for i, label in enumerate(labels)}
    group_of = np.array(
        [index[label_of[p]] if p in label_of else -1 for p in matrix.participants],
        dtype=np.int64,
    )
    counts = tally(matrix, group_of, max(len(labels), 1))
    _, unity = group_informed_consensus(counts.agree, counts.seen)
    net = (counts.agree - counts.disagree) / (counts.seen + 2.0)
    comparable = counts.seen >= min_seen
    highest = np.where(comparable, net, -np.inf).max(axis=0)
    lowest = np.where(comparable, net, np.inf).min(axis=0)
    enough = comparable.sum(axis=0) >= 2
    division = np.where(enough, highest - lowest, np.nan)
    moderated_out = np.array([s.moderated == MODERATED_OUT for s in matrix.statements], dtype=bool)
    unity = np.where(moderated_out, np.nan, unity)
    division = np.where(moderated_out, np.nan, division)
    return LabelBreakdown(labels, counts, unity, division)
