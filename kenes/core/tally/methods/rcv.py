"""The general ranked-choice count: IRV and multi-seat RCV under every option of
:class:`kenes.core.tally.rules.Rules`, with the semantics of RCTab (the Universal RCV
Tabulator, BrightSpots/rcv), whose ``Tabulator.java`` / ``Tiebreak.java`` /
``config_file_documentation.txt`` this follows (read for this module; none of its code is used):

* **Rounds.** Each round every active ballot counts, at its current value, for its current
  candidate if that one is still continuing, otherwise for the one the ballot walk finds
  (:func:`kenes.core.tally.methods.ballot_walk.choices`: overvote, duplicate, skipped-rank and
  maximum-rankings rules). A ballot that becomes inactive stays inactive for good, with its
  reason (``Round.extra`` ``inactive_exhausted`` / ``inactive_overvote`` / ``inactive_skipped`` /
  ``inactive_repeated``, cumulative). Ballots with no mark at all are not inactive: round 1
  reports them as ``blank_ballots`` (RCTab's undervotes).
* **Threshold** (Tabulator.setWinningThreshold). ``V`` = votes of the candidates in the
  round's tally; Droop: ``floor(V / (seats + 1)) + 1``, or with ``non_integer_threshold``
  ``floor_d(V / (seats + 1)) + 10**-d``; Hare: ``ceil(V / seats)`` (``ceil_d`` with
  ``non_integer_threshold``). Never below ``minimum_votes``. Multi-seat counts fix it in round 1;
  one seat recomputes it every round unless ``first_round_threshold``. ``bottoms_up_percent``:
  ``V x bottoms_up_percent``, every round.
* **Who wins** (Tabulator.identifyWinners). No one while an ``exclude_first`` placeholder
  holds votes (those are excluded together in round 1 and never elected; a placeholder no
  ballot marks does not hold up a round-1 majority, stays in the count at 0 and goes out as
  the lowest, as in RCTab).
  When the continuing candidates are no more than the seats left, all win. Otherwise every
  candidate at or above the threshold (``one_per_round`` / ``first_round_threshold``: only the
  highest, ties by the tie-break). With ``first_round_threshold`` and one more candidate than
  seats, the highest wins. One seat, two candidates left and neither over the threshold (a
  tie): the tie-break picks the winner. ``bottoms_up``: no threshold, only the "seats left"
  rule. ``bottoms_up_percent``: all win once every continuing candidate holds at least the
  percentage (RCTab's code compares "more than"; its documentation and the 15% viability rule
  say "meet or exceed", which is followed here).
* **Surplus** (multi-seat, not bottoms-up): fraction ``(votes - threshold) / votes`` truncated
  to ``decimal_places``; each of the winner's ballots passes on ``value x fraction``
  (truncated) and leaves the rest. The winner's tally in the next round is what stayed, set
  to the threshold; the truncation excess is *residual surplus* (cumulative in
  ``Round.extra["residual_surplus"]``; per winner: votes - threshold - sum of its flows).
  Once every seat is filled, one more round shows the last surpluses as *final round surplus*
  (not transferred).
* **Who is excluded** (Tabulator.tabulate, in this order): placeholders holding votes; every
  candidate under ``minimum_votes``; with ``batch``, the largest group of lowest candidates
  whose votes together are fewer than the next candidate's (more than one, and leaving at
  least the seats left — and two with ``continue_until_two`` — continuing; RCTab refuses batch
  elimination in multi-seat counts, Minneapolis Code 167.70 allows it); otherwise the lowest,
  ties by the tie-break.
* **Tie-breaks** (Tiebreak.java): ``random`` — a lot from the recorded seed
  (:class:`LotDrawer`); ``previous_round_then_random`` — the tied candidate lowest (for
  exclusion) / highest (for election) in the previous round, then the round before, ...,
  then lot; ``candidate_order`` — the latest in the file's candidate order is excluded, the
  earliest elected; ``permutation`` — the same with an order drawn once from the seed
  (recorded in ``Result.options["tiebreak_permutation"]``).
* **When it stops** (Tabulator.shouldContinueTabulating): after ``stop_after_round``; with
  ``continue_until_two`` (one seat) when two candidates are left, the winner among them, and
  their last round shown; ``bottoms_up_percent`` once winners are declared; otherwise when
  every seat is filled (multi-seat: plus the final-round-surplus round).
* **sequential** (RCTab multi-pass IRV, TabulatorSession): one single-seat count per seat,
  each from scratch with the previous winners excluded; the rounds of all passes follow one
  another, each with ``Round.extra["pass"]``; every pass draws its lots from the seed afresh.
* **Flows.** ``Round.flows[source][destination]``: the votes of each candidate excluded or
  elected with a surplus in this round that move in the next round, to each candidate, or to
  -1 (became inactive, or final round surplus).

All arithmetic is on integers in units of ``10**-decimal_places`` vote.
"""

