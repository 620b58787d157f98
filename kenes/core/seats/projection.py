"""Monte-Carlo seat projection from polls, with alliance scenarios on the same draws.

Each draw is one possible election result (polls.draw_shares); each is allocated by the preset's
rules (vectorised.allocate_draws). Alliances merge lists inside the very same draws (common
random numbers), so "alone" and "together" differ only by the merger. Deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from kenes.core.seats.polls import FloatArray, PollError, PooledPoll, ShareModel, draw_shares
from kenes.core.seats.presets import SeatRules
from kenes.core.seats.vectorised import DrawRules, admitted_lists, allocate_draws

CHUNK = 200_000


@dataclass(frozen=True)
class Alliance:
    """A joint list: partners in order (the first gives the list its place) and retention rates.

    A partner's retention is the share of its voters who follow it onto the joint list; the rest
    vote for small lists ("others") that win no seats.
    """

    members: tuple[tuple[str, float], ...]

    @property
    def name(self) -> str:
        return "+".join(party for party, _ in self.members)


@dataclass(frozen=True)
class ListOutlook:
    """One list's projected outcome."""

    party: str
    p_pass: float
    seats_mean: float
    seats_p05: int
    seats_p50: int
    seats_p95: int
    p_majority: float


@dataclass(frozen=True)
class Outlook:
    """Every list's outlook in one setting (alone, or one alliance scenario)."""

    lists: tuple[ListOutlook, ...]
    p_any_majority: float
    p_no_list_passes: float


@dataclass(frozen=True)
class Projection:
    draws: int
    seed: int | None
    model: ShareModel
    baseline: Outlook
    scenarios: tuple[tuple[Alliance, Outlook], ...] = field(default=())


def _draw_rules(rules: SeatRules) -> DrawRules:
    return DrawRules(rules.seats, rules.method, rules.threshold, rules.runner_up)


class _Tally:
    """Running counts over chunks: passes, seat histograms, majorities."""

    def __init__(self, columns: int, house: int) -> None:
        self.house = house
        self.passes = np.zeros(columns, dtype=np.int64)
        self.histogram = np.zeros((columns, house + 1), dtype=np.int64)
        self.majority = np.zeros(columns, dtype=np.int64)
        self.any_majority = 0
        self.none_passed = 0
        self.draws = 0

    def add(self, seats: npt.NDArray[np.int64], passed: npt.NDArray[np.bool_]) -> None:
        n, m = seats.shape
        self.draws += n
        self.passes += passed.sum(axis=0)
        flat = seats + (np.arange(m) * (self.house + 1))[None, :]
        self.histogram += np.bincount(flat.ravel(), minlength=m * (self.house + 1)).reshape(
            m, self.house + 1
        )
        majority = 2 * seats > self.house
        self.majority += majority.sum(axis=0)
        self.any_majority += int(majority.any(axis=1).sum())
        self.none_passed += int((~passed.any(axis=1)).sum())

    def outlook(self, names: Sequence[str], columns: Sequence[int]) -> Outlook:
        lists = []
        levels = np.arange(self.house + 1)
        for name, c in zip(names, columns, strict=True):
            cdf = np.cumsum(self.histogram[c])
            quantile = [int(np.searchsorted(cdf, q * self.draws)) for q in (0.05, 0.5, 0.95)]
            lists.append(
                ListOutlook(
                    party=name,
                    p_pass=float(self.passes[c] / self.draws),
                    seats_mean=float(self.histogram[c] @ levels / self.draws),
                    seats_p05=quantile[0],
                    seats_p50=quantile[1],
                    seats_p95=quantile[2],
                    p_majority=float(self.majority[c] / self.draws),
                )
            )
        return Outlook(
            lists=tuple(lists),
            p_any_majority=self.any_majority / self.draws,
            p_no_list_passes=self.none_passed / self.draws,
        )


def _merge(
    shares: FloatArray, poll: PooledPoll, alliance: Alliance
) -> tuple[FloatArray, npt.NDArray[np.bool_], int]:
    """Shares with the alliance as one list in its first member's column."""
    merged = shares.copy()
    eligible = poll.seat_eligible.copy()
    columns = [poll.parties.index(party) for party, _ in alliance.members]
    joint = np.zeros(shares.shape[0])
    for (_, retention), c in zip(alliance.members, columns, strict=True):
        joint += retention * shares[:, c]
        merged[:, poll.others] += (1.0 - retention) * shares[:, c]
        merged[:, c] = 0.0
        eligible[c] = False
    merged[:, columns[0]] = joint
    eligible[columns[0]] = True
    return merged, eligible, columns[0]


