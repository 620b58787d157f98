"""The rules of a ranked-choice count, as tabulators configure them.

One frozen object holds every option of an RCV count (IRV and multi-seat), so that code, the
`kenes tally` flags and an RCTab contest configuration (``*_config.json``) all describe a count
the same way. Field names are ours; each field's docstring names the RCTab setting it mirrors
(RCTab, the Universal RCV Tabulator, ``config_file_documentation.txt``), and docs/tally.md
names the jurisdictions that use each value.

A default ``Rules()`` is plain IRV / STV as the methods counted before these options existed:
the options change nothing when they do not apply (tests/core/tally property tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from kenes.core.tally.errors import TallyError

OVERVOTE_RULES = ("exhaust", "skip", "exhaust_if_multiple")
DUPLICATE_RULES = ("skip", "exhaust")
TIEBREAKS = ("random", "previous_round_then_random", "candidate_order", "permutation")
WINNER_MODES = (
    "single",  # one seat, majority of continuing votes
    "multiple_per_round",  # several seats; all over the threshold elected in one round
    "one_per_round",  # several seats; only the highest over the threshold per round
    "bottoms_up",  # exclude until the seats are left; no threshold
    "bottoms_up_percent",  # exclude until all left hold at least ``bottoms_up_percent``
    "sequential",  # multi-pass IRV: IRV again without the previous winners, once per seat
)
QUOTAS = ("droop", "hare")


@dataclass(frozen=True)
class Rules:
    """Every option of a ranked-choice count (see the module docstring)."""

    # -- how a ballot is read (kenes.core.tally.methods.ballot_walk) --
    overvote: str = "exhaust"
    """At a position marking several candidates: ``exhaust`` the ballot (RCTab
    *exhaustImmediately*), ``skip`` to the next position (*alwaysSkipToNextRank*), or
    ``exhaust_if_multiple`` — exhaust only if more than one of them is still continuing,
    otherwise count the one (*exhaustIfMultipleContinuing*)."""
    duplicate: str = "skip"
    """A candidate ranked again at a later position: ``skip`` the repeat, or ``exhaust`` the
    ballot when it reaches it (RCTab *exhaustOnDuplicateCandidate*)."""
    max_skipped: int | None = None
    """More than this many consecutive skipped positions before the next mark exhaust the
    ballot (RCTab *maxSkippedRanksAllowed*); None = unlimited."""
    max_rankings: int | None = None
    """Positions beyond this many are not read (RCTab *maxRankingsAllowed*); None = all."""

    # -- how the count runs (kenes.core.tally.methods.rcv) --
    winner_mode: str = "single"
    """One of WINNER_MODES (RCTab *winnerElectionMode*)."""
    seats: int = 1
    """Seats to fill (RCTab *numberOfWinners*)."""
    bottoms_up_percent: Fraction | None = None
    """For ``bottoms_up_percent``: the share of continuing votes every candidate left must
    hold, e.g. Fraction(15, 100) (RCTab *multiSeatBottomsUpPercentageThreshold*)."""
    quota: str = "droop"
    """``droop``: votes/(seats+1); ``hare``: votes/seats (RCTab *hareQuota*)."""
    non_integer_threshold: bool = False
    """False: threshold = floor(quota) + 1; True: quota + 10**-decimal_places (RCTab
    *nonIntegerWinningThreshold*)."""
    first_round_threshold: bool = False
    """Fix the threshold from the first round's votes (RCTab *doesFirstRoundDetermineThreshold*);
    multi-seat counts always fix it in round 1."""
    decimal_places: int = 4
    """Decimals of surplus and threshold arithmetic, truncated (RCTab
    *decimalPlacesForVoteArithmetic*)."""
    minimum_votes: int = 0
    """Candidates with fewer votes than this in round 1 are excluded together (RCTab
    *minimumVoteThreshold*)."""
    batch: bool = False
    """Batch elimination (RCTab *batchElimination*)."""
    continue_until_two: bool = False
    """Keep excluding after a majority until two candidates remain, for presentation (RCTab
    *continueUntilTwoCandidatesRemain*); the winner does not change."""
    stop_after_round: int | None = None
    """Stop after this round (RCTab *stopTabulationEarlyAfterRound*)."""
    tiebreak: str = "random"
    """One of TIEBREAKS (RCTab *tiebreakMode*: random, previousRoundCountsThenRandom,
    useCandidateOrder, generatePermutation)."""
    seed: int | None = None
    """Seed of every lot (RCTab *randomSeed*); None = a fresh one, recorded in the result."""

    # -- which candidates take part --
    exclude_first: tuple[str, ...] = ()
    """Placeholders never elected, excluded in round 1 (RCTab *undeclaredWriteInLabel*)."""
    excluded: tuple[str, ...] = ()
    """Candidates excluded before the count (RCTab candidate *excluded*), as well as those the
    file marks withdrawn."""

    extra: dict[str, str] = field(default_factory=dict, compare=False)
    """Settings read from a configuration that no count here uses, kept for the record."""

    def check(self) -> None:
        """Raise TallyError (one sentence) if the rules do not make a count."""
        for name, value, allowed in (
            ("overvote", self.overvote, OVERVOTE_RULES),
            ("duplicate", self.duplicate, DUPLICATE_RULES),
            ("winner mode", self.winner_mode, WINNER_MODES),
            ("quota", self.quota, QUOTAS),
            ("tie-break", self.tiebreak, TIEBREAKS),
        ):
            if value not in allowed:
                raise TallyError(f"unknown {name} rule '{value}': use one of {', '.join(allowed)}")
        percent = self.winner_mode == "bottoms_up_percent"
        if self.seats < 1 and not percent:
            raise TallyError("the number of seats must be at least 1")
        if self.winner_mode == "single" and self.seats != 1:
            raise TallyError(
                f"winner mode 'single' fills one seat, not {self.seats}: choose a multi-seat mode"
            )
        if percent != (self.bottoms_up_percent is not None):
            raise TallyError(
                "a bottoms-up percentage goes with winner mode 'bottoms_up_percent' "
                "and only with it"
            )
        if self.bottoms_up_percent is not None and not 0 < self.bottoms_up_percent <= 1:
            raise TallyError("the bottoms-up percentage must be more than 0 and at most 100")
        if not 0 <= self.decimal_places <= 20:
            raise TallyError("decimal places must be between 0 and 20")
        for name, number, least in (
            ("maximum skipped ranks", self.max_skipped, 0),
            ("maximum rankings", self.max_rankings, 1),
            ("stop after round", self.stop_after_round, 1),
            ("minimum votes", self.minimum_votes, 0),
        ):
            if number is not None and number < least:
                raise TallyError(f"{name} must be at least {least}")
        if self.continue_until_two and (self.seats != 1 or percent):
            raise TallyError("continue until two candidates remain is for one seat only")
        if self.quota == "hare" and self.seats == 1 and not percent:
            raise TallyError("the Hare quota is for multi-seat counts only (as in RCTab)")


# RCTab's names for the values of its settings
_RCTAB_OVERVOTE = {
    "exhaustImmediately": "exhaust",
    "alwaysSkipToNextRank": "skip",
    "exhaustIfMultipleContinuing": "exhaust_if_multiple",
}
_RCTAB_TIEBREAK = {
    "random": "random",
    "previousRoundCountsThenRandom": "previous_round_then_random",
    "useCandidateOrder": "candidate_order",
    "usePermutationInConfig": "candidate_order",  # RCTab 1.x
    "generatePermutation": "permutation",
}
_RCTAB_MODE = {
    "singleWinnerMajority": "single",
    "standard": "single",
    "multiWinnerAllowOnlyOneWinnerPerRound": "one_per_round",
    "multiSeatAllowOnlyOneWinnerPerRound": "one_per_round",
    "multiWinnerAllowMultipleWinnersPerRound": "multiple_per_round",
    "bottomsUp": "bottoms_up",
    "multiSeatBottomsUp": "bottoms_up",
    "bottomsUpUsingPercentageThreshold": "bottoms_up_percent",
    "multiPassIrv": "sequential",
    "multiSeatSequentialWinnerTakesAll": "sequential",
    "singleSeatContinueUntilTwoCandidatesRemain": "single",
}
_RCTAB_USED = {
    "tiebreakMode",
    "overvoteRule",
    "winnerElectionMode",
    "randomSeed",
    "numberOfWinners",
    "multiSeatBottomsUpPercentageThreshold",
    "decimalPlacesForVoteArithmetic",
    "minimumVoteThreshold",
    "maxSkippedRanksAllowed",
    "maxRankingsAllowed",
    "nonIntegerWinningThreshold",
    "doesFirstRoundDetermineThreshold",
    "hareQuota",
    "batchElimination",
    "continueUntilTwoCandidatesRemain",
    "stopTabulationEarlyAfterRound",
    "exhaustOnDuplicateCandidate",
    "undeclaredWriteInLabel",  # RCTab 1.x: in "rules" rather than on each CVR source
}


def from_rctab_config(config: Mapping[str, Any]) -> Rules:
    """The rules of an RCTab contest configuration (the parsed ``*_config.json``).

    Reads ``rules`` (every setting of RCTab's config_file_documentation.txt that a count
    uses), the candidates marked ``excluded`` and the ``undeclaredWriteInLabel`` of the CVR
    sources (placeholders excluded first; RCTab 1.x configurations, which keep the label in
    ``rules``, are read as RCTab migrates them). Settings no count here uses (e.g.
    ``rulesDescription``) are kept in ``Rules.extra``. A value RCTab would refuse, or an
    interactive tie-break, is a TallyError naming the setting.
    """
    raw = config.get("rules")
    if not isinstance(raw, Mapping):
        raise TallyError("the RCTab configuration has no 'rules' object")

    def text(key: str, default: str = "") -> str:
        value = raw.get(key, default)
        return "" if value is None else str(value).strip()

    def number(key: str, default: int | None) -> int | None:
        value = text(key)
        if value == "" or value.lower() in ("unlimited", "max"):
            return default
        try:
            return int(value)
        except ValueError:
            raise TallyError(f"RCTab setting '{key}': '{value}' is not a whole number") from None

    def flag(key: str) -> bool:
        value = raw.get(key, False)
        return value is True or str(value).lower() == "true"

    def pick(key: str, table: Mapping[str, str], default: str) -> str:
        value = text(key, default)
        if value not in table:
            raise TallyError(
                f"RCTab setting '{key}': '{value}' is not supported here "
                f"(use one of {', '.join(table)})"
            )
        return table[value]

    mode_name = text("winnerElectionMode", "singleWinnerMajority")
    mode = pick("winnerElectionMode", _RCTAB_MODE, "singleWinnerMajority")
    seats = number("numberOfWinners", 1)
    percent_text = text("multiSeatBottomsUpPercentageThreshold")
    percent: Fraction | None = None
    if percent_text:
        try:
            percent = Fraction(percent_text) / 100
        except ValueError:
            raise TallyError(
                "RCTab setting 'multiSeatBottomsUpPercentageThreshold': "
                f"'{percent_text}' is not a number"
            ) from None
    if mode == "bottoms_up" and (
        (mode_name == "multiSeatBottomsUp" and (percent is not None or seats == 0))
        or (percent is not None and seats == 0)
    ):
        # RCTab 1.x's "multiSeatBottomsUp" is the percentage mode when there is a percentage
        # or no number of winners (RCTab ContestConfigMigration)
        mode = "bottoms_up_percent"
    if mode != "bottoms_up_percent":
        percent = None
    until_two = flag("continueUntilTwoCandidatesRemain") or (
        mode_name == "singleSeatContinueUntilTwoCandidatesRemain"
    )
    if mode == "single" and (seats or 1) > 1:
        mode = "multiple_per_round"  # older configs: "standard" with several seats
    seed = number("randomSeed", None)
    excluded = tuple(
        str(c.get("name", ""))
        for c in config.get("candidates", ())
        if isinstance(c, Mapping) and c.get("excluded") in (True, "true")
    )
    labels: list[str] = []
    # RCTab 1.x kept the label in "rules"; ContestConfigMigration gives it to every source
    legacy = text("undeclaredWriteInLabel")
    for source in config.get("cvrFileSources", ()):
        label = source.get("undeclaredWriteInLabel") if isinstance(source, Mapping) else None
        label = legacy or label
        if label and str(label) not in labels:
            labels.append(str(label))
    rules = Rules(
        overvote=pick("overvoteRule", _RCTAB_OVERVOTE, "exhaustImmediately"),
        duplicate="exhaust" if flag("exhaustOnDuplicateCandidate") else "skip",
        max_skipped=number("maxSkippedRanksAllowed", None),
        max_rankings=number("maxRankingsAllowed", None),
        winner_mode=mode,
        seats=seats if seats is not None else 1,
        bottoms_up_percent=percent,
        quota="hare" if flag("hareQuota") else "droop",
        non_integer_threshold=flag("nonIntegerWinningThreshold"),
        first_round_threshold=flag("doesFirstRoundDetermineThreshold"),
        decimal_places=number("decimalPlacesForVoteArithmetic", 4) or 0,
        minimum_votes=number("minimumVoteThreshold", 0) or 0,
        batch=flag("batchElimination"),
        continue_until_two=until_two,
        stop_after_round=number("stopTabulationEarlyAfterRound", None),
        tiebreak=pick("tiebreakMode", _RCTAB_TIEBREAK, "random"),
        seed=seed,
        exclude_first=tuple(labels),
        excluded=excluded,
        extra={k: str(v) for k, v in raw.items() if k not in _RCTAB_USED},
    )
    rules.check()
    return rules
