"""RCTab's own regression test sets as an outside oracle (tests/core/tally/data/rctab, see its
SOURCE.md): each set's configuration is read with ``from_rctab_config``, its cast-vote records
with our readers, counted with ``rcv`` and compared with the report RCTab is expected to write:
winners, every round's tally, threshold, who was elected or eliminated with their transfers,
inactive ballots by reason — and, as RCTab's expected report is in the shape ``rctab_summary``
writes (RCTab 2.0, ``jsonFormatVersion`` "1"), the whole document."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kenes.core.tally.command import main
from kenes.core.tally.formats import load_profile
from kenes.core.tally.methods.rcv import rcv
from kenes.core.tally.profile import Profile, build_profile, concat, renumber
from kenes.core.tally.rctab_report import (
    RCTAB_WRITE_IN,
    details_from_rctab_config,
    rctab_summaries,
    rctab_summary,
)
from kenes.core.tally.result import Result
from kenes.core.tally.rules import Rules, from_rctab_config
from tests.shared_data import SHARED_DATA

DATA = Path(__file__).parent / "data" / "rctab"
# CVR files RCTab's sets share that are here already, in ../shared/data/ballots: the 2013
# Minneapolis Park Board ES&S workbook (1.9 MB), read from its aggregated CSV (the same ballots,
# see minneapolis-rctab/SOURCE.md) so that the sets stay fast
SHARED = {
    "../_shared/2013_minneapolis_park_cvr.xlsx": SHARED_DATA
    / "ballots"
    / "minneapolis-rctab"
    / "2013_minneapolis_park"
    / "2013_minneapolis_park_ballots_aggregated.csv.gz",
}


def _has_cvr(folder: Path) -> bool:
    config = json.loads((folder / f"{folder.name}_config.json").read_text(encoding="utf-8"))
    paths = [str(source["filePath"]) for source in config["cvrFileSources"]]
    return all(path in SHARED or (folder / path).exists() for path in paths)


# sets whose cast-vote records are here (dominion_multi_file is config and report only: the
# index holds no CandidateManifest.json of it; see test_uwi_without_votes_... below)
SETS = sorted(p.name for p in DATA.iterdir() if p.is_dir() and _has_cvr(p))

# set -> why RCTab's report is not followed (each a strict xfail: it fails today, and the
# day it passes the mark must go)
DISAGREE: dict[str, str] = {}

# RCTab provider -> our format name (None: from the file's extension)
_FORMATS = {
    "cdf": None,
    "clearballot": "clearballot",
    "dominion": "dominion",
    "ess": "ess",
    "genericcsv": "csv",
}


def _config(name: str) -> dict[str, Any]:
    return json.loads((DATA / name / f"{name}_config.json").read_text(encoding="utf-8"))


def _in_config_order(profile: Profile, config: dict[str, Any]) -> Profile:
    """The profile with RCTab's candidates: those the configuration declares, in its order
    (which RCTab's tie-break by candidate order and its reports follow), even if no ballot
    names them (RCTab's RoundTally starts every declared candidate at 0), then those only the
    file names (e.g. the undeclared write-in label)."""
    order = [str(c["name"]) for c in config.get("candidates", ())]
    order += [n for n in profile.candidates if n not in order]
    return renumber(profile, [order.index(n) for n in profile.candidates], order)


@cache
def _counted(name: str) -> tuple[Profile, Rules, Result, dict[str, Any]]:
    config = _config(name)
    rules = from_rctab_config(config)
    parts = []
    for source in config["cvrFileSources"]:
        provider = str(source.get("provider", "")).lower()
        contest = str(source.get("contestId") or "") or None
        path = DATA / name / str(source["filePath"])
        if str(source["filePath"]) in SHARED:
            profile = load_profile(SHARED[str(source["filePath"])])
        elif provider == "genericcsv":  # one column per candidate from firstVoteColumnIndex
            first = int(source.get("firstVoteColumnIndex") or 1)
            profile = load_profile(path, "csv", first_column=first)
        else:
            profile = load_profile(path, _FORMATS[provider], contest=contest)
        parts.append(_in_config_order(profile, config))
    profile = parts[0] if len(parts) == 1 else concat(parts)
    return profile, rules, rcv(profile, rules), config


def _expected(name: str) -> list[dict[str, Any]]:
    folder = DATA / name
    single = folder / f"{name}_expected_detailed_report.json"
    if single.exists():
        return [json.loads(single.read_text(encoding="utf-8"))]
    passes = sorted(folder.glob(f"{name}_*_expected_detailed_report.json"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in passes]


def _ours(name: str) -> list[dict[str, Any]]:
    profile, rules, result, config = _counted(name)
    theirs = _expected(name)
    return rctab_summaries(
        result,
        profile,
        rules=rules,
        **details_from_rctab_config(config),
        generated_by=theirs[0]["config"]["generatedBy"],
    )


def _mark(name: str) -> Any:
    if name in DISAGREE:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=DISAGREE[name]))
    return name


@pytest.mark.parametrize("name", [_mark(n) for n in SETS])
def test_winners_equal_rctab(name: str) -> None:
    profile, _, result, _ = _counted(name)
    names = [
        RCTAB_WRITE_IN if profile.candidates[c] in _placeholders(name) else profile.candidates[c]
        for c in result.winners
    ]
    expected = [
        action["elected"]
        for summary in _expected(name)
        for round_ in summary["results"]
        for action in round_["tallyResults"]
        if "elected" in action
    ]
    assert sorted(names) == sorted(expected)


def _placeholders(name: str) -> set[str]:
    return set(from_rctab_config(_config(name)).exclude_first)


@pytest.mark.parametrize("name", [_mark(n) for n in SETS])
def test_every_round_equals_rctab(name: str) -> None:
    """Tally, threshold, elected/eliminated with transfers, inactive ballots by reason."""
    ours, theirs = _ours(name), _expected(name)
    assert len(ours) == len(theirs)
    for mine_pass, their_pass in zip(ours, theirs, strict=True):
        assert len(mine_pass["results"]) == len(their_pass["results"])
        for mine, official in zip(mine_pass["results"], their_pass["results"], strict=True):
            where = f"round {official['round']}"
            assert mine["tally"] == official["tally"], where
            assert mine["threshold"] == official["threshold"], where
            assert mine["tallyResults"] == official["tallyResults"], where
            assert mine["inactiveBallots"] == official["inactiveBallots"], where
        assert mine_pass["summary"] == their_pass["summary"]


@pytest.mark.parametrize("name", [_mark(n) for n in SETS])
def test_whole_report_equals_rctab(name: str) -> None:
    assert _ours(name) == _expected(name)


def test_uwi_without_votes_does_not_delay_a_majority_winner() -> None:
    """RCTab's Dominion multi-file set (San Francisco 2020, Board of Supervisors District 3,
    contest 13): the undeclared write-in label names a candidate nobody marked. RCTab blocks
    winners only while undeclared write-ins hold votes (Tabulator.identifyWinners: tally signum
    != 0) and drops them as write-ins only then (dropUndeclaredWriteIns), so Peskin's first-round
    majority elects him in round 1 and the report is one round long, the write-ins at "0".

    The set's CVR export cannot be read from the index (its CandidateManifest.json is not
    there), so the ballots are built to give the published report: first choices 9 / 4 / 1 / 3,
    no one for the write-ins, 8 ballots blank (25 in all). The report has one round, so it
    depends on nothing else."""
    name = "dominion_multi_file"
    config = _config(name)
    rules = from_rctab_config(config)
    assert rules.exclude_first == ("122",)
    names = [str(c["name"]) for c in config["candidates"]] + ["122"]
    ballots = [(9, [[0]]), (4, [[1]]), (1, [[2]]), (3, [[3]]), (8, [])]
    profile = build_profile(names, ballots)
    result = rcv(profile, rules)
    [theirs] = _expected(name)
    ours = rctab_summary(
        result,
        profile,
        rules=rules,
        **details_from_rctab_config(config),
        generated_by=theirs["config"]["generatedBy"],
    )
    assert ours == theirs


GENERATED_BY = re.compile(r'"generatedBy" : "[^"]*"')
# one CVR file each (the command reads one FILE); the generic CSV's firstVoteColumnIndex
# reaches the reader through --rctab-config
CLI_SETS = [n for n in SETS if len(_config(n)["cvrFileSources"]) == 1]
CLI_DISAGREE: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=CLI_DISAGREE[n]))
        if n in CLI_DISAGREE
        else n
        for n in CLI_SETS
    ],
)
def test_kenes_tally_writes_rctabs_file_byte_for_byte(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kenes tally FILE --rctab-config … --report rctab` from the set's own files: the
    report(s) differ from RCTab's only in the tabulator's name."""
    folder = DATA / name
    config = _config(name)
    [source] = config["cvrFileSources"]
    path = SHARED.get(str(source["filePath"]), folder / str(source["filePath"]))
    seats = int(config["rules"].get("numberOfWinners") or 1)
    method = ["irv"] if seats == 1 else ["stv", "--stv-rules", "minneapolis"]
    report = tmp_path / "summary.json"
    args = [str(path), "--method", *method, "--rctab-config", str(folder / f"{name}_config.json")]
    args += ["--report", "rctab", "--report-file", str(report)]
    if source.get("contestId"):
        args += ["--contest", str(source["contestId"])]
    assert main(args) == 0
    capsys.readouterr()
    written = sorted(tmp_path.glob("summary*.json"))
    expected = sorted(folder.glob(f"{name}*_expected_detailed_report.json"))
    assert len(written) == len(expected)
    for ours, theirs in zip(written, expected, strict=True):
        assert GENERATED_BY.sub("", ours.read_text(encoding="utf-8")) == GENERATED_BY.sub(
            "", theirs.read_text(encoding="utf-8")
        ), theirs.name


