"""The round-by-round summary of a ranked-choice count in the JSON shape RCTab writes.

RCTab (the Universal RCV Tabulator, BrightSpots/rcv, used for certified US counts) writes a
``*_summary.json`` next to every tabulation (``ResultsWriter.generateSummaryJson``, format
``jsonFormatVersion`` "1"); the expected reports of its regression tests have the same shape.
Writing our count in that shape lets anyone diff the two tabulators directly, field by field
or as text (:func:`rctab_json_text` lays the file out as RCTab's Jackson printer does).

The shape::

    config        contest, date, generatedBy, jurisdiction, office
    jsonFormatVersion "1"
    results[]     round, tally {name: votes}, threshold,
                  tallyResults [{elected|eliminated: name, transfers {name|"exhausted"|
                  "residual surplus": votes}}],
                  inactiveBallots {exhaustedChoices, overvotes, repeatedRankings,
                  skippedRankings[, finalRoundSurplus in the last round of a surplus count]}
    summary       finalThreshold, numCandidates, numWinners, totalNumBallots, undervotes

As RCTab writes them:

* Vote figures are strings, Java ``BigDecimal.toString``: a figure keeps the scale of what was
  added into it. A ballot is worth 1 (scale 0) until a winner holding it passes on a surplus
  (multi-seat counts): from then on it is worth ``value x surplus fraction`` truncated to
  ``decimal_places`` (scale d, even when the fraction is 0). So "9452" and "9452.0000" are
  different texts for the same number, and which one RCTab prints depends on which ballots
  were with the winners. We replay where every distinct ballot stands in every round (the
  decisions and threshold come from the result; ballots are read by
  :func:`kenes.core.tally.methods.ballot_walk.choices`) only to know that; the numbers
  themselves are the result's.
* ``round``, ``numCandidates``, ``numWinners`` and ``undervotes`` are JSON numbers.
* Map keys are sorted (Jackson ``ORDER_MAP_ENTRIES_BY_KEYS``); in ``tallyResults`` those
  elected come first, then those eliminated, each by name (as the expected reports list them).
* ``transfers`` of a candidate eliminated or elected in round r: where the ballots they held
  counted in round r+1, only ballots still worth more than 0 (RCTab skips a ballot of value 0,
  e.g. all ballots of a winner with no surplus); a ballot that became inactive, for any reason
  or as final round surplus, goes to ``exhausted``; what truncation leaves over the threshold
  with a winner goes to ``residual surplus``.
* Inactive ballots are cumulative; ballots that rank no one at all are not among them but are
  the summary's ``undervotes``. The undeclared write-in placeholder is named
  ``Undeclared Write-ins``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import TallyError
from kenes.core.tally.methods.ballot_walk import (
    EXHAUSTED,
    OVERVOTED,
    REPEATED_OUT,
    SKIPPED_OUT,
    choices,
)
from kenes.core.tally.profile import SKIPPED, Profile
from kenes.core.tally.result import Result, Round, decimal_string
from kenes.core.tally.rules import Rules

RCTAB_WRITE_IN = "Undeclared Write-ins"  # RCTab's Tabulator.UNDECLARED_WRITE_IN_OUTPUT_LABEL
JSON_FORMAT_VERSION = "1"

# inactive reason (ballot_walk code) -> RCTab key; FINAL_SURPLUS is ours, for the replay
FINAL_SURPLUS = -10
_NOT_YET = -100  # before round 1: the ballot has not been read
INACTIVE_KEYS = {
    EXHAUSTED: "exhaustedChoices",
    OVERVOTED: "overvotes",
    REPEATED_OUT: "repeatedRankings",
    SKIPPED_OUT: "skippedRankings",
}
# the engine's cumulative inactive counts by reason (Round.extra), by RCTab key
ENGINE_INACTIVE = {
    "exhaustedChoices": "inactive_exhausted",
    "overvotes": "inactive_overvote",
    "repeatedRankings": "inactive_repeated",
    "skippedRankings": "inactive_skipped",
}
_SURPLUS_MODES = ("single", "multiple_per_round", "one_per_round")

IntArray = npt.NDArray[np.int64]


@dataclass
class _Figure:
    """A number and whether RCTab carries it with ``decimal_places`` decimals."""

    value: Fraction
    scaled: bool = False


@dataclass
class _ReplayedRound:
    tally_scaled: dict[int, bool] = field(default_factory=dict)
    inactive: dict[int, _Figure] = field(default_factory=dict)  # reason code -> figure
    # source -> destination (candidate, or an inactive code) -> moved into this round
    moves: dict[int, dict[int, _Figure]] = field(default_factory=dict)
    winners: dict[int, _Figure] = field(default_factory=dict)  # past winners' tallies
    residual: dict[int, _Figure] = field(default_factory=dict)  # winner -> residual surplus


def uses_surpluses(rules: Rules) -> bool:
    """RCTab ``ContestConfig.usesSurpluses``: several seats, and not a bottoms-up mode."""
    return rules.seats > 1 and rules.winner_mode in _SURPLUS_MODES


_INT_RULES = ("seats", "decimal_places", "minimum_votes")
_OPTIONAL_INT_RULES = ("max_skipped", "max_rankings", "stop_after_round")
_BOOL_RULES = ("non_integer_threshold", "first_round_threshold", "batch", "continue_until_two")
_TUPLE_RULES = ("exclude_first", "excluded")
_TEXT_RULES = ("overvote", "duplicate", "winner_mode", "quota", "tiebreak")


def rules_of(result: Result) -> Rules:
    """The rules a result was counted under, read back from ``result.options`` (the rcv
    engine records every rule that differs from ``Rules()``; ``irv`` / ``minneapolis_stv``
    results made before it recorded their few options the same way)."""
    options = result.options
    given: dict[str, Any] = {}
    for name in _TEXT_RULES:
        if name in options:
            given[name] = options[name]
    for name in _INT_RULES:
        if name in options:
            given[name] = int(options[name])
    for name in _OPTIONAL_INT_RULES:
        if name in options:
            given[name] = None if options[name] == "none" else int(options[name])
    for name in _BOOL_RULES:
        if name in options:
            given[name] = options[name] == "true"
    for name in _TUPLE_RULES:
        if options.get(name):
            given[name] = tuple(options[name].split("|"))
    if options.get("bottoms_up_percent", "none") != "none":
        given["bottoms_up_percent"] = Fraction(options["bottoms_up_percent"])
    given.setdefault("seats", result.seats)
    if given["seats"] > 1:
        given.setdefault("winner_mode", "multiple_per_round")
    return Rules(**given)


def blank_ballots(profile: Profile) -> npt.NDArray[np.bool_]:
    """Ballots that rank no one at all (RCTab: *did not rank any candidates*, undervotes)."""
    blank: npt.NDArray[np.bool_] = (profile.ranks == 0).all(axis=1)
    if profile.marks is not None:
        blank &= (profile.marks == SKIPPED).all(axis=1)
    return blank


def _replay(result: Result, profile: Profile, rules: Rules) -> list[_ReplayedRound]:
    """Where every distinct ballot stands in each round, with its value as RCTab keeps it.

    Decisions (who is elected or excluded when) and thresholds are the result's; a ballot
    stays with its candidate while they continue, and once inactive stays so.
    """
    d = rules.decimal_places
    unit = 10**d
    if profile.n_voters * unit >= 2**53:
        # values are whole units in 64-bit integers, summed exactly in doubles
        raise TallyError(
            f"the RCTab report cannot replay {profile.n_voters} ballots at {d} decimal places "
            "exactly: use fewer decimal places for the vote arithmetic"
        )
    surplus = uses_surpluses(rules)
    walk = _walk_rules(profile, rules)
    n = profile.n_candidates
    counts = profile.counts.astype(np.int64)
    blank = blank_ballots(profile)
    where: IntArray = np.full(len(counts), _NOT_YET, dtype=np.int64)
    value: IntArray = np.full(len(counts), unit, dtype=np.int64)
    scaled = np.zeros(len(counts), dtype=bool)
    continuing = np.zeros(n, dtype=bool)
    continuing[[c for c in range(n) if c not in profile.withdrawn]] = True
    for name in rules.excluded:
        if name in profile.candidates:
            continuing[profile.candidates.index(name)] = False
    elected: list[int] = []
    kept: dict[int, int] = {}  # winner -> value left with them, tallied in the next round
    winners: dict[int, _Figure] = {}
    out: list[_ReplayedRound] = []
    for round_ in result.rounds:
        replayed = _ReplayedRound()
        threshold = round_.extra.get("threshold", Fraction(0))
        moving = ~blank & (where == _NOT_YET)
        held = where >= 0
        moving |= held & ~continuing[np.where(held, where, 0)]
        rows = np.flatnonzero(moving)
        if surplus and len(elected) >= rules.seats:
            new = np.full(len(rows), FINAL_SURPLUS, dtype=np.int64)
        else:
            new = choices(profile, continuing.copy(), walk)[rows]
        # what moved, by (source, destination): RCTab counts only ballots worth more than 0
        keep = (where[rows] != _NOT_YET) & (value[rows] > 0)
        if keep.any():
            pairs = np.stack([where[rows][keep], new[keep]], axis=1)
            unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
            inverse = inverse.ravel()
            sums = np.zeros(len(unique), dtype=np.int64)
            np.add.at(sums, inverse, (counts[rows] * value[rows])[keep])
            any_scaled = np.zeros(len(unique), dtype=bool)
            np.logical_or.at(any_scaled, inverse, scaled[rows][keep])
            for (src, dst), amount, was_scaled in zip(
                unique.tolist(), sums.tolist(), any_scaled.tolist(), strict=True
            ):
                replayed.moves.setdefault(src, {})[dst] = _Figure(
                    Fraction(amount, unit), was_scaled
                )
        where[rows] = new
        placed = where >= 0
        scaled_count = np.bincount(where[placed], weights=scaled[placed], minlength=n)
        _check_tally(profile, round_, where, counts * value, unit, continuing)
        replayed.tally_scaled = {c: bool(scaled_count[c] > 0) for c in range(n)}
        for code in (*INACTIVE_KEYS, FINAL_SURPLUS):
            there = where == code
            replayed.inactive[code] = _Figure(
                Fraction(int((counts[there] * value[there]).sum()), unit),
                bool(scaled[there].any()),
            )
        # winners of the previous round: what they keep, less residual surplus (RCTab
        # Tabulator.updateWinnerTallies)
        for winner, share in kept.items():
            figure = _Figure(Fraction(share, unit), True)
            if figure.value > threshold:
                replayed.residual[winner] = _Figure(figure.value - threshold, True)
                figure = _Figure(threshold, rules.non_integer_threshold)
            winners[winner] = figure
        kept = {}
        replayed.winners = dict(winners)
        for winner in round_.elected:
            if not rules.continue_until_two:
                continuing[winner] = False
            elected.append(winner)
            if not surplus:
                continue
            votes = int(round_.votes.get(winner, Fraction(0)) * unit)
            limit = int(threshold * unit)
            # RCTab ContestConfig.divide / multiply: truncated to decimal_places
            fraction = (votes - limit) * unit // votes if votes > limit else 0
            mine = where == winner
            passed = value[mine] * fraction // unit
            kept[winner] = int((counts[mine] * (value[mine] - passed)).sum())
            value[mine] = passed
            scaled[mine] = True
        for loser in round_.excluded:
            continuing[loser] = False
        out.append(replayed)
    return out


def _check_tally(
    profile: Profile,
    round_: Round,
    where: IntArray,
    worth: IntArray,
    unit: int,
    continuing: npt.NDArray[np.bool_],
) -> None:
    """The replay must find the count's votes, or it would print the wrong scales: a count
    under other rules (another STV, other ballot-reading options) is refused in a sentence."""
    placed = where >= 0
    tally = np.bincount(where[placed], weights=worth[placed], minlength=profile.n_candidates)
    for c, votes in round_.votes.items():
        if not continuing[c]:
            continue  # a past winner: what stayed with them, checked by the count
        if round(float(tally[c])) != votes * unit:
            raise TallyError(
                f"the RCTab report cannot follow this count: in round {round_.number} "
                f"{profile.candidates[c]} has {decimal_string(votes)} votes, but "
                f"{decimal_string(Fraction(round(float(tally[c])), unit))} when the ballots are "
                "read under the rules given. Write it for an IRV or RCV count, with the rules "
                "that count used (e.g. those of the RCTab configuration)."
            )


def _walk_rules(profile: Profile, rules: Rules) -> Rules:
    """The ballot-reading limits that can apply to this file (a limit at or beyond the number
    of positions changes nothing, and the rank-matrix reader takes none), as the count
    applies them."""
    positions = profile.marks.shape[1] if profile.marks is not None else profile.n_candidates
    if rules.max_rankings is not None and rules.max_rankings >= positions:
        rules = replace(rules, max_rankings=None)
    if rules.max_skipped is not None and rules.max_skipped >= positions:
        rules = replace(rules, max_skipped=None)
    return rules


def bigdecimal_text(value: Fraction, scaled: bool, decimal_places: int) -> str:
    """``value`` as Java's ``BigDecimal.toString`` prints it at the scale RCTab carries."""
    if scaled:
        units = value * 10**decimal_places
        if units.denominator == 1:
            whole, part = divmod(int(units), 10**decimal_places)
            return f"{whole}.{part:0{decimal_places}d}" if decimal_places else str(whole)
    if value.denominator == 1:
        return str(int(value))
    return decimal_string(value)


