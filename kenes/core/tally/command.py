"""`kenes tally FILE --method M ...`: the arguments and the run, without Django.

The management command (kenes.core_commands) and the console script's own start-up path
(kenes.cli, which skips Django for this command) share these, so both read the same options
and print the same text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from kenes.core.tally import (
    ALL_STV_RULES,
    METHODS,
    BallotFileError,
    Profile,
    Result,
    TallyError,
    count,
    decimal_string,
    irv,
    load_profile,
    minneapolis_stv,
    result_json,
)
from kenes.core.tally.formats import FORMATS
from kenes.core.tally.motion import BASES, MAJORITIES, motion_result, motion_votes
from kenes.core.tally.profile import concat, renumber
from kenes.core.tally.rctab_report import details_from_rctab_config, write_rctab_summary
from kenes.core.tally.rules import (
    DUPLICATE_RULES,
    OVERVOTE_RULES,
    QUOTAS,
    TIEBREAKS,
    WINNER_MODES,
    Rules,
    from_rctab_config,
)

HELP = (
    "Count a ballot file (BLT, PrefLib .soc/.soi/.toc/.toi, CSV, or a published cast-vote "
    "record: NIST CDF JSON/XML, Dominion, ES&S .xlsx, Clear Ballot) by a voting method and "
    "explain each round. Needs no database. JSON shape: docs/tally.md."
)


class TallyCommandError(Exception):
    """The file or the options cannot be counted; the message is for the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = ".blt, .soc/.soi/.toc/.toi, .csv, .json, .xml, .xlsx, a Dominion folder, or .gz"
    parser.add_argument(
        "file",
        nargs="+",
        help=f"ballot file ({kinds}); several files of one contest are counted together",
    )
    parser.add_argument("--method", required=True, choices=(*METHODS, "motion"))
    parser.add_argument("--stv-rules", choices=ALL_STV_RULES, default="scottish")
    parser.add_argument("--seats", type=int, help="seats to fill (default: from the file, or 1)")
    parser.add_argument("--format", choices=FORMATS, help="default: by extension")
    parser.add_argument(
        "--contest", help="the contest to count in a cast-vote-record file: its id or name"
    )
    parser.add_argument(
        "--first-column",
        type=int,
        metavar="N",
        help="CSV: the first column holding votes (1-based); columns before it are ignored",
    )
    parser.add_argument("--seed", type=int, help="seed for lots (default: random, recorded)")
    _add_rule_arguments(parser)
    motion = "--method motion only"
    parser.add_argument("--electorate", type=int, default=0, help=f"{motion}: members entitled")
    parser.add_argument("--quorum-percent", type=int, default=0, help=f"{motion}: 0-100")
    parser.add_argument("--majority", choices=MAJORITIES, default="simple", help=motion)
    counts = f"{motion}: what counts as 100%%"
    parser.add_argument("--base", choices=BASES, default="yes_no", help=counts)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--report",
        choices=["rctab"],
        help="also write the round-by-round summary in RCTab's JSON shape (irv / minneapolis)",
    )
    parser.add_argument(
        "--report-file",
        metavar="PATH",
        help="where --report writes (default: FILE's name + _summary.json, in this folder)",
    )


RULES_ONLY = "--method irv and --method stv --stv-rules minneapolis only"


def _choices(values: tuple[str, ...]) -> list[str]:
    return [v.replace("_", "-") for v in values]