from __future__ import annotations

import json
import random
from dataclasses import fields, replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import TallyError
from kenes.core.tally.methods import ballot_walk
from kenes.core.tally.methods.ballot_walk import (
    EXHAUSTED,
    OVERVOTED,
    REPEATED_OUT,
    SKIPPED_OUT,
)
from kenes.core.tally.methods.common import all_standing_elected, new_seed
from kenes.core.tally.profile import SKIPPED, Profile
from kenes.core.tally.result import LotDrawer, Result, Round
from kenes.core.tally.rules import Rules

IntArray = npt.NDArray[np.int64]

INACTIVE_KEYS = {
    EXHAUSTED: "inactive_exhausted",
    OVERVOTED: "inactive_overvote",
    SKIPPED_OUT: "inactive_skipped",
    REPEATED_OUT: "inactive_repeated",
}
_NEW = -100  # not yet walked
_BLANK = -99  # no mark at all: never counted, never inactive
_FINAL = -98  # final round surplus


def rules_options(rules: Rules) -> dict[str, str]:
    """Every rule that differs from ``Rules()``, as strings (``Result.options``).

    Keys are the field names of :class:`Rules`; tuples are joined with ``|``, None is
    ``none``, booleans ``true``/``false``, fractions as ``p/q``.
    """
    default = Rules()
    out: dict[str, str] = {}
    for f in fields(Rules):
        if f.name in ("extra", "seed"):
            continue
        value = getattr(rules, f.name)
        if value == getattr(default, f.name):
            continue
        out[f.name] = _text(value)
    return out


