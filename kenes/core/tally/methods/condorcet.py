"""Condorcet methods: the pairwise matrix, Schulze (beat path) and ranked pairs.

* Pairwise matrix ``d[a, b]``: voters ranking ``a`` above ``b``; a ranked candidate is above
  every unranked one, equally ranked candidates count for neither.
* Schulze: M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and
  Condorcet-consistent single-winner election method", Social Choice and Welfare 36 (2011),
  section 2: link strength = winning votes ``d[a,b]`` when ``d[a,b] > d[b,a]`` (or the margin,
  as an option), strongest paths by the Floyd-Warshall widest-path algorithm, ``a`` is a
  potential winner when ``p[a,b] >= p[b,a]`` for every ``b``.
* Ranked pairs: T. N. Tideman, "Independence of clones as a criterion for voting rules",
  Social Choice and Welfare 4 (1987): majorities sorted by margin (largest first), each locked
  unless it would close a cycle; the winner is the candidate no locked pair points at.

Ties (several potential winners, equal pair strengths) are settled by a tie-breaking ranking of
the candidates drawn by lot from the recorded seed (Tideman's and Schulze's TBRC).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

from kenes.core.tally.methods.common import all_standing_elected, check_seats, new_seed
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import LotDrawer, Result, Round

Matrix = npt.NDArray[np.int64]


def pairwise_matrix(profile: Profile) -> Matrix:
    """``d[a, b]`` = number of voters who rank ``a`` above ``b`` (see the module docstring)."""
    return _pairwise_and_first(profile)[0]


def _pairwise_and_first(profile: Profile) -> tuple[Matrix, Matrix | None]:
    """The pairwise matrix, and each candidate's first choices when they come at no cost."""
    n = profile.n_candidates
    if 0 < n <= _PREFIX_CANDIDATES and profile.ranks.size and profile.n_voters < 2**53:
        found = _pairwise_by_prefixes(profile)
        if found is not None:
            return found
    r = np.where(profile.ranks > 0, profile.ranks, np.iinfo(np.int16).max).astype(np.int32)
    d = np.zeros((n, n), dtype=np.int64)
    counts = profile.counts
    for a in range(n):
        above = r[:, a : a + 1] < r
        d[a] = counts @ above
    np.fill_diagonal(d, 0)
    return d, None


_PREFIX_CANDIDATES = 16


def _pairwise_by_prefixes(profile: Profile) -> tuple[Matrix, Matrix] | None:
    """The pairwise matrix by the sets of candidates ranked at or above each candidate.

    ``a`` is above ``b`` on a ballot exactly when ``b`` is not in the set ``S`` of the
    candidates ranked at or above ``a``: summing the voters by (``a``, ``S``) (a bit mask
    of at most 16 candidates) takes one pass over each position of the ballots, and
    ``d[a, b]`` is then the sum over the sets without ``b``. The sums are float64, exact
    below 2**53 voters. Also returns each candidate's first choices (``S`` = ``a`` alone,
    or with empty positions above). None when two candidates share a position (the caller
    counts pairs one by one).
    """
    ranks = profile.ranks
    n_rows, n = ranks.shape
    longest = int(ranks.max())
    if longest == 0:
        return np.zeros((n, n), dtype=np.int64), np.zeros(n, dtype=np.int64)
    # the candidate at each position, n for none; row 0 takes the unranked candidates
    at = np.full((longest + 1, n_rows), n, dtype=np.int32)
    flat = at.reshape(-1)
    rows = np.arange(n_rows)
    for c in range(n):
        flat[ranks[:, c].astype(np.intp) * n_rows + rows] = c
    at = at[1:]
    if np.count_nonzero(at != n) != np.count_nonzero(ranks):
        return None  # a position holding two candidates: equal rankings
    # the set at or above each position (n: an empty position, bit n, never asked about)
    above = np.bitwise_or.accumulate(np.left_shift(1, at, dtype=np.int32), axis=0)
    key = (at << (n + 1)) | above
    sets = 1 << (n + 1)
    votes = np.zeros((n + 1) * sets)
    weights = profile.counts.astype(np.float64)
    for position in key:
        votes += np.bincount(position, weights=weights, minlength=votes.size)
    by_set = votes.reshape(n + 1, sets)[:n]
    not_in = (np.arange(sets)[:, None] >> np.arange(n) & 1) == 0
    d = np.rint(by_set @ not_in).astype(np.int64)
    np.fill_diagonal(d, 0)
    alone = 1 << np.arange(n)
    first = np.rint(by_set[np.arange(n), alone] + by_set[np.arange(n), alone | 1 << n])
    return d, first.astype(np.int64)


def strongest_paths(d: Matrix, standing: list[int], strength: str = "winning") -> Matrix:
    """Schulze's strongest path strengths ``p[a, b]`` between standing candidates."""
    n = d.shape[0]
    p = np.zeros((n, n), dtype=np.int64)
    idx = np.array(standing, dtype=np.int64)
    sub_d = d[np.ix_(idx, idx)]
    link = sub_d if strength == "winning" else sub_d - sub_d.T
    sub = np.where(sub_d > sub_d.T, link, 0)
    for k in range(len(idx)):
        sub = np.maximum(sub, np.minimum(sub[:, k : k + 1], sub[k : k + 1, :]))
    np.fill_diagonal(sub, 0)
    p[np.ix_(idx, idx)] = sub
    return p


