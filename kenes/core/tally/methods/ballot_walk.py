"""Where each ballot stands: its current choice among the continuing candidates, or why it is
inactive, under the ballot-reading rules of :class:`kenes.core.tally.rules.Rules`
(``overvote``, ``duplicate``, ``max_skipped``, ``max_rankings``).

Reads ``profile.marks`` (the ballot as cast, one column per position) when the file has them,
otherwise ``profile.ranks`` (an equal ranking is an overvote of the candidates sharing it).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kenes.core.tally.methods.common import EXHAUSTED, TIED_AT_TOP
from kenes.core.tally.profile import Profile
from kenes.core.tally.rules import Rules

# why a ballot is inactive (negative codes; a candidate index is >= 0)
OVERVOTED = TIED_AT_TOP  # reached an overvote that the rules exhaust
SKIPPED_OUT = -3  # skipped more positions in a row than the rules allow
REPEATED_OUT = -4  # reached a repeated candidate and the rules exhaust on duplicates
# EXHAUSTED (-1): no continuing candidate left on the ballot
INACTIVE_REASONS = {
    EXHAUSTED: "exhausted",
    OVERVOTED: "overvote",
    SKIPPED_OUT: "skipped",
    REPEATED_OUT: "repeated",
}

__all__ = [
    "EXHAUSTED",
    "INACTIVE_REASONS",
    "OVERVOTED",
    "REPEATED_OUT",
    "SKIPPED_OUT",
    "choices",
]


def choices(
    profile: Profile, continuing: npt.NDArray[np.bool_], rules: Rules
) -> npt.NDArray[np.int64]:
    """For each distinct ballot, its current candidate (>= 0) or its inactive code (< 0)."""
    # first version: the rules irv() already knew; the rest raise until implemented
    from kenes.core.tally.methods.irv import ballot_choices

    if rules.overvote == "exhaust_if_multiple" or rules.duplicate != "skip":
        raise NotImplementedError("overvote/duplicate rule not implemented yet")
    if rules.max_rankings is not None:
        raise NotImplementedError("max_rankings not implemented yet")
    return ballot_choices(profile, continuing, rules.overvote, rules.max_skipped)
