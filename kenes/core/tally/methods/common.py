"""Helpers shared by the counting methods: current top choices and tie handling."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import TallyError
from kenes.core.tally.profile import Profile, RankMatrix
from kenes.core.tally.result import LotDrawer, Result, Round

EXHAUSTED = -1
TIED_AT_TOP = -2
_NONE = np.iinfo(np.int16).max


def top_choices(ranks: RankMatrix, continuing: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """For each ballot, its highest-ranked continuing candidate.

    EXHAUSTED when it ranks none of them; TIED_AT_TOP when two or more share its highest
    position among the continuing candidates (an equal ranking / overvote).
    """
    return best_continuing(ranks, continuing)[0]


def best_continuing(
    ranks: RankMatrix, continuing: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], RankMatrix]:
    """:func:`top_choices`, and the position each ballot gives it (int16 max if none)."""
    # a column at a time: whole columns are faster in numpy than short rows
    best = np.full(ranks.shape[0], _NONE, dtype=ranks.dtype)
    top = np.full(ranks.shape[0], EXHAUSTED, dtype=np.int64)
    tied = np.zeros(ranks.shape[0], dtype=bool)
    for c in np.flatnonzero(continuing):
        rank = np.where(ranks[:, c] > 0, ranks[:, c], _NONE)
        better = rank < best
        tied &= ~better
        tied |= (rank == best) & (rank != _NONE)
        top[better] = c
        np.minimum(best, rank, out=best)
    top[tied] = TIED_AT_TOP
    return top, best


def tally_tops(top: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], n: int) -> list[int]:
    """Votes per candidate from top choices (exhausted and tied ballots not counted)."""
    valid = top >= 0
    return [int(v) for v in np.bincount(top[valid], weights=counts[valid], minlength=n)]


def new_seed(seed: int | None) -> int:
    """The seed for lots: the given one, or a fresh random one that the result records."""
    return secrets.randbits(32) if seed is None else seed


def check_seats(profile: Profile, seats: int) -> list[int]:
    """The candidates standing (not withdrawn); raise if no one stands.

    Fewer candidates than seats is not an error: see :func:`all_standing_elected`.
    """
    standing = [c for c in range(profile.n_candidates) if c not in profile.withdrawn]
    if seats < 1:
        raise TallyError("the number of seats must be at least 1")
    if not standing:
        raise TallyError("no candidate stands: every candidate in the file is withdrawn")
    return standing


def all_standing_elected(
    profile: Profile,
    method: str,
    seats: int,
    standing: list[int],
    seed: int | None,
    *,
    options: dict[str, str] | None = None,
    placeholders: Sequence[int] = (),
) -> Result | None:
    """The result when fewer candidates stand than there are seats; None otherwise.

    Every standing candidate is elected without a count and the seats left over stay vacant,
    as in an uncontested election (the Scottish Local Government Elections Order 2011, SSI
    2011/399, Sch. 1 rule 12: where the candidates validly nominated are no more than the
    councillors to be elected, they are declared elected; councils have had under-filled
    wards). ``placeholders`` (undeclared write-ins) are never elected: they are excluded
    first, and the candidates left are compared with the seats. The one round shows the
    first-choice votes for the record and says why there was no count.
    """
    declared = [c for c in standing if c not in placeholders]
    if len(declared) >= seats:
        return None
    seed = new_seed(seed)
    continuing = np.zeros(profile.n_candidates, dtype=bool)
    continuing[declared] = True
    top = top_choices(profile.ranks, continuing)
    first = tally_tops(top, profile.counts, profile.n_candidates)
    winners = sorted(declared, key=lambda c: (-first[c], c))
    vacant = seats - len(declared)
    why = [
        f"{seats} seats but only {len(declared)} candidate(s) stand: all are elected without "
        f"a count and {vacant} seat(s) stay vacant"
    ]
    left_out = [profile.candidates[c] for c in standing if c in placeholders]
    if left_out:
        why.append(f"excluded first as undeclared write-ins: {', '.join(left_out)}")
    round_ = Round(
        number=1,
        votes={c: Fraction(first[c]) for c in declared},
        elected=winners,
        exhausted=Fraction(int(profile.counts[top < 0].sum())),
        action="election of all candidates standing",
        why=why,
    )
    return Result(
        method,
        profile.candidates,
        seats,
        winners,
        [round_],
        seed,
        options=dict(options or {}),
        notes=list(profile.notes),
    )


def top_n_by_votes(
    votes: Sequence[Fraction | int], standing: list[int], seats: int, lots: LotDrawer, what: str
) -> tuple[list[int], list[str]]:
    """The ``seats`` candidates with most votes; a tie at the boundary is decided by lot."""
    order = sorted(standing, key=lambda c: -votes[c])
    winners: list[int] = []
    why: list[str] = []
    while len(winners) < seats:
        rest = [c for c in order if c not in winners]
        best = votes[rest[0]]
        tied = [c for c in rest if votes[c] == best]
        if len(tied) <= seats - len(winners):
            winners.extend(tied)
            continue
        drawn = lots.draw(tied, f"{what}: equal votes for the last seat(s)")
        why.append(f"lot drawn among candidates tied on {best} {what}")
        winners.append(drawn)
    return winners, why
