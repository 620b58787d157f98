"""Motions: yes / no / abstain, with a quorum, a required majority and the base that counts
as 100% (the vocabulary of assemblies: OpenSlides' "100% base", Robert's Rules' quorum).

Pure arithmetic over the three counts, so the published outcome of a motion — carried or
not, quorum met or not — is reproduced from its ballot file by `kenes tally FILE --method
motion --electorate N --quorum-percent Q --majority simple|two_thirds --base yes_no|cast|
electorate`, exactly as the platform computed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from kenes.core.tally.errors import TallyError
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import decimal_string

OPTIONS = ("yes", "no", "abstain")
MAJORITIES = ("simple", "two_thirds")  # more than half; at least two thirds
BASES = ("yes_no", "cast", "electorate")


def motion_result(
    votes: Mapping[str, int], *, electorate: int, quorum_percent: int, majority: str, base: str
) -> dict[str, Any]:
    """Is the motion carried? Quorum: votes cast (abstentions included) at least
    `quorum_percent` % of the electorate. Majority: yes votes more than half (`simple`) or at
    least two thirds (`two_thirds`) of the base: yes + no, all votes cast, or the electorate.
    """
    if majority not in MAJORITIES or base not in BASES:
        raise TallyError(f"majority must be one of {MAJORITIES} and base one of {BASES}.")
    if not 0 <= quorum_percent <= 100 or electorate < 0:
        raise TallyError("The quorum is a percentage (0-100) and the electorate not negative.")
    counts = {option: int(votes.get(option, 0)) for option in OPTIONS}
    cast = sum(counts.values())
    hundred = {"yes_no": counts["yes"] + counts["no"], "cast": cast, "electorate": electorate}[base]
    quorum = Fraction(quorum_percent * electorate, 100)
    quorum_met = cast >= quorum
    yes_share = Fraction(counts["yes"], hundred) if hundred else Fraction(0)
    if majority == "two_thirds":
        majority_met = hundred > 0 and yes_share >= Fraction(2, 3)
    else:
        majority_met = hundred > 0 and yes_share > Fraction(1, 2)
    return {
        "kind": "motion",
        "votes": counts,
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


def motion_votes(profile: Profile) -> dict[str, int]:
    """Yes, no and abstain counted from a ballot file whose candidates are those options
    (in any order); a ballot counts for its first choice."""
    unknown = [name for name in profile.candidates if name not in OPTIONS]
    if unknown:
        raise TallyError(
            f"A motion's ballots name the options {', '.join(OPTIONS)}; the file also names "
            f"{', '.join(unknown)}."
        )
    totals = dict.fromkeys(OPTIONS, 0)
    for n, positions in profile.ballots():
        if positions and positions[0]:
            if len(positions[0]) > 1:
                raise TallyError("A motion's ballot marks one option; one marks several first.")
            totals[profile.candidates[positions[0][0]]] += n
    return totals