def merge_poll(poll: PooledPoll, alliance: Alliance) -> PooledPoll:
    """The poll with the alliance as one list named ``alliance.name`` (for share_needed).

    Its share is the retained sum; its effective sample size the share-weighted mean of its
    partners'; voters not retained go to "others".
    """
    check_alliance(poll, alliance)
    columns = [poll.parties.index(party) for party, _ in alliance.members]
    retained = np.array([r for _, r in alliance.members]) * poll.shares[columns]
    shares, n_eff = poll.shares.copy(), poll.n_eff.copy()
    shares[poll.others] += float(poll.shares[columns].sum() - retained.sum())
    weights = retained if retained.sum() > 0 else np.ones(len(columns))
    n_eff[columns[0]] = float(np.average(poll.n_eff[columns], weights=weights))
    shares[columns[0]] = float(retained.sum())
    keep = [i for i in range(len(poll.parties)) if i not in columns[1:]]
    parties = tuple(alliance.name if i == columns[0] else poll.parties[i] for i in keep)
    against = None if poll.against_all is None else keep.index(poll.against_all)
    return replace(
        poll,
        parties=parties,
        shares=shares[keep],
        n_eff=n_eff[keep],
        against_all=against,
        others=keep.index(poll.others),
    )


def check_alliance(poll: PooledPoll, alliance: Alliance) -> None:
    names = [party for party, _ in alliance.members]
    for party, retention in alliance.members:
        if party not in poll.parties or not poll.seat_eligible[poll.parties.index(party)]:
            raise PollError(f"Alliance {alliance.name}: {party!r} is not a party in the polls.")
        if not 0 <= retention <= 1:
            raise PollError(f"Alliance {alliance.name}: a retention rate lies between 0 and 1.")
    if len(set(names)) != len(names) or len(names) < 2:
        raise PollError(f"Alliance {alliance.name}: name two or more different parties.")


def project(
    poll: PooledPoll,
    rules: SeatRules,
    *,
    draws: int = 100_000,
    seed: int | None = None,
    model: ShareModel = ShareModel.DIRICHLET,
    alliances: Sequence[Alliance] = (),
) -> Projection:
    """Project seats for every list, alone and in each alliance scenario."""
    if draws <= 0:
        raise PollError("The number of draws must be positive.")
    for alliance in alliances:
        check_alliance(poll, alliance)
    rng = np.random.default_rng(seed)
    draw_rules = _draw_rules(rules)
    eligible = poll.seat_eligible
    m = len(poll.parties)
    base = _Tally(m, rules.seats)
    tallies = [_Tally(m, rules.seats) for _ in alliances]
    done = 0
    while done < draws:
        n = min(CHUNK, draws - done)
        shares = draw_shares(poll, n, model, rng)
        base.add(*allocate_draws(shares, eligible, poll.against_all, draw_rules))
        for alliance, tally in zip(alliances, tallies, strict=True):
            merged, merged_eligible, _ = _merge(shares, poll, alliance)
            tally.add(*allocate_draws(merged, merged_eligible, poll.against_all, draw_rules))
        done += n
    listed = [i for i in range(m) if eligible[i]]
    baseline = base.outlook([poll.parties[i] for i in listed], listed)
    scenarios = []
    for alliance, tally in zip(alliances, tallies, strict=True):
        partners = {poll.parties.index(party) for party, _ in alliance.members[1:]}
        columns = [i for i in listed if i not in partners]
        names = [
            alliance.name if poll.parties[i] == alliance.members[0][0] else poll.parties[i]
            for i in columns
        ]
        scenarios.append((alliance, tally.outlook(names, columns)))
    return Projection(draws, seed, model, baseline, tuple(scenarios))


def pass_probability(
    poll: PooledPoll,
    rules: SeatRules,
    party: str,
    *,
    draws: int,
    seed: int | None,
    model: ShareModel,
) -> float:
    """P(``party`` passes or is admitted) under ``rules``: a light projection without seats."""
    rng = np.random.default_rng(seed)
    shares = draw_shares(poll, draws, model, rng)
    passed = admitted_lists(shares, poll.seat_eligible, poll.against_all, _draw_rules(rules))
    return float(passed[:, poll.parties.index(party)].mean())


def share_needed(
    poll: PooledPoll,
    rules: SeatRules,
    party: str,
    *,
    target: float = 0.9,
    draws: int = 20_000,
    seed: int | None = 0,
    model: ShareModel = ShareModel.DIRICHLET,
    tolerance: float = 5e-4,
) -> float:
    """The poll share ``party`` needs for P(pass) >= ``target`` (bisection over its share).

    The party keeps its poll's effective sample size; the other parties are scaled to make room.
    Every step uses the same seed, so the search sees one fixed set of random numbers.
    """
    if not 0 < target < 1:
        raise PollError("The target probability lies strictly between 0 and 1.")
    low, high = 0.0, 0.999
    while high - low > tolerance:
        mid = (low + high) / 2
        p = pass_probability(
            poll.with_share(party, mid), rules, party, draws=draws, seed=seed, model=model
        )
        if p >= target:
            high = mid
        else:
            low = mid
    return high
