"""Ballots -> winners: plurality, approval, IRV, Schulze, ranked pairs, STV (Scottish, Meek,
Minneapolis), and the ranked-choice count under every RCTab option (:func:`rcv`, :class:`Rules`).

Pure Python + numpy; no Django. Every count returns a :class:`Result` that explains itself
round by round, and :func:`result_json` renders it in the stable JSON shape of docs/tally.md.
"""

from __future__ import annotations

from kenes.core.tally.errors import BallotFileError, TallyError
from kenes.core.tally.formats import load_profile, parse_blt, parse_csv, parse_preflib, write_blt
from kenes.core.tally.methods.condorcet import pairwise_matrix, ranked_pairs, schulze
from kenes.core.tally.methods.irv import irv
from kenes.core.tally.methods.meek_stv import meek_stv
from kenes.core.tally.methods.minneapolis_stv import minneapolis_stv
from kenes.core.tally.methods.rcv import rcv
from kenes.core.tally.methods.scottish_stv import scottish_stv
from kenes.core.tally.methods.single_mark import approval, plurality
from kenes.core.tally.profile import Profile, build_profile
from kenes.core.tally.result import Result, Round, decimal_string, result_json
from kenes.core.tally.rules import Rules, from_rctab_config

METHODS = ("plurality", "approval", "irv", "schulze", "ranked-pairs", "stv")
# the STV rules an internal election may choose (kenes.ballots); Minneapolis is for replaying
# cast-vote records of public counts, from `kenes tally` or code
STV_RULES = ("scottish", "meek")
ALL_STV_RULES = (*STV_RULES, "minneapolis")

__all__ = [
    "ALL_STV_RULES",
    "METHODS",
    "STV_RULES",
    "BallotFileError",
    "Profile",
    "Result",
    "Round",
    "Rules",
    "TallyError",
    "approval",
    "build_profile",
    "count",
    "decimal_string",
    "from_rctab_config",
    "irv",
    "load_profile",
    "meek_stv",
    "minneapolis_stv",
    "pairwise_matrix",
    "parse_blt",
    "parse_csv",
    "parse_preflib",
    "plurality",
    "ranked_pairs",
    "rcv",
    "result_json",
    "schulze",
    "scottish_stv",
    "write_blt",
]


def count(
    profile: Profile,
    method: str,
    *,
    seats: int | None = None,
    seed: int | None = None,
    stv_rules: str = "scottish",
    rules: Rules | None = None,
) -> Result:
    """Count ``profile`` by ``method`` (one of METHODS); STV by ``stv_rules`` (ALL_STV_RULES).

    ``seats`` defaults to the number in the file (BLT) or 1. ``rules`` (the options of a
    ranked-choice count, :class:`Rules`) apply to ``irv`` and to the Minneapolis STV rules.
    """
    n_seats = seats or profile.seats or 1
    if rules is not None:
        if method == "irv":
            return irv(profile, seed, rules=rules)
        if method == "stv" and stv_rules == "minneapolis":
            return minneapolis_stv(profile, seed=seed, rules=rules)
        raise TallyError("ranked-choice rules apply to IRV and the Minneapolis STV rules only")
    if method == "plurality":
        return plurality(profile, n_seats, seed)
    if method == "approval":
        return approval(profile, n_seats, seed)
    if method == "irv":
        if n_seats != 1:
            raise TallyError("IRV fills one seat; use --method stv for several")
        return irv(profile, seed)
    if method == "schulze":
        return schulze(profile, n_seats, seed)
    if method == "ranked-pairs":
        return ranked_pairs(profile, n_seats, seed)
    if method == "stv":
        if stv_rules == "scottish":
            return scottish_stv(profile, n_seats, seed)
        if stv_rules == "meek":
            return meek_stv(profile, n_seats, seed)
        if stv_rules == "minneapolis":
            return minneapolis_stv(profile, n_seats, seed)
        raise TallyError(f"unknown STV rules '{stv_rules}': use one of {', '.join(ALL_STV_RULES)}")
    raise TallyError(f"unknown method '{method}': use one of {', '.join(METHODS)}")