def _text(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "|".join(str(v) for v in value)
    return str(value)


def rcv(profile: Profile, rules: Rules | None = None, *, method: str | None = None) -> Result:
    """Count ``profile`` under ``rules`` (see the module docstring)."""
    rules = rules or Rules()
    rules.check()
    names = profile.candidates
    for what, listed in (("--exclude-first", rules.exclude_first), ("--exclude", rules.excluded)):
        unknown = [name for name in listed if name not in names]
        if unknown:
            raise TallyError(f"{what} names no candidate in the file: {', '.join(unknown)}")
    if method is None:
        method = "irv" if rules.seats == 1 and rules.winner_mode == "single" else "stv"
    options = rules_options(rules)
    seed = new_seed(rules.seed)
    if rules.winner_mode == "sequential":
        return _sequential(profile, rules, seed, method, options)
    tab = _Tabulation(profile, rules, seed, options)
    return tab.run(method)


def _standing(profile: Profile, rules: Rules) -> list[int]:
    names = profile.candidates
    out = [
        c
        for c in range(profile.n_candidates)
        if c not in profile.withdrawn and names[c] not in rules.excluded
    ]
    if not out:
        raise TallyError(
            "no candidate stands: every candidate in the file is withdrawn or excluded"
        )
    return out


def _walk_rules(profile: Profile, rules: Rules) -> Rules:
    """The rules for the ballot walk, without the options that cannot apply to this file."""
    positions = profile.marks.shape[1] if profile.marks is not None else profile.n_candidates
    if rules.max_rankings is not None and rules.max_rankings >= positions:
        rules = replace(rules, max_rankings=None)
    if rules.max_skipped is not None and rules.max_skipped >= positions:
        rules = replace(rules, max_skipped=None)
    return rules


def _sequential(
    profile: Profile, rules: Rules, seed: int, method: str, options: dict[str, str]
) -> Result:
    names = profile.candidates
    standing = _standing(profile, rules)
    placeholders = [names.index(n) for n in rules.exclude_first]
    under = all_standing_elected(
        profile, method, rules.seats, standing, seed, options=options, placeholders=placeholders
    )
    if under is not None:
        return under
    winners: list[int] = []
    rounds: list[Round] = []
    lots = []
    for k in range(rules.seats):
        one = replace(
            rules,
            winner_mode="single",
            seats=1,
            seed=seed,
            excluded=(*rules.excluded, *(names[w] for w in winners)),
        )
        result = _Tabulation(profile, one, seed, options).run(method)
        for r in result.rounds:
            r.number = len(rounds) + 1
            r.extra["pass"] = Fraction(k + 1)
            rounds.append(r)
        lots += result.lots
        if not result.winners:
            break
        winners += result.winners
    return Result(
        method,
        names,
        rules.seats,
        winners,
        rounds,
        seed,
        lots,
        options=options,
        notes=list(profile.notes),
    )


_INT64 = 2**63 - 1


def _check_exact(profile: Profile, decimal_places: int) -> None:
    """Refuse decimal places that 64-bit whole units cannot carry exactly for this file.

    Values are int64 counts of ``10**-d`` vote: a ballot's share of a surplus is its value
    (up to 10**d) times a fraction (up to 10**d), and a round's tally is up to every voter
    times 10**d. Beyond that numpy would wrap around silently, so the count is refused.
    """
    unit = 10**decimal_places
    if unit * unit > _INT64 or profile.n_voters * unit > _INT64:
        most = 0
        while 10 ** (2 * (most + 1)) <= _INT64 and profile.n_voters * 10 ** (most + 1) <= _INT64:
            most += 1
        raise TallyError(
            f"{decimal_places} decimal places cannot be counted exactly here "
            f"({profile.n_voters} ballots): use at most {most}"
        )


class _Tabulation:
    """One count (one pass); see the module docstring for the rules it applies."""

    def __init__(self, profile: Profile, rules: Rules, seed: int, options: dict[str, str]):
        self.profile = profile
        self.rules = rules
        self.walk_rules = _walk_rules(profile, rules)
        self.seed = seed
        self.options = dict(options)
        self.lots = LotDrawer(seed)
        self.unit = 10**rules.decimal_places
        _check_exact(profile, rules.decimal_places)
        self.names = profile.candidates
        self.standing = _standing(profile, rules)
        self.placeholders = [self.names.index(n) for n in rules.exclude_first]
        self.percent = rules.winner_mode == "bottoms_up_percent"
        self.bottoms_up = rules.winner_mode == "bottoms_up"
        self.seats = rules.seats
        self.multi = self.seats > 1 and not self.percent
        self.until_two = rules.continue_until_two and self.seats == 1 and not self.percent
        n = profile.n_candidates
        self.continuing = np.zeros(n, dtype=bool)
        self.continuing[self.standing] = True
        self.counts = profile.counts.astype(np.int64)
        blank = (profile.ranks == 0).all(axis=1)
        if profile.marks is not None:
            blank &= (profile.marks == SKIPPED).all(axis=1)
        self.blank = blank
        self.state = np.where(blank, _BLANK, _NEW).astype(np.int64)
        self.value = np.full(len(self.counts), self.unit, dtype=np.int64)
        self.winners: list[int] = []
        self.n_excluded = 0
        self.kept: dict[int, int] = {}
        self.threshold: Fraction = Fraction(0)
        self.final_surplus = 0
        self.residual = 0
        self.rounds: list[Round] = []
        self.tallies: list[dict[int, int]] = []  # each round's tally (units), for tie-breaks
        self.previous: dict[int, int] = {}
        self.permutation: list[int] = []
        if rules.tiebreak == "permutation":
            rng = random.Random(seed)
            self.permutation = sorted(range(n), key=lambda c: self.names[c])
            rng.shuffle(self.permutation)
            self.options["tiebreak_permutation"] = json.dumps(
                [self.names[c] for c in self.permutation], ensure_ascii=False
            )
        elif rules.tiebreak == "candidate_order":
            self.permutation = list(range(n))

    # -- the loop ---------------------------------------------------------------------------

    def run(self, method: str) -> Result:
        if not self.percent:
            under = all_standing_elected(
                self.profile,
                method,
                self.seats,
                self.standing,
                self.seed,
                options=self.options,
                placeholders=self.placeholders,
            )
            if under is not None:
                return under
        while self._keep_going():
            self._round()
        if self.rules.stop_after_round is not None and self.rounds:
            last = self.rounds[-1]
            if len(self.winners) < self.seats and last.number >= self.rules.stop_after_round:
                last.why.append(f"the count stops after round {self.rules.stop_after_round}")
        vacant = 0 if self.percent else self.seats - len(self.winners)
        if self.rounds and vacant > 0 and not self.continuing.any():
            self.rounds[-1].why.append(f"no candidate left: {vacant} seat(s) stay vacant")
        seats = len(self.winners) if self.percent else self.seats
        return Result(
            method,
            self.names,
            seats,
            list(self.winners),
            self.rounds,
            self.seed,
            self.lots.lots,
            quota=self.threshold / self.unit,
            options=self.options,
            notes=list(self.profile.notes),
        )

    def _keep_going(self) -> bool:
        number = len(self.rounds)
        last = self.rounds[-1] if self.rounds else None
        if self.rules.stop_after_round is not None and number >= self.rules.stop_after_round:
            return False
        if not self.continuing.any() and not (self.multi and last is not None and last.elected):
            return False
        if last is not None and not last.elected and not last.excluded and not last.action:
            return False
        if self.until_two:
            left = int(self.continuing.sum())
            return last is None or left > 2 or bool(last.excluded)
        if self.percent:
            return not self.winners
        if len(self.winners) < self.seats:
            return True
        return self.multi and not self.bottoms_up and last is not None and bool(last.elected)

    def _round(self) -> None:
        number = len(self.rounds) + 1
        unit = self.unit
        state, counts, value = self.state, self.counts, self.value
        held = state >= 0
        moving = (state == _NEW) | (held & ~self.continuing[np.maximum(state, 0)])
        source = np.where(held, state, -1)
        flows: dict[int, dict[int, int]] = {}
        rows = np.flatnonzero(moving)
        if len(self.winners) >= self.seats and self.multi:
            new = np.full(len(rows), _FINAL, dtype=np.int64)
            self.final_surplus += int((counts[rows] * value[rows]).sum())
        else:
            # only the ballots that move are read again (the walk's ``rows``)
            new = ballot_walk.choices(
                self.profile, self.continuing.copy(), self.walk_rules, rows=rows
            ).astype(np.int64)
        src = source[rows]
        moved = counts[rows] * value[rows]
        dst = np.where(new >= 0, new, -1)
        some = (src >= 0) & (moved > 0)
        if some.any():
            width = self.profile.n_candidates + 1
            keys, where = np.unique(src[some] * width + dst[some] + 1, return_inverse=True)
            sums = np.zeros(len(keys), dtype=np.int64)
            np.add.at(sums, where.ravel(), moved[some])
            for key, amount in zip(keys.tolist(), sums.tolist(), strict=True):
                into = flows.setdefault(key // width, {})
                into[key % width - 1] = amount
        state[rows] = new
        if self.rounds and flows:
            self.rounds[-1].flows = {
                src: {dst: Fraction(v, unit) for dst, v in into.items()}
                for src, into in flows.items()
            }
        active = state >= 0
        tally = np.zeros(self.profile.n_candidates, dtype=np.int64)
        np.add.at(tally, state[active], counts[active] * value[active])
        votes = {c: int(tally[c]) for c in self.standing if self.continuing[c]}
        total = sum(votes.values())
        if self._recompute_threshold(number):
            self.threshold = self._threshold(total)
        round_ = Round(number=number, votes={})
        # earlier winners of a multi-seat count keep what stayed with them (RCTab
        # updateWinnerTallies), less the residual surplus
        shown = dict(votes)
        if self.multi:
            for c in self.winners:
                if c in self.kept:
                    share = self.kept.pop(c)
                    limit = int(self.threshold)
                    if share > limit:
                        self.residual += share - limit
                        round_.why.append(
                            f"{self.names[c]}: residual surplus {Fraction(share - limit, unit)}"
                        )
                    shown[c] = min(share, limit)
                else:
                    shown[c] = self.previous[c]
        round_.votes = {c: Fraction(v, unit) for c, v in shown.items()}
        lost = 0
        for code, key in INACTIVE_KEYS.items():
            mine = state == code
            amount = int((counts[mine] * value[mine]).sum())
            lost += amount
            round_.extra[key] = Fraction(amount, unit)
        round_.exhausted = Fraction(lost, unit)
        round_.extra["threshold"] = self.threshold / unit
        if self.multi:
            round_.extra["residual_surplus"] = Fraction(self.residual, unit)
        if self.final_surplus:
            round_.extra["final_round_surplus"] = Fraction(self.final_surplus, unit)
        if number == 1:
            round_.extra["blank_ballots"] = Fraction(int(counts[self.blank].sum()))
        if self.previous:
            round_.transfers = {
                c: Fraction(v - self.previous.get(c, 0), unit) for c, v in shown.items()
            }
        self.rounds.append(round_)
        self.tallies.append(votes)
        self.previous = shown
        self._decide(round_, votes)

    # -- decisions --------------------------------------------------------------------------

    def _recompute_threshold(self, number: int) -> bool:
        if self.multi:
            return number == 1
        return number == 1 or not self.rules.first_round_threshold

    def _threshold(self, total: int) -> Fraction:
        """The threshold in units (Tabulator.setWinningThreshold)."""
        rules = self.rules
        if self.percent:
            assert rules.bottoms_up_percent is not None
            threshold = Fraction(total) * rules.bottoms_up_percent
        else:
            divisor = self.seats if rules.quota == "hare" else self.seats + 1
            step = 1 if rules.non_integer_threshold else self.unit
            if rules.quota == "hare":
                threshold = Fraction(-(-total // (divisor * step)) * step)
            else:
                threshold = Fraction((total // (divisor * step)) * step + step)
        minimum = rules.minimum_votes * self.unit
        if minimum > 0 and minimum > threshold:
            threshold = Fraction(minimum)
        return threshold

    def _decide(self, round_: Round, votes: dict[int, int]) -> None:
        # placeholders block winners, and are excluded as such, only while they hold votes
        # (RCTab Tabulator.identifyWinners / dropUndeclaredWriteIns: tally signum); one that
        # nobody marked stays in the count at 0 until it is the lowest. Never elected.
        blocking = [c for c in self.placeholders if self.continuing[c] and votes.get(c, 0) > 0]
        won = [] if blocking else self._winners(round_, votes)
        won = [c for c in won if c not in self.placeholders]
        if won:
            round_.elected = won
            round_.action = "election"
            for c in won:
                self.winners.append(c)
                if self.until_two:
                    continue  # stays in the count for presentation
                self.continuing[c] = False
                if self.multi and not self.bottoms_up:
                    self._surplus(c, votes[c])
            return
        more = (
            len(self.winners) < self.seats
            or (self.until_two and int(self.continuing.sum()) > 2)
            or self.percent
        )
        if not more:
            if self.multi and self.winners:
                round_.action = "final round surplus"
            return
        race = {c: v for c, v in votes.items() if self.continuing[c]}
        if not race:
            return  # no one left to exclude: the count stops
        if blocking:
            out = blocking
            round_.why.append("excluded first as undeclared write-ins")
        else:
            out = self._below_minimum(race, round_)
            if not out and self.rules.batch:
                out = self._batch(race, round_)
            if not out:
                out = [self._lowest(race, round_)]
        for c in out:
            self.continuing[c] = False
        self.n_excluded += len(out)
        round_.excluded = list(out)
        round_.action = "exclusion"

    def _winners(self, round_: Round, votes: dict[int, int]) -> list[int]:
        rules = self.rules
        names = self.names
        race = {c: v for c, v in votes.items() if self.continuing[c]}
        threshold = self.threshold
        if self.percent:
            if race and all(v >= threshold for v in race.values()):
                round_.why.append(
                    "every continuing candidate holds at least "
                    f"{rules.bottoms_up_percent} of the votes"
                )
                return sorted(race, key=lambda c: (-race[c], c))
            return []
        left = self.seats - len(self.winners)
        if left <= 0:
            return []
        selected: list[int] = []
        if race and len(race) <= left:
            round_.why.append("continuing candidates no more than the seats left: all elected")
            if len(race) < left:
                # only when exclusions under minimum_votes left too few (RCTab would abort)
                round_.why.append(f"{left - len(race)} seat(s) stay vacant")
            return sorted(race, key=lambda c: (-race[c], c))
        if rules.first_round_threshold and len(race) - 1 == self.seats:
            top = max(race.values())
            selected = [c for c in race if race[c] == top]
            if len(selected) == 1:
                round_.why.append(
                    f"{names[selected[0]]} has the most votes with one candidate more than seats"
                )
        elif not self.bottoms_up:
            selected = sorted((c for c in race if race[c] >= threshold), key=lambda c: -race[c])
            round_.why += [f"{names[c]} reached the threshold" for c in selected]
        multiple = len(selected) > 1 and (
            rules.winner_mode == "one_per_round" or rules.first_round_threshold
        )
        final_two = (
            self.seats == 1
            and not selected
            and len(race) == 2
            and left == 1
            and all(v >= rules.minimum_votes * self.unit for v in race.values())
        )
        if multiple or final_two:
            top = max(race.values())
            tied = [c for c in race if race[c] == top]
            if len(tied) > 1:
                drawn = self._tiebreak(tied, round_, winner=True)
                selected = [drawn]
            else:
                selected = tied
                if final_two:
                    round_.why.append(f"{names[tied[0]]} has more votes of the last two")
        return selected

    def _surplus(self, winner: int, votes: int) -> None:
        """Pass on the surplus fraction of each of the winner's ballots (truncated)."""
        unit = self.unit
        limit = int(self.threshold)
        fraction = (votes - limit) * unit // votes if votes > limit else 0
        rows = self.state == winner
        passed = self.value[rows] * fraction // unit
        self.kept[winner] = int((self.counts[rows] * (self.value[rows] - passed)).sum())
        self.value[rows] = passed

    def _below_minimum(self, race: dict[int, int], round_: Round) -> list[int]:
        minimum = self.rules.minimum_votes * self.unit
        if minimum <= 0:
            return []
        out = sorted((c for c in race if race[c] < minimum), key=lambda c: (race[c], c))
        if out and len(out) == len(race) and not self.winners:
            raise TallyError(
                "every continuing candidate has fewer votes than the minimum vote threshold "
                f"({self.rules.minimum_votes}): the count cannot go on"
            )
        if out:
            round_.why.append(
                f"fewer votes than the minimum vote threshold ({self.rules.minimum_votes})"
            )
        return out

    def _batch(self, race: dict[int, int], round_: Round) -> list[int]:
        """The largest group of lowest candidates that together trail the next one."""
        order = sorted(race, key=lambda c: race[c])
        keep = max(self.seats - len(self.winners), 2 if self.until_two else 1)
        total = 0
        group = 0
        for k in range(len(order) - 1):
            total += race[order[k]]
            if total < race[order[k + 1]] and len(order) - (k + 1) >= keep:
                group = k + 1
        if group > 1:
            round_.why.append(
                f"batch exclusion: the {group} lowest candidates together have fewer votes than "
                "the next candidate"
            )
            return order[:group]
        return []

    def _lowest(self, race: dict[int, int], round_: Round) -> int:
        low = min(race.values())
        tied = sorted(c for c in race if race[c] == low)
        if len(tied) == 1:
            round_.why.append(f"fewest votes ({Fraction(low, self.unit)})")
            return tied[0]
        return self._tiebreak(tied, round_, winner=False)

    def _tiebreak(self, tied: list[int], round_: Round, *, winner: bool) -> int:
        """One of ``tied`` (RCTab Tiebreak.selectCandidate)."""
        mode = self.rules.tiebreak
        what = "election" if winner else "exclusion"
        names = self.names
        among = sorted(tied)
        tied_text = ", ".join(names[c] for c in among)
        if mode in ("candidate_order", "permutation"):
            order = self.permutation if winner else self.permutation[::-1]
            drawn = next(c for c in order if c in among)
            source = "the file's candidate order" if mode == "candidate_order" else "permutation"
            round_.why.append(
                f"tie for {what} among {tied_text} decided by the {source}: {names[drawn]}"
            )
            return drawn
        if mode == "previous_round_then_random":
            contenders = among
            # the current round's tally is the last one; look further back
            for back in range(len(self.tallies) - 2, -1, -1):
                earlier = self.tallies[back]
                figures = {c: earlier.get(c, 0) for c in contenders}
                best = max(figures.values()) if winner else min(figures.values())
                contenders = [c for c in contenders if figures[c] == best]
                if len(contenders) == 1:
                    round_.why.append(
                        f"tie for {what} among {tied_text} decided by round {back + 1}: "
                        f"{names[contenders[0]]} had the {'most' if winner else 'fewest'} votes"
                    )
                    return contenders[0]
            among = contenders
        drawn = self.lots.draw(among, f"round {round_.number}: {what} among tied candidates")
        round_.why.append(
            f"tie for {what} among {', '.join(names[c] for c in among)} decided by lot: "
            f"{names[drawn]}"
        )
        return drawn
