"""Scottish STV: The Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1,
rules 45-52. SSI 2011/399 re-made the rules one number later (there exclusion is rule 51 and
the last vacancies rule 53); we found no change to the tie wording quoted below, and SSI
2021/437 art. 2(4) changed only rule 53(2) (no transfer *required* once the last vacancies
are filled).

* Quota (rule 46): ``floor(valid votes / (seats + 1)) + 1`` — the Droop quota.
* A candidate whose votes reach the quota is elected (rule 47); surpluses are transferred
  largest first (rule 49(1)).
* Ties look *back from the current stage*: equal surpluses — "the transferable papers of the
  candidate who had the highest number of votes at the end of the most recent preceding stage
  at which they had unequal numbers of votes shall be transferred first" (rule 49(2); by lot
  if they were equal at all stages, 49(3)); equal lowest candidates — "regard shall be had to
  the total number of votes credited to those candidates at the end of the most recently
  preceding stage of the count at which they had an unequal number of votes", the lowest
  there is excluded (rule 51(2)(a); by lot if equal at all stages, 51(2)(b)). With three or
  more tied, the stage looked at is the latest at which they were not all equal; those
  still equal there (highest, or lowest) are compared at the stages before it, and so on.
  (Earlier versions of this module looked at the *earliest* stage; the Order says the most
  recent one.)
* Surplus (rule 48, the weighted inclusive Gregory method): *all* of the candidate's papers
  are sorted by next available preference; each paper's new value = surplus × its value when
  received / total value of the candidate's papers, **truncated to five decimal places**
  (for first preferences: surplus / number of papers). Non-transferable papers keep their share
  as "non-transferable votes"; what truncation loses is "non-transferable votes due to
  rounding". A candidate exactly on the quota has no surplus and no transfer stage.
  Glasgow's 2022 official stage reports reproduce with these rules to the last digit; they do
  *not* reproduce with a last-parcel rule (only the sub-parcel last received), which is
  available as ``last_parcel=True`` for counts under the ERS / Northern Ireland rules.
* Exclusion (rule 50): with no surplus left, the candidate with fewest votes is excluded
  (ties: rule 51, above) and all of that candidate's papers pass, at the value at which they
  were received, in one stage.
* When the continuing candidates are no more than the vacancies left, they are all elected
  (rule 52); the count stops when every seat is filled. Fewer candidates than seats: all
  are elected without a count (:func:`~kenes.core.tally.methods.common.all_standing_elected`).

Every figure is kept as an integer number of 1e-5 votes, so the stage table is exact.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from kenes.core.tally.methods.common import (
    EXHAUSTED,
    all_standing_elected,
    check_seats,
    new_seed,
)
from kenes.core.tally.methods.stv_common import PaperGroups
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import LotDrawer, Result, Round, decimal_string

UNIT = 100_000  # 1 vote = 100000 units of 1e-5


def scottish_stv(
    profile: Profile,
    seats: int | None = None,
    seed: int | None = None,
    *,
    last_parcel: bool = False,
) -> Result:
    """Count an STV election under the Scottish rules (see the module docstring).

    ``last_parcel=True`` examines only the papers received at the stage that brought the
    candidate over the quota (the ERS / Northern Ireland rule); the Scottish count, and
    Glasgow's official 2022 stage reports, use all of the candidate's papers.
    """
    seats = seats or profile.seats or 1
    standing = check_seats(profile, seats)
    options = {"stv_rules": "scottish", "last_parcel": str(last_parcel).lower()}
    undersubscribed = all_standing_elected(profile, "stv", seats, standing, seed, options=options)
    if undersubscribed is not None:
        return undersubscribed
    seed = new_seed(seed)
    lots = LotDrawer(seed)
    names = profile.candidates
    n = profile.n_candidates
    continuing = np.zeros(n, dtype=bool)
    continuing[standing] = True
    groups = PaperGroups.first_preferences(profile, continuing, UNIT)
    valid = int(profile.counts.sum())
    quota = (valid // (seats + 1) + 1) * UNIT
    total = groups.totals(n)
    history: list[list[int]] = []
    elected: list[int] = []
    last_stage: dict[int, int] = {}
    pending: list[int] = []
    lost_papers = int((groups.papers * groups.value)[groups.holder == EXHAUSTED].sum())
    lost_rounding = 0
    rounds: list[Round] = []

    def most_recent_difference(tied: list[int], purpose: str, want_high: bool) -> int:
        """Rules 49(2)-(3) and 51(2): the most recent preceding stage at which the tied
        candidates had unequal votes decides (highest for a surplus, lowest to exclude)."""
        for stage_totals in reversed(history):
            values = [stage_totals[c] for c in tied]
            pick = max(values) if want_high else min(values)
            if values.count(pick) < len(values):
                tied = [c for c in tied if stage_totals[c] == pick]
                if len(tied) == 1:
                    return tied[0]
        return lots.draw(tied, purpose)

    def record(action: str, why: list[str], rounding: int, new: list[int], out: list[int]) -> None:
        stage = len(rounds) + 1
        history.append([int(v) for v in total])
        round_ = Round(
            number=stage,
            votes={c: Fraction(int(total[c]), UNIT) for c in standing},
            elected=new,
            excluded=out,
            exhausted=Fraction(lost_papers + lost_rounding, UNIT),
            action=action,
            why=why,
        )
        if rounds:
            before = rounds[-1].votes
            round_.transfers = {c: v - before[c] for c, v in round_.votes.items()}
        round_.extra["non_transferable"] = Fraction(lost_papers + lost_rounding - rounding, UNIT)
        round_.extra["non_transferable_rounding"] = Fraction(rounding, UNIT)
        round_.extra["quota"] = Fraction(quota, UNIT)
        rounds.append(round_)

    def elect_new(stage: int) -> tuple[list[int], list[str]]:
        reached = [c for c in standing if continuing[c] and total[c] >= quota]
        reached.sort(key=lambda c: -total[c])
        new: list[int] = []
        why: list[str] = []
        for c in reached:
            if len(elected) >= seats:
                break
            continuing[c] = False
            elected.append(c)
            new.append(c)
            if total[c] > quota:  # a candidate exactly on the quota has no surplus to transfer
                pending.append(c)
            last_stage.setdefault(c, stage)
            why.append(f"{names[c]} reached the quota of {decimal_string(Fraction(quota, UNIT))}")
        if len(elected) < seats and 0 < continuing.sum() <= seats - len(elected):
            rest = sorted(np.flatnonzero(continuing).tolist(), key=lambda c: -total[c])
            for c in rest:
                continuing[c] = False
                elected.append(c)
                new.append(c)
                why.append(f"{names[c]} elected: continuing candidates no more than vacancies")
        return new, why

    new, why = elect_new(1)
    record("first preferences", why, 0, new, [])
    while len(elected) < seats:
        stage = len(rounds) + 1
        rounding = 0
        if pending:
            top = max(total[c] for c in pending)
            tied = [c for c in pending if total[c] == top]
            x = (
                tied[0]
                if len(tied) == 1
                else most_recent_difference(tied, "order of surpluses", True)
            )
            pending.remove(x)
            surplus = int(total[x]) - quota
            rows = np.flatnonzero(
                (groups.holder == x) & ((groups.stage == last_stage[x]) | (not last_parcel))
            )
            parcel_value = int((groups.papers[rows] * groups.value[rows]).sum())
            # rule 48(3): value = surplus x value-when-received / value of the papers, truncated
            new_value = (surplus * groups.value[rows]) // parcel_value
            dest = groups.next_holders(profile, rows, continuing)
            moved = groups.papers[rows] * new_value
            groups.holder[rows] = dest
            groups.value[rows] = new_value
            groups.stage[rows] = stage
            gone = dest == EXHAUSTED
            lost_papers += int(moved[gone].sum())
            rounding = surplus - int(moved.sum())
            lost_rounding += rounding
            total[x] = quota
            np.add.at(total, dest[~gone], moved[~gone])
            for c in set(dest[~gone].tolist()):
                last_stage[c] = stage
            action = f"surplus of {names[x]}"
            why = [
                f"transfer of the surplus of {names[x]} ({decimal_string(Fraction(surplus, UNIT))})"
            ]
            out: list[int] = []
        else:
            active = [c for c in standing if continuing[c]]
            low = min(total[c] for c in active)
            tied = [c for c in active if total[c] == low]
            x = tied[0] if len(tied) == 1 else most_recent_difference(tied, "exclusion", False)
            continuing[x] = False
            rows = np.flatnonzero(groups.holder == x)
            dest = groups.next_holders(profile, rows, continuing)
            moved = groups.papers[rows] * groups.value[rows]
            groups.holder[rows] = dest
            groups.stage[rows] = stage
            gone = dest == EXHAUSTED
            lost_papers += int(moved[gone].sum())
            total[x] = 0
            np.add.at(total, dest[~gone], moved[~gone])
            for c in set(dest[~gone].tolist()):
                last_stage[c] = stage
            action = f"exclusion of {names[x]}"
            why = [f"{names[x]} has the fewest votes ({decimal_string(Fraction(low, UNIT))})"]
            out = [x]
        new, why_new = elect_new(stage)
        record(action, why + why_new, rounding, new, out)
    return Result(
        "stv",
        names,
        seats,
        elected,
        rounds,
        seed,
        lots.lots,
        quota=Fraction(quota, UNIT),
        options=options,
        notes=list(profile.notes),
    )
