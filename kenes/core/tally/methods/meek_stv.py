"""Meek STV: B. L. Meek, "Une nouvelle approche du scrutin transférable", Mathématiques et
Sciences Humaines 25 (1969); counted as in I. D. Hill, B. A. Wichmann & D. R. Woodall,
"Algorithm 123 — Single Transferable Vote by Meek's method", Computer Journal 30 (1987), with
the fixed-precision conventions of the New Zealand Local Electoral Regulations 2001, Sch. 1A.
Iteration stops when the total surplus is below 0.00001 or stops shrinking (Algorithm 123).

Each candidate has a keep value ``k`` (1 hopeful, 0 excluded, below 1 once elected). A ballot
of weight ``w`` gives each candidate in order of preference ``w × k`` (rounded up to 9
decimals) and passes the rest on; what no one keeps is excess. Quota = (votes − excess) /
(seats + 1), truncated to 9 decimals, plus 1e-9. Keep values of elected candidates are updated
``k ← k × quota / votes`` (rounded up) until the total surplus is below 0.00001; then every
candidate on the quota is elected, or if none the lowest hopeful is excluded (ties by lot).
Equal rankings are not supported: a ballot that ranks candidates equally raises TallyError.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import TallyError
from kenes.core.tally.methods.common import all_standing_elected, check_seats, new_seed
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import LotDrawer, Result, Round

SCALE = 10**9
TOLERANCE = 10**4  # 0.00001 in units of 1e-9


def _preference_order(profile: Profile, standing: list[int]) -> npt.NDArray[np.int64]:
    """``order[i, p]`` = the candidate at the p-th preference of ballot i (-1 past the end)."""
    ranks = profile.ranks.copy()
    for c in range(profile.n_candidates):
        if c not in standing:
            ranks[:, c] = 0
    big = np.iinfo(np.int16).max
    keyed = np.where(ranks > 0, ranks, big)
    order = np.argsort(keyed, axis=1, kind="stable").astype(np.int64)
    sorted_ranks = np.take_along_axis(keyed, order, axis=1)
    if (sorted_ranks[:, 1:] == sorted_ranks[:, :-1])[sorted_ranks[:, 1:] != big].any():
        raise TallyError("Meek STV here needs strict rankings; a ballot ranks candidates equally")
    order[sorted_ranks == big] = -1
    return order


def meek_stv(profile: Profile, seats: int | None = None, seed: int | None = None) -> Result:
    """Count an STV election by Meek's method (see the module docstring)."""
    seats = seats or profile.seats or 1
    standing = check_seats(profile, seats)
    options = {"stv_rules": "meek"}
    undersubscribed = all_standing_elected(profile, "stv", seats, standing, seed, options=options)
    if undersubscribed is not None:
        return undersubscribed
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    names = profile.candidates
    n = profile.n_candidates
    order = _preference_order(profile, standing)
    counts = profile.counts.astype(np.int64)
    keep = np.zeros(n, dtype=np.int64)
    keep[standing] = SCALE
    state = {c: "hopeful" for c in standing}
    elected: list[int] = []
    rounds: list[Round] = []

    def distribute() -> tuple[npt.NDArray[np.int64], int]:
        weight = np.full(order.shape[0], SCALE, dtype=np.int64)
        votes = np.zeros(n, dtype=np.int64)
        for p in range(order.shape[1]):
            cand = order[:, p]
            live = (cand >= 0) & (weight > 0)
            if not live.any():
                break
            k = keep[cand[live]]
            kept = -((-weight[live] * k) // SCALE)  # rounded up
            weight[live] -= kept
            votes += np.bincount(cand[live], weights=kept * counts[live], minlength=n).astype(
                np.int64
            )
        excess = int((weight * counts).sum())
        return votes, excess

    total = int(counts.sum()) * SCALE
    while len(elected) < seats:
        iterations = 0
        previous = None
        while True:
            votes, excess = distribute()
            quota = ((total - excess) // (seats + 1)) + 1
            surplus = sum(max(0, int(votes[c]) - quota) for c in elected)
            iterations += 1
            # Algorithm 123 step 2: stop when the surplus is small or has stopped shrinking
            if surplus < TOLERANCE or not elected or (previous is not None and surplus >= previous):
                break
            previous = surplus
            for c in elected:
                keep[c] = -((-int(keep[c]) * quota) // int(votes[c]))
        hopeful = [c for c in standing if state[c] == "hopeful"]
        reached = sorted((c for c in hopeful if votes[c] >= quota), key=lambda c: -votes[c])
        round_ = Round(
            number=len(rounds) + 1,
            votes={c: Fraction(int(votes[c]), SCALE) for c in standing},
            exhausted=Fraction(excess, SCALE),
            keep_values={c: Fraction(int(keep[c]), SCALE) for c in standing},
        )
        round_.extra["quota"] = Fraction(quota, SCALE)
        round_.extra["iterations"] = Fraction(iterations)
        rounds.append(round_)
        if reached:
            for c in reached[: seats - len(elected)]:
                state[c] = "elected"
                elected.append(c)
                round_.elected.append(c)
                round_.why.append(f"{names[c]} reached the quota")
            round_.action = "election"
        elif len(hopeful) <= seats - len(elected):
            for c in sorted(hopeful, key=lambda c: -votes[c]):
                state[c] = "elected"
                elected.append(c)
                round_.elected.append(c)
                round_.why.append(f"{names[c]} elected: hopefuls no more than vacancies")
            round_.action = "election"
        else:
            low = min(votes[c] for c in hopeful)
            tied = [c for c in hopeful if votes[c] == low]
            out = tied[0] if len(tied) == 1 else lots.draw(tied, "Meek exclusion")
            state[out] = "excluded"
            keep[out] = 0
            round_.excluded = [out]
            round_.action = "exclusion"
            round_.why.append(f"{names[out]} has the fewest votes")
    return Result(
        "stv",
        names,
        seats,
        elected,
        rounds,
        seed,
        lots.lots,
        quota=rounds[-1].extra["quota"],
        options=options,
        notes=list(profile.notes),
    )