def rctab_summary(
    result: Result,
    profile: Profile,
    *,
    contest: str = "",
    jurisdiction: str = "",
    office: str = "",
    date: str = "",
    write_in_label: str | None = None,
    rules: Rules | None = None,
    generated_by: str = "Kenes",
) -> dict[str, Any]:
    """The summary of ``result`` (counted from ``profile``) in RCTab's JSON shape (module
    docstring). ``write_in_label`` is the profile's name for undeclared write-ins (default:
    the rules' ``exclude_first``); ``rules`` those of the count (default: read from the
    result's options, for counts made without a Rules object)."""
    rules = rules if rules is not None else rules_of(result)
    d = rules.decimal_places
    placeholders = {write_in_label} if write_in_label is not None else set(rules.exclude_first)
    names = [RCTAB_WRITE_IN if name in placeholders else name for name in profile.candidates]
    same = [
        n for n, shown in zip(profile.candidates, names, strict=True) if shown == RCTAB_WRITE_IN
    ]
    if len(same) > 1:
        raise TallyError(
            f"the RCTab report names one candidate '{RCTAB_WRITE_IN}', but here that would be "
            f"{', '.join(same)}: give write_in_label the one placeholder of the file"
        )
    replay = _replay(result, profile, rules)
    surplus = uses_surpluses(rules)

    def text(value: Fraction, scaled: bool) -> str:
        return bigdecimal_text(value, scaled, d)

    def threshold_text(round_: Round) -> str:
        threshold = round_.extra.get("threshold", Fraction(0))
        return text(threshold, _threshold_scaled(round_, threshold, rules))

    results: list[dict[str, Any]] = []
    for i, (round_, replayed) in enumerate(zip(result.rounds, replay, strict=True)):
        following = replay[i + 1] if i + 1 < len(replay) else None
        last = i + 1 == len(result.rounds)
        tally: dict[str, str] = {}
        for c, votes in round_.votes.items():
            past = replayed.winners.get(c)
            scaled = past.scaled if past is not None else replayed.tally_scaled.get(c, False)
            tally[names[c]] = text(votes, scaled)
        actions: list[dict[str, Any]] = []
        for kind, who in (("elected", round_.elected), ("eliminated", round_.excluded)):
            for c in sorted(who, key=lambda c: _java_order(names[c])):
                transfers = _transfers(c, round_, following, names, text)
                actions.append({kind: names[c], "transfers": transfers})
        inactive = _inactive(round_, replayed, text, surplus and last)
        results.append(
            {
                "inactiveBallots": inactive,
                "round": round_.number,
                "tally": _sorted(tally),
                "tallyResults": actions,
                "threshold": threshold_text(round_),
            }
        )
    blank = blank_ballots(profile)
    final = result.rounds[-1] if result.rounds else Round(number=0, votes={})
    return {
        "config": {
            "contest": contest,
            "date": date,
            "generatedBy": generated_by,
            "jurisdiction": jurisdiction,
            "office": office,
        },
        "jsonFormatVersion": JSON_FORMAT_VERSION,
        "results": results,
        "summary": {
            "finalThreshold": threshold_text(final),
            "numCandidates": profile.n_candidates,
            "numWinners": result.seats,
            "totalNumBallots": str(profile.n_voters),
            "undervotes": int(profile.counts[blank].sum()),
        },
    }


