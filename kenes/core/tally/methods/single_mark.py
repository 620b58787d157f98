"""Plurality (first past the post, block vote for several seats) and approval voting."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from kenes.core.tally.methods.common import (
    EXHAUSTED,
    TIED_AT_TOP,
    all_standing_elected,
    check_seats,
    new_seed,
    top_choices,
    top_n_by_votes,
)
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import LotDrawer, Result, Round


def plurality(profile: Profile, seats: int = 1, seed: int | None = None) -> Result:
    """Plurality: each ballot counts for its first choice; the most votes win.

    A ballot with several candidates equal first is an overvote and counts for nobody
    (reported as exhausted). Ties for the last seat are decided by lot.
    """
    standing = check_seats(profile, seats)
    undersubscribed = all_standing_elected(profile, "plurality", seats, standing, seed)
    if undersubscribed is not None:
        return undersubscribed
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    continuing = np.zeros(profile.n_candidates, dtype=bool)
    continuing[standing] = True
    top = top_choices(profile.ranks, continuing)
    votes = np.bincount(
        top[top >= 0], weights=profile.counts[top >= 0], minlength=profile.n_candidates
    )
    tally = [int(v) for v in votes]
    winners, why = top_n_by_votes(tally, standing, seats, lots, "first-choice votes")
    spoilt = int(profile.counts[(top == EXHAUSTED) | (top == TIED_AT_TOP)].sum())
    round_ = Round(
        number=1,
        votes={c: Fraction(tally[c]) for c in standing},
        elected=winners,
        exhausted=Fraction(spoilt),
        action="count of first choices",
        why=[*why, f"the {seats} candidate(s) with most first-choice votes win"],
    )
    return Result(
        "plurality",
        profile.candidates,
        seats,
        winners,
        [round_],
        seed,
        lots.lots,
        notes=list(profile.notes),
    )


def approval(profile: Profile, seats: int = 1, seed: int | None = None) -> Result:
    """Approval voting (Brams & Fishburn 1978): every candidate marked is approved."""
    standing = check_seats(profile, seats)
    undersubscribed = all_standing_elected(profile, "approval", seats, standing, seed)
    if undersubscribed is not None:
        return undersubscribed
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    marked = profile.ranks > 0
    tally = [int(v) for v in (marked * profile.counts[:, None]).sum(axis=0)]
    winners, why = top_n_by_votes(tally, standing, seats, lots, "approvals")
    blank = int(profile.counts[~marked[:, standing].any(axis=1)].sum())
    round_ = Round(
        number=1,
        votes={c: Fraction(tally[c]) for c in standing},
        elected=winners,
        exhausted=Fraction(blank),
        action="count of approvals",
        why=[*why, f"the {seats} candidate(s) with most approvals win"],
    )
    return Result(
        "approval",
        profile.candidates,
        seats,
        winners,
        [round_],
        seed,
        lots.lots,
        notes=list(profile.notes),
    )