def _tie_break_order(lots: LotDrawer, candidates: list[int], purpose: str) -> list[int]:
    order: list[int] = []
    rest = sorted(candidates)
    while len(rest) > 1:
        drawn = lots.draw(rest, purpose)
        order.append(drawn)
        rest.remove(drawn)
    return order + rest


def schulze(
    profile: Profile, seats: int = 1, seed: int | None = None, *, strength: str = "winning"
) -> Result:
    """Schulze method; for several seats, the top of the Schulze ranking."""
    standing = check_seats(profile, seats)
    options = {"strength": strength}
    undersubscribed = all_standing_elected(
        profile, "schulze", seats, standing, seed, options=options
    )
    if undersubscribed is not None:
        return undersubscribed
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    d, first = _pairwise_and_first(profile)
    p = strongest_paths(d, standing, strength)
    ranking: list[int] = []
    rest = list(standing)
    tbr: list[int] | None = None
    why: list[str] = []
    while rest:
        best = [a for a in rest if all(p[a, b] >= p[b, a] for b in rest if b != a)]
        if len(best) > 1:
            if tbr is None:
                tbr = _tie_break_order(lots, standing, "Schulze tie-breaking ranking")
            names = ", ".join(profile.candidates[c] for c in best)
            best = [min(best, key=tbr.index)]
            why.append(f"potential winners {names} tied; the tie-breaking ranking drawn by lot")
        ranking.append(best[0])
        rest.remove(best[0])
    winners = ranking[:seats]
    why.append("winner(s): p[a,b] >= p[b,a] against every other candidate (strongest paths)")
    round_ = _summary_round(profile, standing, winners, why, first)
    return Result(
        "schulze",
        profile.candidates,
        seats,
        winners,
        [round_],
        seed,
        lots.lots,
        options=options,
        notes=list(profile.notes),
        pairwise=d,
        strongest_paths=p,
        ranking=ranking,
    )


def ranked_pairs(
    profile: Profile, seats: int = 1, seed: int | None = None, *, strength: str = "margin"
) -> Result:
    """Ranked pairs (Tideman); for several seats, the top of the locked order."""
    standing = check_seats(profile, seats)
    options = {"strength": strength}
    undersubscribed = all_standing_elected(
        profile, "ranked-pairs", seats, standing, seed, options=options
    )
    if undersubscribed is not None:
        return undersubscribed
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    d, first = _pairwise_and_first(profile)
    pairs = [(a, b) for a in standing for b in standing if d[a, b] > d[b, a]]

    def key(pair: tuple[int, int]) -> int:
        a, b = pair
        return int(d[a, b] - d[b, a]) if strength == "margin" else int(d[a, b])

    keys = [key(pr) for pr in pairs]
    why: list[str] = []
    if len(set(keys)) < len(keys) or any(
        d[a, b] == d[b, a] for a in standing for b in standing if a < b
    ):
        tbr = _tie_break_order(lots, standing, "ranked pairs tie-breaking ranking")
        why.append("equal strengths ordered by the tie-breaking ranking drawn by lot")
        pairs.sort(key=lambda pr: (-key(pr), tbr.index(pr[0]), -tbr.index(pr[1])))
    else:
        tbr = list(standing)
        pairs.sort(key=lambda pr: -key(pr))
    reach = {c: {c} for c in standing}
    locked: list[tuple[int, int]] = []
    for a, b in pairs:
        if a in reach[b]:
            continue
        locked.append((a, b))
        for c in standing:
            if a in reach[c]:
                reach[c] |= reach[b]
    # with zero-margin pairs some candidates stay unordered: the tie-breaking ranking orders them
    ranking: list[int] = []
    rest = list(standing)
    while rest:
        sources = [c for c in rest if not any(b == c and a in rest for a, b in locked)]
        pick = min(sources, key=tbr.index)
        ranking.append(pick)
        rest.remove(pick)
    winners = ranking[:seats]
    why.append("winner(s): no locked majority points at them")
    round_ = _summary_round(profile, standing, winners, why, first)
    return Result(
        "ranked-pairs",
        profile.candidates,
        seats,
        winners,
        [round_],
        seed,
        lots.lots,
        options=options,
        notes=list(profile.notes),
        pairwise=d,
        locked=locked,
        ranking=ranking,
    )


def _summary_round(
    profile: Profile,
    standing: list[int],
    winners: list[int],
    why: list[str],
    first: Matrix | None = None,
) -> Round:
    """One round holding each candidate's first-choice votes, for display."""
    if first is None:  # equal first choices count for each
        first = np.zeros(profile.n_candidates, dtype=np.int64)
        ranked = profile.ranks > 0
        top = np.where(ranked, profile.ranks, np.iinfo(np.int16).max).min(axis=1)
        for c in standing:
            first[c] = profile.counts[(profile.ranks[:, c] == top) & ranked[:, c]].sum()
    return Round(
        number=1,
        votes={c: Fraction(int(first[c])) for c in standing},
        elected=winners,
        action="pairwise comparison (votes: first choices, for display)",
        why=why,
    )