def _threshold_scaled(round_: Round, threshold: Fraction, rules: Rules) -> bool:
    """Whether RCTab carries the threshold with ``decimal_places`` decimals
    (Tabulator.calculateAndSetWinningThreshold): a non-integer threshold, or the bottoms-up
    percentage one — votes x (percentage / 100, divided to ``decimal_places``) — unless the
    minimum vote threshold (a whole number) is higher and replaces it."""
    if rules.winner_mode == "bottoms_up_percent" and rules.bottoms_up_percent is not None:
        unit = 10**rules.decimal_places
        share = Fraction(int(rules.bottoms_up_percent * unit), unit)
        computed = sum(round_.votes.values(), Fraction(0)) * share
        return not (rules.minimum_votes > computed and threshold == rules.minimum_votes)
    if rules.non_integer_threshold:
        return not (rules.minimum_votes > 0 and threshold == rules.minimum_votes)
    return False


def _java_order(name: str) -> bytes:
    """Java's ``String.compareTo`` order (UTF-16 code units)."""
    return name.encode("utf-16-be")


def _sorted(mapping: Mapping[str, str]) -> dict[str, str]:
    return {key: mapping[key] for key in sorted(mapping, key=_java_order)}


def _transfers(
    source: int,
    round_: Round,
    following: _ReplayedRound | None,
    names: list[str],
    text: Any,
) -> dict[str, str]:
    """Where the ballots of ``source`` (excluded or elected in ``round_``) went next."""
    if following is None:
        return {}
    moved = following.moves.get(source, {})
    out: dict[str, _Figure] = {}
    for dst, figure in moved.items():
        key = names[dst] if dst >= 0 else "exhausted"
        into = out.setdefault(key, _Figure(Fraction(0)))
        into.value += figure.value
        into.scaled |= figure.scaled
    flows = round_.flows.get(source)
    if flows is not None:
        # the engine's numbers; the replay only says at which scale RCTab prints them
        engine: dict[str, _Figure] = {}
        for dst, votes in flows.items():
            key = names[dst] if dst >= 0 else "exhausted"
            scaled = out[key].scaled if key in out else False
            into = engine.setdefault(key, _Figure(Fraction(0), scaled))
            into.value += votes
        out = engine
    residual = following.residual.get(source)
    if residual is not None:
        out["residual surplus"] = residual
    return _sorted({key: text(f.value, f.scaled) for key, f in out.items() if f.value > 0})


