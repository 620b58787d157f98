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
from typing import Any

from kenes.core.tally import (
    ALL_STV_RULES,
    METHODS,
    BallotFileError,
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

HELP = (
    "Count a ballot file (BLT, PrefLib .soc/.soi/.toc/.toi, CSV, NIST CVR JSON) by a voting "
    "method and explain each round. Needs no database. JSON shape: docs/tally.md."
)


class TallyCommandError(Exception):
    """The file or the options cannot be counted; the message is for the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="ballot file (.blt, .soc/.soi/.toc/.toi, .csv, .json, or .gz)")
    parser.add_argument("--method", required=True, choices=(*METHODS, "motion"))
    parser.add_argument("--stv-rules", choices=ALL_STV_RULES, default="scottish")
    parser.add_argument("--seats", type=int, help="seats to fill (default: from the file, or 1)")
    parser.add_argument("--format", choices=FORMATS, help="default: by extension")
    parser.add_argument(
        "--contest", help="the contest to count in a cast-vote-record file: its id or name"
    )
    parser.add_argument("--seed", type=int, help="seed for lots (default: random, recorded)")
    only = "IRV and --stv-rules minneapolis only"
    parser.add_argument("--overvote", choices=["exhaust", "skip"], default="exhaust", help=only)
    parser.add_argument("--max-skipped", type=int, help=f"{only}: skipped ranks allowed")
    parser.add_argument("--batch", action="store_true", help=f"{only}: batch elimination")
    parser.add_argument("--exclude-first", action="append", default=[], help=f"{only}: e.g. UWI")
    parser.add_argument(
        "--decimal-places",
        type=int,
        default=4,
        help="--stv-rules minneapolis only: decimals of surplus arithmetic",
    )
    motion = "--method motion only"
    parser.add_argument("--electorate", type=int, default=0, help=f"{motion}: members entitled")
    parser.add_argument("--quorum-percent", type=int, default=0, help=f"{motion}: 0-100")
    parser.add_argument("--majority", choices=MAJORITIES, default="simple", help=motion)
    counts = f"{motion}: what counts as 100%%"
    parser.add_argument("--base", choices=BASES, default="yes_no", help=counts)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _run_motion(options: Mapping[str, Any]) -> str:
    """A motion's outcome from its ballot file and its rules (kenes.core.tally.motion)."""
    try:
        profile = load_profile(options["file"], options["format"], contest=options.get("contest"))
        result = motion_result(
            motion_votes(profile),
            electorate=options["electorate"],
            quorum_percent=options["quorum_percent"],
            majority=options["majority"],
            base=options["base"],
        )
    except BallotFileError as exc:
        raise TallyCommandError(f"{options['file']}, {exc}") from exc
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
        profile = load_profile(options["file"], options["format"], contest=options.get("contest"))
        irv_options = (
            options["overvote"] != "exhaust"
            or options["max_skipped"] is not None
            or options["batch"]
            or options["exclude_first"]
        )
        minneapolis = options["method"] == "stv" and options["stv_rules"] == "minneapolis"
        if minneapolis:
            result = minneapolis_stv(
                profile,
                options["seats"],
                options["seed"],
                overvote=options["overvote"],
                max_skipped=options["max_skipped"],
                batch=options["batch"],
                exclude_first=options["exclude_first"],
                decimal_places=options["decimal_places"],
            )
        elif options["method"] == "irv" and irv_options:
            result = irv(
                profile,
                options["seed"],
                overvote=options["overvote"],
                max_skipped=options["max_skipped"],
                batch=options["batch"],
                exclude_first=options["exclude_first"],
            )
        else:
            result = count(
                profile,
                options["method"],
                seats=options["seats"],
                seed=options["seed"],
                stv_rules=options["stv_rules"],
            )
    except BallotFileError as exc:
        raise TallyCommandError(f"{options['file']}, {exc}") from exc
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
    return "\n".join(out)


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
