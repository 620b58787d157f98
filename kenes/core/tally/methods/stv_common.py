"""Ballot-paper bookkeeping shared by the STV counts.

Papers travel in *groups*: all papers of one distinct ballot that are held by the same
candidate at the same value and arrived at the same stage. Identical papers always move
together, so a group never splits; a transfer only changes its holder, value and stage.
Values are integers in units of ``SCALE`` (1e-5 vote for the Scottish rules).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kenes.core.tally.methods.common import EXHAUSTED, top_choices
from kenes.core.tally.profile import Profile

IntArray = npt.NDArray[np.int64]


@dataclass
class PaperGroups:
    """Columns of the paper groups (see the module docstring)."""

    ballot: IntArray
    papers: IntArray
    value: IntArray
    holder: IntArray
    stage: IntArray

    @classmethod
    def first_preferences(
        cls, profile: Profile, continuing: npt.NDArray[np.bool_], unit: int
    ) -> PaperGroups:
        top = top_choices(profile.ranks, continuing)
        top[top < 0] = EXHAUSTED
        n = profile.ranks.shape[0]
        return cls(
            ballot=np.arange(n, dtype=np.int64),
            papers=profile.counts.astype(np.int64),
            value=np.full(n, unit, dtype=np.int64),
            holder=top,
            stage=np.ones(n, dtype=np.int64),
        )

    def next_holders(
        self, profile: Profile, rows: IntArray, continuing: npt.NDArray[np.bool_]
    ) -> IntArray:
        """The next continuing preference of each group in ``rows`` (EXHAUSTED if none).

        A ballot whose next position holds several continuing candidates equally cannot be
        transferred and is treated as non-transferable.
        """
        top = top_choices(profile.ranks[self.ballot[rows]], continuing)
        top[top < 0] = EXHAUSTED
        return top

    def totals(self, n: int) -> IntArray:
        held = self.holder >= 0
        return np.bincount(
            self.holder[held], weights=(self.papers * self.value)[held], minlength=n
        ).astype(np.int64)