def _inactive(
    round_: Round, replayed: _ReplayedRound, text: Any, with_final_surplus: bool
) -> dict[str, str]:
    """Cumulative inactive ballots by RCTab's reasons (the engine's counts when it gives
    them, else the replay's)."""
    out: dict[str, str] = {}
    for code, key in INACTIVE_KEYS.items():
        figure = replayed.inactive[code]
        votes = round_.extra.get(ENGINE_INACTIVE[key], figure.value)
        out[key] = text(votes, figure.scaled)
    if with_final_surplus:
        figure = replayed.inactive[FINAL_SURPLUS]
        votes = round_.extra.get("final_round_surplus", figure.value)
        out["finalRoundSurplus"] = text(votes, figure.scaled)
    return _sorted(out)


def rctab_json_text(summary: Mapping[str, Any]) -> str:
    """The summary laid out as RCTab's Jackson ``DefaultPrettyPrinter`` writes it (``"key" :
    value``, two-space indents, arrays inline as ``[ {`` ... ``} ]``), so that a plain text diff
    against RCTab's file shows only the differences in content."""

    def write(value: Any, level: int) -> str:
        if isinstance(value, Mapping):
            if not value:
                return "{ }"
            inner = "  " * (level + 1)
            items = [
                f"{inner}{json.dumps(str(k), ensure_ascii=False)} : {write(v, level + 1)}"
                for k, v in value.items()
            ]
            return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
        if isinstance(value, list):
            if not value:
                return "[ ]"
            return "[ " + ", ".join(write(v, level) for v in value) + " ]"
        return json.dumps(value, ensure_ascii=False)

    return write(summary, 0)


