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

from dataclasses import dataclass, field
from fractions import Fraction

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