def _add_rule_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of kenes.core.tally.rules.Rules (docs/tally.md, "Rules options").

    Every default is None, so that a flag given explicitly is known: it overrides
    --rctab-config, and it is an error with a method it does not apply to.
    """
    only = RULES_ONLY
    rules = parser.add_argument_group("ranked-choice rules", f"{only} (RCTab's settings)")
    add = rules.add_argument
    add("--rctab-config", metavar="FILE", help="an RCTab contest config: rules, exclusions, UWI")
    add("--overvote", choices=_choices(OVERVOTE_RULES), help="a position with several marks")
    add("--duplicate", choices=_choices(DUPLICATE_RULES), help="a candidate ranked again")
    add("--max-skipped", type=int, metavar="K", help="skipped ranks allowed before the next mark")
    add("--max-rankings", type=int, metavar="K", help="positions read")
    add("--winner-mode", choices=_choices(WINNER_MODES))
    add("--bottoms-up-percent", metavar="P", help="--winner-mode bottoms-up-percent: e.g. 15")
    add("--quota", choices=QUOTAS, help="multi-seat threshold")
    add("--non-integer-threshold", action="store_true", default=None)
    add("--first-round-threshold", action="store_true", default=None)
    add("--decimal-places", type=int, metavar="D", help="decimals of surplus arithmetic")
    add("--minimum-votes", type=int, metavar="N", help="fewer votes exclude a candidate")
    add("--batch", action="store_true", default=None, help="batch elimination")
    add("--continue-until-two", action="store_true", default=None, help="one seat")
    add("--stop-after-round", type=int, metavar="N")
    add("--tiebreak", choices=_choices(TIEBREAKS))
    add("--exclude-first", action="append", metavar="NAME", help="placeholder, e.g. UWI")
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="NAME",
        help="a candidate excluded before the count (any method, any format); repeatable",
    )


# command-line option -> Rules field, for the options given as they are
_RULE_OPTIONS = (
    "overvote",
    "duplicate",
    "max_skipped",
    "max_rankings",
    "winner_mode",
    "bottoms_up_percent",
    "quota",
    "non_integer_threshold",
    "first_round_threshold",
    "decimal_places",
    "minimum_votes",
    "batch",
    "continue_until_two",
    "stop_after_round",
    "tiebreak",
    "exclude_first",
)


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def _given(options: Mapping[str, Any]) -> list[str]:
    """The rule options given on the command line (not left at None)."""
    keys = [*_RULE_OPTIONS, "rctab_config"]
    return [k for k in keys if options.get(k) not in (None, [])]


def _read_rctab_config(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as stream:
            config = json.load(stream)
    except OSError as exc:
        raise TallyError(f"{path}: cannot read the RCTab configuration ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise TallyError(f"{path}, line {exc.lineno}: not JSON ({exc.msg})") from exc
    if not isinstance(config, dict):
        raise TallyError(f"{path}: an RCTab configuration is a JSON object")
    return config


def _config_contest(config: Mapping[str, Any]) -> str | None:
    """The contest an RCTab configuration counts (its first CVR source's ``contestId``)."""
    sources = config.get("cvrFileSources") or []
    first = sources[0] if isinstance(sources, list) and sources else {}
    contest = first.get("contestId") if isinstance(first, dict) else None
    return str(contest) if contest not in (None, "") else None


def _config_first_column(config: Mapping[str, Any]) -> int | None:
    """The first vote column of an RCTab generic-CSV source (``firstVoteColumnIndex``)."""
    sources = config.get("cvrFileSources") or []
    first = sources[0] if isinstance(sources, list) and sources else {}
    if not isinstance(first, dict) or str(first.get("provider", "")).lower() != "genericcsv":
        return None
    text = str(first.get("firstVoteColumnIndex") or "").strip()
    if not text.isdigit() or int(text) < 1:
        return None
    return int(text)


def _as_configured(profile: Profile, config: Mapping[str, Any]) -> Profile:
    """The profile with the candidates an RCTab configuration declares, in its order.

    RCTab starts every declared candidate at 0 even if no ballot names them (so they go out
    in round 1), breaks ties by candidate order in the configuration's order, and counts
    the undeclared write-in label as a candidate whether or not a ballot marks it. Names only
    the file has follow the declared ones.
    """
    declared = config.get("candidates") or []
    order = [str(c["name"]) for c in declared if isinstance(c, dict) and c.get("name")]
    try:
        labels = from_rctab_config(config).exclude_first
    except TallyError:
        labels = ()  # reported with the file's name when the rules are read
    order += [n for n in profile.candidates if n not in order]
    order += [label for label in labels if label not in order]
    if order == list(profile.candidates):
        return profile
    return renumber(profile, [order.index(n) for n in profile.candidates], order)


def rules_from_options(options: Mapping[str, Any], profile: Profile, *, seats: int | None) -> Rules:
    """The Rules of a command line: --rctab-config first, then every flag given over it.

    A configuration's excluded candidates and write-in label that the file does not name
    are left out (they hold no ballot); names given with the flags must be in the file.
    """
    base = Rules()
    if options.get("rctab_config"):
        path = options["rctab_config"]
        try:
            base = from_rctab_config(_read_rctab_config(path))
        except TallyError as exc:
            message = str(exc)
            raise TallyError(message if message.startswith(path) else f"{path}: {message}") from exc
        names = set(profile.candidates)
        base = replace(
            base,
            exclude_first=tuple(n for n in base.exclude_first if n in names),
            excluded=tuple(n for n in base.excluded if n in names),
        )
    changes: dict[str, Any] = {}
    for key in _RULE_OPTIONS:
        value: Any = options.get(key)
        if value is None or value == []:
            continue
        if isinstance(value, str) and key not in ("bottoms_up_percent",):
            value = value.replace("-", "_")
        if key == "bottoms_up_percent":
            try:
                value = Fraction(value) / 100
            except (ValueError, ZeroDivisionError):
                raise TallyError(f"--bottoms-up-percent: '{value}' is not a number") from None
            if "winner_mode" not in changes and options.get("winner_mode") is None:
                changes["winner_mode"] = "bottoms_up_percent"
        if key == "exclude_first":
            value = tuple(value)
        changes[key] = value
    if options.get("seed") is not None:
        changes["seed"] = options["seed"]
    if seats is not None:
        changes["seats"] = seats
    rules = replace(base, **changes)
    mode_given = "winner_mode" in changes or options.get("rctab_config")
    if not mode_given and rules.winner_mode == "single" and rules.seats != 1:
        rules = replace(rules, winner_mode="multiple_per_round")
    if rules.winner_mode == "bottoms_up_percent" and "seats" not in changes:
        rules = replace(rules, seats=0)
    return rules


def _exclude(profile: Profile, names: list[str]) -> Profile:
    """The profile with the candidates named by --exclude withdrawn (any method)."""
    unknown = [name for name in names if name not in profile.candidates]
    if unknown:
        raise TallyError(f"--exclude names no candidate in the file: {', '.join(unknown)}")
    out = {profile.candidates.index(name) for name in names}
    return replace(profile, withdrawn=profile.withdrawn | out)


def count_file(profile: Profile, options: Mapping[str, Any]) -> Result:
    """Count a profile by the method and rules of a command line (see run)."""
    method = options["method"]
    minneapolis = method == "stv" and options.get("stv_rules") == "minneapolis"
    given = _given(options)
    if options.get("exclude"):
        profile = _exclude(profile, options["exclude"])
    if given and not (method == "irv" or minneapolis):
        flags = ", ".join(_flag(k) for k in given)
        where = f"--method {method}" + (
            f" --stv-rules {options.get('stv_rules')}" if method == "stv" else ""
        )
        raise TallyError(f"{flags} cannot be used with {where}: {RULES_ONLY}")
    if method == "irv" and given:
        seats = options.get("seats")
        if seats not in (None, 1):
            raise TallyError("IRV fills one seat; use --method stv for several")
        rules = rules_from_options(options, profile, seats=None)
        if rules.seats != 1 or rules.winner_mode != "single":
            raise TallyError(
                f"the rules fill {rules.seats} seat(s) by winner mode "
                f"'{rules.winner_mode}': count them with --method stv --stv-rules minneapolis"
            )
        return irv(profile, rules=rules)
    if minneapolis:
        seats = options.get("seats")
        if seats is None and not options.get("rctab_config"):
            seats = profile.seats or 1
        rules = rules_from_options(options, profile, seats=seats)
        return minneapolis_stv(profile, rules=rules)
    return count(
        profile,
        method,
        seats=options.get("seats"),
        seed=options.get("seed"),
        stv_rules=options.get("stv_rules") or "scottish",
    )


def _files(options: Mapping[str, Any]) -> list[str]:
    files = options["file"]
    return [str(files)] if isinstance(files, (str, Path)) else [str(f) for f in files]


def load_files(
    options: Mapping[str, Any], *, contest: str | None, first_column: int | None
) -> Profile:
    """The ballots of every FILE given, one contest read from each and counted together.

    Files that name different candidates are put together over all their names (a
    candidate missing from one file is simply not on its ballots). A malformed file raises
    TallyError naming the file, the record and the field.
    """
    parts: list[Profile] = []
    for path in _files(options):
        try:
            parts.append(
                load_profile(path, options["format"], contest=contest, first_column=first_column)
            )
        except BallotFileError as exc:
            raise TallyError(f"{path}, {exc}") from exc
    if len(parts) == 1:
        return parts[0]
    names: list[str] = []
    for part in parts:
        names += [n for n in part.candidates if n not in names]
    same = [renumber(p, [names.index(n) for n in p.candidates], names) for p in parts]
    return concat(same)


def _run_motion(options: Mapping[str, Any]) -> str:
    """A motion's outcome from its ballot file and its rules (kenes.core.tally.motion)."""
    try:
        profile = load_files(
            options, contest=options.get("contest"), first_column=options.get("first_column")
        )
        result = motion_result(
            motion_votes(profile),
            electorate=options["electorate"],
            quorum_percent=options["quorum_percent"],
            majority=options["majority"],
            base=options["base"],
        )
    except BallotFileError as exc:
        raise TallyCommandError(f"{', '.join(_files(options))}, {exc}") from exc
    except (TallyError, ValueError, OSError) as exc:
        raise TallyCommandError(str(exc)) from exc
    if options["json"]:
        return json.dumps(result, ensure_ascii=False)
    votes = result["votes"]
    return "\n".join(
        [
            f"motion: yes {votes['yes']}, no {votes['no']}, abstain {votes['abstain']}; "
            f"{result['cast']} cast of {result['electorate']}",
            f"quorum {result['quorum_percent']}% = {result['quorum_votes']} votes: "
            + ("met" if result["quorum_met"] else "NOT met"),
            f"yes share {result['yes_share']} of {result['base']} ({result['base_votes']}), "
            f"majority {result['majority']}",
            "CARRIED" if result["carried"] else "NOT CARRIED",
        ]
    )


def run(options: Mapping[str, Any]) -> str:
    """Read and count the file; the text to print (without a final newline).

    Raises TallyCommandError for a malformed file or a count that cannot be run.
    """
    if options["method"] == "motion":
        return _run_motion(options)
    try:
        config = _read_rctab_config(options["rctab_config"]) if options.get("rctab_config") else {}
        contest = options.get("contest") or _config_contest(config)
        first_column = options.get("first_column") or _config_first_column(config)
        profile = load_files(options, contest=contest, first_column=first_column)
        if config:
            profile = _as_configured(profile, config)
        result = count_file(profile, options)
        written = _write_report(options, profile, result)
    except BallotFileError as exc:
        raise TallyCommandError(f"{', '.join(_files(options))}, {exc}") from exc
    except (TallyError, ValueError, OSError) as exc:
        raise TallyCommandError(str(exc)) from exc
    if options["json"]:
        return json.dumps(result_json(result), ensure_ascii=False)
    names = result.candidates
    out = [f"{result.method}, {result.seats} seat(s), seed {result.seed}"]
    out += [f"Note: {note}" for note in result.notes]  # what the reader ignored
    for r in result.rounds:
        out.append(f"Round {r.number}: {r.action}")
        for c, v in sorted(r.votes.items(), key=lambda cv: -cv[1]):
            out.append(f"  {names[c]:<40} {decimal_string(v):>18}")
        out.append(f"  {'exhausted':<40} {decimal_string(r.exhausted):>18}")
        for line in r.why:
            out.append(f"  - {line}")
    out.append("Winners: " + ", ".join(result.winner_names))
    out += [f"RCTab summary: {path}" for path in written]
    return "\n".join(out)


def _write_report(options: Mapping[str, Any], profile: Profile, result: Result) -> list[str]:
    """Write the --report file(s) (docs/tally.md, "--report rctab"); the paths written."""
    if options.get("report") is None:
        if options.get("report_file"):
            raise TallyError("--report-file needs --report rctab")
        return []
    method = options["method"]
    if not (method == "irv" or (method == "stv" and options.get("stv_rules") == "minneapolis")):
        rules = f" --stv-rules {options.get('stv_rules')}" if method == "stv" else ""
        raise TallyError(
            f"--report rctab describes a ranked-choice count as RCTab makes it (--method irv, "
            f"or --method stv --stv-rules minneapolis), not --method {method}{rules}"
        )
    path = options.get("report_file")
    if not path:
        name = Path(_files(options)[0]).name.split(".")[0] or "tally"
        path = f"{name}_summary.json"
    if options.get("rctab_config"):
        details = details_from_rctab_config(_read_rctab_config(options["rctab_config"]))
    else:
        details = {"contest": options.get("contest") or profile.title}
    return [str(p) for p in write_rctab_summary(path, result, profile, **details)]


def main(argv: list[str]) -> int:
    """`kenes tally ARGS` without Django: print the result, or the error as Django would.

    A failed count prints "CommandError: <message>" on stderr and returns 1, as the
    management command does when run from the command line.
    """
    parser = argparse.ArgumentParser(prog="kenes tally", description=HELP)
    add_arguments(parser)
    # Django's options common to every command, accepted so that the same command lines work
    parser.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=1)
    parser.add_argument("--traceback", action="store_true", help="raise on error")
    parser.add_argument("--no-color", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--force-color", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-checks", action="store_true", help=argparse.SUPPRESS)
    options = vars(parser.parse_args(argv))
    try:
        text = run(options)
    except TallyCommandError as exc:
        if options["traceback"]:
            raise
        sys.stderr.write(f"CommandError: {exc}\n")
        return 1
    sys.stdout.write(text + "\n")
    return 0