def details_from_rctab_config(config: Mapping[str, Any]) -> dict[str, str]:
    """``contest``, ``jurisdiction``, ``office`` and ``date`` for :func:`rctab_summary` from an
    RCTab contest configuration (its ``outputSettings``), so both reports say the same."""
    settings = config.get("outputSettings")
    settings = settings if isinstance(settings, Mapping) else {}
    keys = {
        "contest": "contestName",
        "jurisdiction": "contestJurisdiction",
        "office": "contestOffice",
        "date": "contestDate",
    }
    return {ours: str(settings.get(theirs) or "") for ours, theirs in keys.items()}


def rctab_summaries(result: Result, profile: Profile, **details: Any) -> list[dict[str, Any]]:
    """The summaries RCTab writes for this count: one, or for a sequential (multi-pass) count
    one per pass (RCTab's ``*_summary_1.json``, ``_2``, ...), each a single-seat count
    without the earlier passes' winners. ``details`` as for :func:`rctab_summary`."""
    rules = details.pop("rules", None)
    rules = rules if rules is not None else rules_of(result)
    if rules.winner_mode != "sequential":
        return [rctab_summary(result, profile, rules=rules, **details)]
    passes: dict[int, list[Round]] = {}
    for round_ in result.rounds:
        passes.setdefault(int(round_.extra.get("pass", 1)), []).append(round_)
    names = profile.candidates
    earlier: list[int] = []
    out: list[dict[str, Any]] = []
    for k in sorted(passes):
        rounds = [replace(r, number=i + 1) for i, r in enumerate(passes[k])]
        won = [c for r in rounds for c in r.elected]
        one = replace(
            rules,
            winner_mode="single",
            seats=1,
            excluded=(*rules.excluded, *(names[c] for c in earlier)),
        )
        single = Result(result.method, result.candidates, 1, won, rounds, result.seed)
        out.append(rctab_summary(single, profile, rules=one, **details))
        earlier += won
    return out


def write_rctab_summary(
    path: str | Path, result: Result, profile: Profile, **details: Any
) -> list[Path]:
    """Write the RCTab summary of ``result`` to ``path`` (``details`` as for
    :func:`rctab_summary`); a sequential count writes one file per pass, named as RCTab
    names them (``summary.json`` -> ``summary_1.json``, ``summary_2.json``, ...). Returns the
    paths written."""
    target = Path(path)
    rules = details.get("rules")
    sequential = (rules if rules is not None else rules_of(result)).winner_mode == "sequential"
    summaries = rctab_summaries(result, profile, **details)
    if not sequential:
        paths = [target]
    else:
        paths = [
            target.with_name(f"{target.stem}_{k}{target.suffix}")
            for k in range(1, len(summaries) + 1)
        ]
    for where, summary in zip(paths, summaries, strict=True):
        where.write_text(rctab_json_text(summary), encoding="utf-8")
    return paths
