"""Poll figures -> random vote shares: pooling several polls, Dirichlet or logistic-normal draws.

Each figure is a share with its uncertainty, either a sample size n (binomial variance
p(1-p)/n) or a 95 % margin m (variance (m/1.96)²). Several polls of one party are pooled by
inverse-variance weighting. Every party then carries an effective sample size n_eff = p(1-p)/var.

Draws are compositional (they sum to 1), so shares are negatively correlated as in reality:
- Dirichlet(α0·p) with α0 the share-weighted mean n_eff (one poll: α0 = n), the conjugate
  posterior of a multinomial sample (Gelman et al., *Bayesian Data Analysis*, 3rd ed.);
- logistic-normal (Aitchison, *The Statistical Analysis of Compositional Data*, 1986):
  log p_i + σ_i z_i, then normalised, with σ_i = 1/sqrt(n_eff_i p_i); by the delta method
  the shares then have the multinomial covariance p_i(δ_ij - p_j)/n when all n_eff are equal,
  and each keeps its own uncertainty when they differ (polls with different margins).
The share not given to any listed party becomes the column "others" (small lists that win no
seats but count in the valid votes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

Z95 = 1.959963984540054
OTHERS = "others"
AGAINST_ALL_NAMES = frozenset({"against all", "against-all", "against_all"})


class PollError(ValueError):
    """Poll figures that cannot be used (shares out of range, no uncertainty given)."""


class ShareModel(StrEnum):
    DIRICHLET = "dirichlet"
    LOGISTIC_NORMAL = "logistic-normal"


@dataclass(frozen=True)
class PollFigure:
    """One party's share in one poll (0-1), with a sample size or a 95 % margin (0-1)."""

    party: str
    share: float
    sample_size: int | None = None
    margin: float | None = None


@dataclass(frozen=True)
class PooledPoll:
    """Parties in registration order (last: "others"), pooled shares, effective sample sizes."""

    parties: tuple[str, ...]
    shares: FloatArray
    n_eff: FloatArray
    against_all: int | None
    others: int

    @property
    def seat_eligible(self) -> npt.NDArray[np.bool_]:
        eligible = np.ones(len(self.parties), dtype=bool)
        eligible[self.others] = False
        if self.against_all is not None:
            eligible[self.against_all] = False
        return eligible

    def with_share(self, party: str, share: float) -> PooledPoll:
        """The same poll with ``party`` at ``share``, the others scaled to keep the total."""
        i = self.parties.index(party)
        rest = 1.0 - float(self.shares[i])
        shares = self.shares.copy()
        if rest > 0:
            shares *= (1.0 - share) / rest
        else:
            shares[:] = (1.0 - share) / (len(shares) - 1)
        shares[i] = share
        return replace(self, shares=shares)


def _variance(figure: PollFigure) -> float:
    p = figure.share
    if figure.margin is not None:
        if figure.margin <= 0:
            raise PollError(f"{figure.party}: the margin must be positive.")
        return float((figure.margin / Z95) ** 2)
    if figure.sample_size is None:
        raise PollError(
            f"{figure.party}: give the poll's sample size or a margin of error for this share."
        )
    if figure.sample_size <= 0:
        raise PollError(f"{figure.party}: the sample size must be positive.")
    return max(p * (1 - p), 0.25 / figure.sample_size) / figure.sample_size


def pool_polls(figures: Sequence[PollFigure]) -> PooledPoll:
    """Pool figures (one or several polls) into one share and n_eff per party."""
    if not figures:
        raise PollError("No poll figures were given.")
    parties: list[str] = []
    weight: dict[str, float] = {}
    weighted: dict[str, float] = {}
    for figure in figures:
        if not 0 <= figure.share <= 1:
            raise PollError(f"{figure.party}: a share must lie between 0 and 100 %.")
        if figure.party.strip().lower() == OTHERS:
            raise PollError(f'"{OTHERS}" is computed as the rest; do not list it as a party.')
        if figure.party not in weight:
            parties.append(figure.party)
            weight[figure.party] = 0.0
            weighted[figure.party] = 0.0
        w = 1.0 / _variance(figure)
        weight[figure.party] += w
        weighted[figure.party] += w * figure.share
    shares = [weighted[p] / weight[p] for p in parties]
    n_eff = [max(s * (1 - s), 1e-4) * weight[p] for p, s in zip(parties, shares, strict=True)]
    total = sum(shares)
    if total > 1.02:
        raise PollError(f"The shares add up to {total:.1%}; they must not exceed 100 %.")
    if total > 1:
        shares = [s / total for s in shares]
        total = 1.0
    share_weights = np.array(shares) + 1e-12
    mean_n = float(np.average(np.array(n_eff), weights=share_weights))
    parties.append(OTHERS)
    shares.append(max(0.0, 1.0 - total))
    n_eff.append(mean_n)
    against = [i for i, p in enumerate(parties) if p.strip().lower() in AGAINST_ALL_NAMES]
    return PooledPoll(
        parties=tuple(parties),
        shares=np.array(shares, dtype=np.float64),
        n_eff=np.array(n_eff, dtype=np.float64),
        against_all=against[0] if against else None,
        others=len(parties) - 1,
    )


def draw_shares(
    poll: PooledPoll, draws: int, model: ShareModel, rng: np.random.Generator
) -> FloatArray:
    """``draws`` × parties random shares (rows sum to 1)."""
    p = poll.shares
    live = p > 0
    out = np.zeros((draws, len(p)), dtype=np.float64)
    if model is ShareModel.DIRICHLET:
        alpha0 = float(np.average(poll.n_eff[live], weights=p[live]))
        gammas = rng.standard_gamma(alpha0 * p[live], size=(draws, int(live.sum())))
        out[:, live] = gammas
    else:
        q = p[live]
        sigma = 1.0 / np.sqrt(poll.n_eff[live] * q + 1e-12)
        z = rng.standard_normal((draws, int(live.sum())))
        z *= sigma
        z += np.log(q)
        np.exp(z, out=z)
        out[:, live] = z
    out /= out.sum(axis=1, keepdims=True)
    return out
