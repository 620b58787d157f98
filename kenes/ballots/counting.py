"""Counting: the counted ballots as a kenes.core.tally profile, and motion results.

A motion states its quorum (minimum turnout, % of the electorate), the required majority
(more than half, or at least two thirds) and the base that counts as 100% (yes + no,
all votes cast, or the whole electorate) on its result.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any

from kenes.ballots.models import MOTION_OPTIONS, Ballot, Election, Majority
from kenes.ballots.services import options
from kenes.core.tally import Profile, build_profile, count, decimal_string, result_json


def profile(election: Election) -> Profile:
    """Every counted ballot (online and paper), merged into a tally profile."""
    tally = Counter(
        tuple(tuple(group) for group in ranking)
        for ranking in Ballot.objects.filter(election=election).values_list("ranking", flat=True)
    )
    return build_profile(
        options(election),
        ((n, [list(g) for g in ranking]) for ranking, n in sorted(tally.items())),
        title=election.title,
        seats=election.seats,
    )


def motion_result(
    votes: dict[str, int], *, electorate: int, quorum_percent: int, majority: str, base: str
) -> dict[str, Any]:
    """Is the motion carried? Pure arithmetic over the counts of yes, no and abstain."""
    cast = sum(votes.values())
    hundred = {
        "yes_no": votes["yes"] + votes["no"],
        "cast": cast,
        "electorate": electorate,
    }[base]
    share_needed = Fraction(2, 3) if majority == Majority.TWO_THIRDS else Fraction(1, 2)
    quorum = Fraction(quorum_percent * electorate, 100)
    quorum_met = cast >= quorum
    yes_share = Fraction(votes["yes"], hundred) if hundred else Fraction(0)
    if majority == Majority.TWO_THIRDS:
        majority_met = hundred > 0 and yes_share >= share_needed
    else:
        majority_met = hundred > 0 and yes_share > share_needed
    return {
        "kind": "motion",
        "votes": votes,
        "cast": cast,
        "electorate": electorate,
        "turnout": decimal_string(Fraction(cast, electorate) if electorate else Fraction(0)),
        "quorum_percent": quorum_percent,
        "quorum_votes": decimal_string(quorum),
        "quorum_met": quorum_met,
        "majority": majority,
        "base": base,
        "base_votes": hundred,
        "yes_share": decimal_string(yes_share, 6),
        "carried": bool(quorum_met and majority_met),
    }


def tally(election: Election) -> dict[str, Any]:
    """The result of the counted ballots, in the stable JSON shape (docs/tally.md)."""
    counted = profile(election)
    if election.is_motion:
        totals = dict.fromkeys(MOTION_OPTIONS, 0)
        for n, positions in counted.ballots():
            totals[MOTION_OPTIONS[positions[0][0]]] += n
        return motion_result(
            totals,
            electorate=election.electorate_size,
            quorum_percent=election.quorum_percent,
            majority=election.majority,
            base=election.base,
        )
    result = count(
        counted,
        election.method,
        seats=election.seats,
        seed=election.seed,
        stv_rules=election.stv_rules,
    )
    return {"kind": "election", **result_json(result)}