def _legacy_config(**rules: Any) -> dict[str, Any]:
    """An RCTab 1.x configuration: labels in ``rules``, none on the CVR source."""
    base = {
        "tiebreakMode": "random",
        "overvoteRule": "alwaysSkipToNextRank",
        "randomSeed": "0",
        "decimalPlacesForVoteArithmetic": "4",
        "maxSkippedRanksAllowed": "2",
        "maxRankingsAllowed": "3",
    }
    return {
        "cvrFileSources": [{"filePath": "cvr.xlsx", "provider": "ess"}],
        "candidates": [],
        "rules": {**base, **rules},
    }


def test_a_legacy_write_in_label_in_rules_is_excluded_first() -> None:
    """RCTab 1.x kept ``undeclaredWriteInLabel`` in ``rules`` (e.g. the 2013 Minneapolis Park
    bottoms-up set's config at 2903c94); RCTab's ContestConfigMigration moves it to every CVR
    source. Read without it, the write-ins would be counted as a candidate."""
    config = _legacy_config(
        winnerElectionMode="multiSeatBottomsUp", numberOfWinners="3", undeclaredWriteInLabel="UWI"
    )
    rules = from_rctab_config(config)
    assert rules.exclude_first == ("UWI",)
    assert rules.winner_mode == "bottoms_up"
    assert "undeclaredWriteInLabel" not in rules.extra


def test_legacy_bottoms_up_with_a_percentage_is_the_percentage_mode() -> None:
    """ContestConfigMigration: ``multiSeatBottomsUp`` becomes the percentage mode when the
    number of winners is 0 *or* a percentage is given."""
    config = _legacy_config(
        winnerElectionMode="multiSeatBottomsUp",
        numberOfWinners="3",
        multiSeatBottomsUpPercentageThreshold="15",
    )
    rules = from_rctab_config(config)
    assert rules.winner_mode == "bottoms_up_percent"
    assert rules.bottoms_up_percent == Fraction(15, 100)
