"""Representative statements: what sets an opinion group apart from everyone else.

Pol.is' "repness" (Small et al. 2021, §3.4; compdemocracy/polis
`math/src/polismath/math/repness.clj`). For group g and statement c, with the
+1/+2 pseudocounts of `statistics.smoothed_share`:

* p = P(agree | g), tested against 1/2 by `proportion_test`;
* r = P(agree | g) / P(agree | not g), tested by `two_proportion_test`;
* likewise for disagree; the statement speaks for g in the direction (agree or
  disagree) with the larger ratio r;
* it is representative when both z-scores pass 90 % (z > 1.2816); candidates are
  ranked by r · r-test · p · p-test, agreements before disagreements, at most five.
  If none passes, the group's best agreement (more agree than disagree) stands alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kenes.core.consensus.statistics import (
    Z_90,
    Tally,
    proportion_test,
    smoothed_share,
    two_proportion_test,
)

MAX_REPRESENTATIVE = 5


@dataclass(frozen=True)
class RepresentativeStatement:
    """One statement that speaks for a group, with the counts and tests behind it."""

    statement: int
    direction: str  # "agree" or "disagree"
    agree: int
    disagree: int
    passed: int
    probability: float
    probability_test: float
    ratio: float
    ratio_test: float
    metric: float
    significant: bool


def _direction_stats(
    successes: NDArray[np.int64], seen: NDArray[np.int64], g: int
) -> tuple[NDArray[np.float64], ...]:
    inside, trials = successes[g], seen[g]
    outside = successes.sum(axis=0) - inside
    trials_out = seen.sum(axis=0) - trials
    p = smoothed_share(inside, trials)
    p_test = proportion_test(inside, trials)
    ratio = p / smoothed_share(outside, trials_out)
    ratio_test = two_proportion_test(inside, trials, outside, trials_out)
    return p, p_test, ratio, ratio_test, ratio * ratio_test * p * p_test


def representative_statements(
    counts: Tally,
    group: int,
    statements: NDArray[np.int64],
    limit: int = MAX_REPRESENTATIVE,
) -> list[RepresentativeStatement]:
    """The statements (indices among `statements`, the ones analysed) that represent `group`."""
    agree = _direction_stats(counts.agree, counts.seen, group)
    disagree = _direction_stats(counts.disagree, counts.seen, group)
    chosen_agree = agree[2] >= disagree[2]
    found: list[RepresentativeStatement] = []
    for c in statements.tolist():
        is_agree = bool(chosen_agree[c])
        p, p_test, ratio, ratio_test, metric = agree if is_agree else disagree
        found.append(
            RepresentativeStatement(
                statement=c,
                direction="agree" if is_agree else "disagree",
                agree=int(counts.agree[group, c]),
                disagree=int(counts.disagree[group, c]),
                passed=int(counts.passed[group, c]),
                probability=float(p[c]),
                probability_test=float(p_test[c]),
                ratio=float(ratio[c]),
                ratio_test=float(ratio_test[c]),
                metric=float(metric[c]),
                significant=bool(p_test[c] > Z_90 and ratio_test[c] > Z_90),
            )
        )
    passing = [r for r in found if r.significant]
    passing.sort(key=lambda r: (r.direction != "agree", -r.metric, r.statement))
    if passing:
        return passing[:limit]
    agreements = [r for r in found if r.agree > r.disagree]
    if not agreements:
        return []
    best = max(agreements, key=lambda r: (r.probability_test, -r.statement))
    return [best]
