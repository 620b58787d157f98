"""Counting: the counted ballots as a kenes.core.tally profile, and motion results.

A motion states its quorum (minimum turnout, % of the electorate), the required majority
(more than half, or at least two thirds) and the base that counts as 100% (yes + no,
all votes cast, or the whole electorate) on its result.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kenes.ballots.models import Ballot, Election
from kenes.ballots.services import options
from kenes.core.tally import Profile, build_profile, count, result_json
from kenes.core.tally.motion import motion_result, motion_votes


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


def tally(election: Election) -> dict[str, Any]:
    """The result of the counted ballots, in the stable JSON shape (docs/tally.md)."""
    counted = profile(election)
    if election.is_motion:
        return motion_result(
            motion_votes(counted),
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
