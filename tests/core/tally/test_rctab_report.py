"""`--report rctab`: our count in the JSON shape RCTab writes, against RCTab's own reports of
the three Minneapolis contests (tests/../shared/data/ballots/minneapolis-rctab)."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from kenes.core.tally import (
    TallyError,
    build_profile,
    irv,
    load_profile,
    minneapolis_stv,
    scottish_stv,
)
from kenes.core.tally.methods.rcv import rcv
from kenes.core.tally.profile import Profile
from kenes.core.tally.rctab_report import (
    RCTAB_WRITE_IN,
    bigdecimal_text,
    details_from_rctab_config,
    rctab_json_text,
    rctab_summary,
    rules_of,
    write_rctab_summary,
)
from kenes.core.tally.result import Result
from kenes.core.tally.rules import Rules, from_rctab_config

CONTESTS = ["2013_minneapolis_mayor", "2013_minneapolis_park", "2017_minneapolis_mayor"]
REASONS = ("exhaustedChoices", "overvotes", "repeatedRankings", "skippedRankings")


def _contest(ballots: Path, contest: str) -> tuple[Profile, dict[str, Any], dict[str, Any]]:
    folder = ballots / "minneapolis-rctab" / contest
    profile = load_profile(folder / f"{contest}_ballots_aggregated.csv.gz")
    config = json.loads((folder / f"{contest}_config.json").read_text())
    expected = json.loads((folder / f"{contest}_expected_detailed_report.json").read_text())
    return profile, config, expected


def _count_as_configured(profile: Profile, config: dict[str, Any]) -> tuple[Result, Rules]:
    """The count under the rules of the contest's RCTab configuration."""
    rules = from_rctab_config(config)
    return rcv(profile, rules), rules


def _summary(ballots: Path, contest: str) -> tuple[dict[str, Any], dict[str, Any]]:
    profile, config, expected = _contest(ballots, contest)
    result, rules = _count_as_configured(profile, config)
    ours = rctab_summary(
        result,
        profile,
        rules=rules,
        **details_from_rctab_config(config),
        generated_by=expected["config"]["generatedBy"],
    )
    return ours, expected


@pytest.mark.parametrize("contest", CONTESTS)
def test_summary_config_and_totals_equal_rctab(contest: str, ballots: Path) -> None:
    ours, theirs = _summary(ballots, contest)
    assert ours["jsonFormatVersion"] == theirs["jsonFormatVersion"] == "1"
    assert ours["config"] == theirs["config"]
    assert ours["summary"] == theirs["summary"]
    assert list(ours) == sorted(theirs)


@pytest.mark.parametrize("contest", CONTESTS)
def test_every_round_tally_threshold_and_transfers_equal_rctab(contest: str, ballots: Path) -> None:
    ours, theirs = _summary(ballots, contest)
    assert len(ours["results"]) == len(theirs["results"])
    for mine, official in zip(ours["results"], theirs["results"], strict=True):
        where = f"round {official['round']}"
        assert mine["round"] == official["round"]
        assert mine["tally"] == official["tally"], where
        assert list(mine["tally"]) == list(official["tally"]), where
        assert mine["threshold"] == official["threshold"], where
        assert mine["tallyResults"] == official["tallyResults"], where


@pytest.mark.parametrize("contest", CONTESTS)
def test_every_round_inactive_total_equals_rctab(contest: str, ballots: Path) -> None:
    ours, theirs = _summary(ballots, contest)
    for mine, official in zip(ours["results"], theirs["results"], strict=True):
        where = f"round {official['round']}"
        mine_total = sum(Fraction(mine["inactiveBallots"][k]) for k in REASONS)
        official_total = sum(Fraction(official["inactiveBallots"][k]) for k in REASONS)
        assert mine_total == official_total, where
        assert mine["inactiveBallots"].get("finalRoundSurplus") == official["inactiveBallots"].get(
            "finalRoundSurplus"
        ), where


@pytest.mark.parametrize("contest", CONTESTS)
def test_every_round_inactive_ballots_by_reason_equal_rctab(contest: str, ballots: Path) -> None:
    ours, theirs = _summary(ballots, contest)
    for mine, official in zip(ours["results"], theirs["results"], strict=True):
        assert mine["inactiveBallots"] == official["inactiveBallots"], f"round {mine['round']}"


@pytest.mark.parametrize("contest", CONTESTS)
def test_report_is_rctabs_file_byte_for_byte(contest: str, ballots: Path, tmp_path: Path) -> None:
    """Including, for the Park Board, "9452.0000" after a winner's ballots moved on (scale 4)
    and "14866" for a winner set back to the threshold: a text diff of the two tabulators
    shows nothing."""
    profile, config, expected = _contest(ballots, contest)
    folder = ballots / "minneapolis-rctab" / contest
    result, rules = _count_as_configured(profile, config)
    path = tmp_path / "summary.json"
    written = write_rctab_summary(
        path,
        result,
        profile,
        rules=rules,
        **details_from_rctab_config(config),
        generated_by="RCTab 2.0.0",
    )
    assert written == [path]
    official = (folder / f"{contest}_expected_detailed_report.json").read_text()
    assert path.read_text() == official


# -- the Park Board ballots under other RCTab settings: RCTab's expected reports for them
# (BrightSpots/rcv src/test/resources/network/brightspots/rcv/test_data/
# 2013_minneapolis_park_{hare,bottoms_up,sequential}/*_expected_detailed_report.json, RCTab 2.0;
# the same CVR as 2013_minneapolis_park)


def _park_under(ballots: Path, **settings: Any) -> tuple[Result, Rules, Profile]:
    profile, config, _ = _contest(ballots, "2013_minneapolis_park")
    config["rules"].update(settings)
    rules = from_rctab_config(config)
    return rcv(profile, rules), rules, profile


def test_park_board_under_the_hare_quota_equals_rctabs_report(ballots: Path) -> None:
    result, rules, profile = _park_under(ballots, hareQuota=True)
    report = rctab_summary(result, profile, rules=rules)
    rounds = report["results"]
    assert len(rounds) == 10
    assert {r["threshold"] for r in rounds} == {"19821"}
    assert rounds[8]["tallyResults"] == [
        {"elected": "ANNIE YOUNG", "transfers": {}},
        {
            "elected": "JOHN ERWIN",
            "transfers": {"exhausted": "1827.2600", "residual surplus": "1.7400"},
        },
        {"elected": "MEG FORNEY", "transfers": {}},
    ]
    assert rounds[9]["tally"] == {
        "ANNIE YOUNG": "13914.0000",
        "JOHN ERWIN": "19821",
        "MEG FORNEY": "11704.0000",
    }
    assert rounds[9]["inactiveBallots"] == {
        "exhaustedChoices": "12262",
        "finalRoundSurplus": "1827.2600",
        "overvotes": "0",
        "repeatedRankings": "0",
        "skippedRankings": "0",
    }
    assert rounds[9]["tallyResults"] == []


def test_park_board_bottoms_up_equals_rctabs_report(ballots: Path) -> None:
    result, rules, profile = _park_under(ballots, winnerElectionMode="multiSeatBottomsUp")
    report = rctab_summary(result, profile, rules=rules)
    rounds = report["results"]
    assert len(rounds) == 9  # no final-round-surplus round: bottoms-up passes no surplus
    assert rounds[8]["tally"] == {
        "ANNIE YOUNG": "13914",
        "JOHN ERWIN": "21650",
        "MEG FORNEY": "11704",
    }
    assert rounds[8]["tallyResults"] == [
        {"elected": "ANNIE YOUNG", "transfers": {}},
        {"elected": "JOHN ERWIN", "transfers": {}},
        {"elected": "MEG FORNEY", "transfers": {}},
    ]
    assert "finalRoundSurplus" not in rounds[8]["inactiveBallots"]
    assert rounds[8]["threshold"] == report["summary"]["finalThreshold"] == "14866"


def test_park_board_sequential_is_rctabs_three_reports(ballots: Path, tmp_path: Path) -> None:
    result, rules, profile = _park_under(
        ballots, winnerElectionMode="multiSeatSequentialWinnerTakesAll"
    )
    paths = write_rctab_summary(tmp_path / "summary.json", result, profile, rules=rules)
    assert [p.name for p in paths] == ["summary_1.json", "summary_2.json", "summary_3.json"]
    passes = [json.loads(p.read_text()) for p in paths]
    assert [len(s["results"]) for s in passes] == [10, 9, 8]
    assert [s["summary"]["finalThreshold"] for s in passes] == ["20163", "18458", "15675"]
    assert [s["summary"]["numWinners"] for s in passes] == [1, 1, 1]
    assert [s["results"][-1]["tallyResults"] for s in passes] == [
        [{"elected": "JOHN ERWIN", "transfers": {}}],
        [{"elected": "ANNIE YOUNG", "transfers": {}}],
        [{"elected": "MEG FORNEY", "transfers": {}}],
    ]
    second = passes[1]["results"][0]
    assert second["threshold"] == "28701"
    assert second["inactiveBallots"]["exhaustedChoices"] == "2129"
    assert "JOHN ERWIN" not in second["tally"]  # the first pass's winner stands no more
    assert second["tally"]["ANNIE YOUNG"] == "12947"
    assert second["tallyResults"] == [
        {
            "eliminated": RCTAB_WRITE_IN,
            "transfers": {
                "ANNIE YOUNG": "9",
                "CASPER HILL": "4",
                "HASHIM YONIS": "6",
                "ISHMAEL ISRAEL": "5",
                "JASON STONE": "9",
                "MARY LYNN MCPHERSON": "5",
                "MEG FORNEY": "8",
                "STEVE BARLAND": "3",
                "TOM NORDYKE": "7",
                "exhausted": "300",
            },
        }
    ]
    assert passes[0]["results"][8]["tallyResults"] == [
        {
            "eliminated": "MEG FORNEY",
            "transfers": {"ANNIE YOUNG": "3420", "JOHN ERWIN": "1340", "exhausted": "6944"},
        }
    ]


# -- hand-built counts: each rule of the shape with a profile whose report depends on it --


def _stv(profile: Profile, seats: int) -> Result:
    return minneapolis_stv(profile, seats, seed=0, decimal_places=4)


def test_winner_exactly_at_threshold_passes_nothing_but_later_figures_carry_four_decimals() -> None:
    # 9 ballots, 2 seats: threshold 4. A reaches exactly 4 (surplus fraction 0): A's ballots
    # move on worth 0.0000, so RCTab prints B's and C's tallies (which receive them) with
    # four decimals from then on, and A's transfers are empty (no ballot worth more than 0).
    profile = build_profile(
        ["A", "B", "C", "D"],
        [(2, [[0], [1]]), (2, [[0], [2]]), (2, [[1]]), (2, [[2]]), (1, [[3]])],
    )
    report = rctab_summary(_stv(profile, 2), profile)
    first, second = report["results"][0], report["results"][1]
    assert first["threshold"] == "4"
    assert first["tallyResults"] == [{"elected": "A", "transfers": {}}]
    assert second["tally"] == {"A": "4.0000", "B": "2.0000", "C": "2.0000", "D": "1"}


def test_surplus_transfer_is_fractional_and_residual_surplus_is_named() -> None:
    # 10 ballots, 2 seats: threshold 4. A has 7 (surplus 3, fraction 0.4285 truncated): each
    # ballot passes 0.4285, 7 x 0.4285 = 2.9995 moves, 0.0005 stays as residual surplus.
    profile = build_profile(["A", "B", "C"], [(7, [[0], [1]]), (2, [[1]]), (1, [[2]])])
    report = rctab_summary(_stv(profile, 2), profile)
    elected = report["results"][0]["tallyResults"][0]
    assert elected == {
        "elected": "A",
        "transfers": {"B": "2.9995", "residual surplus": "0.0005"},
    }
    assert report["results"][1]["tally"]["A"] == "4"  # set back to the threshold


def test_batch_elimination_transfers_are_split_by_source() -> None:
    # C (1) and D (2) together trail B (4): both excluded at once; each one's ballots are
    # reported under their own name.
    profile = build_profile(
        ["A", "B", "C", "D"],
        [(5, [[0]]), (4, [[1]]), (1, [[2], [0]]), (2, [[3], [1]])],
    )
    result = irv(profile, seed=0, batch=True)
    report = rctab_summary(result, profile)
    assert report["results"][0]["tallyResults"] == [
        {"eliminated": "C", "transfers": {"A": "1"}},
        {"eliminated": "D", "transfers": {"B": "2"}},
    ]


def test_write_in_placeholder_is_named_as_rctab_names_it_and_blank_ballots_are_undervotes() -> None:
    profile = build_profile(
        ["A", "B", "write-in"],
        [(3, [[0]]), (2, [[1]]), (1, [[2], [1]]), (1, [[2]]), (4, [])],
    )
    result = irv(profile, seed=0, exclude_first=["write-in"])
    report = rctab_summary(result, profile, write_in_label="write-in")
    first = report["results"][0]
    assert first["tally"] == {"A": "3", "B": "2", RCTAB_WRITE_IN: "2"}
    assert first["tallyResults"] == [
        {"eliminated": RCTAB_WRITE_IN, "transfers": {"B": "1", "exhausted": "1"}}
    ]
    assert report["summary"]["undervotes"] == 4
    assert report["summary"]["totalNumBallots"] == "11"
    assert first["inactiveBallots"]["exhaustedChoices"] == "0"  # blank ballots are not inactive


def test_transfers_are_the_engines_flows_when_the_result_has_them() -> None:
    profile = build_profile(["A", "B", "C"], [(3, [[0]]), (2, [[1]]), (1, [[2], [0]])])
    result = irv(profile, seed=0)
    excluded = result.rounds[0]
    assert excluded.excluded == [2]
    excluded.flows = {2: {0: Fraction(1), -1: Fraction(0)}}
    report = rctab_summary(result, profile)
    assert report["results"][0]["tallyResults"] == [{"eliminated": "C", "transfers": {"A": "1"}}]
    # a different engine figure shows as is: the report never re-counts
    excluded.flows = {2: {1: Fraction(1)}}
    report = rctab_summary(result, profile)
    assert report["results"][0]["tallyResults"][0]["transfers"] == {"B": "1"}


def test_inactive_counts_by_reason_are_the_engines_when_the_result_has_them() -> None:
    profile = build_profile(["A", "B", "C"], [(3, [[0]]), (2, [[1]]), (1, [[2]])])
    result = irv(profile, seed=0)
    result.rounds[1].extra["inactive_overvote"] = Fraction(1)
    result.rounds[1].extra["inactive_exhausted"] = Fraction(0)
    report = rctab_summary(result, profile)
    assert report["results"][1]["inactiveBallots"] == {
        "exhaustedChoices": "0",
        "overvotes": "1",
        "repeatedRankings": "0",
        "skippedRankings": "0",
    }


def test_bigdecimal_text_keeps_the_scale_rctab_carries() -> None:
    assert bigdecimal_text(Fraction(9452), False, 4) == "9452"
    assert bigdecimal_text(Fraction(9452), True, 4) == "9452.0000"
    assert bigdecimal_text(Fraction(0), True, 4) == "0.0000"
    assert bigdecimal_text(Fraction(1775192, 10000), True, 4) == "177.5192"


def test_layout_is_jacksons_default_pretty_printer() -> None:
    text = rctab_json_text({"a": {}, "b": [], "c": [{"d": "1"}, {"e": 2}], "f": "é"})
    assert text == (
        '{\n  "a" : { },\n  "b" : [ ],\n  "c" : [ {\n    "d" : "1"\n  }, {\n    "e" : 2\n  } ],'
        '\n  "f" : "é"\n}'
    )
    assert json.loads(text) == {"a": {}, "b": [], "c": [{"d": "1"}, {"e": 2}], "f": "é"}


def test_a_count_under_other_rules_is_refused_in_a_sentence() -> None:
    # counted skipping the equal ranking at the top; reported as if it exhausted the ballot
    profile = build_profile(["A", "B", "C"], [(3, [[0]]), (2, [[1]]), (2, [[0, 1], [2]])])
    result = irv(profile, seed=0, overvote="skip")
    with pytest.raises(TallyError, match=r"cannot follow this count: in round 1 C has 2 votes"):
        rctab_summary(result, profile, rules=Rules(overvote="exhaust"))


def test_a_scottish_stv_count_is_refused_in_a_sentence() -> None:
    # 2 seats, quota 4: A's surplus passes at the Scottish value (5 decimals, all papers)
    profile = build_profile(
        ["A", "B", "C", "D"], [(6, [[0], [1]]), (2, [[1]]), (2, [[2]]), (1, [[3]])]
    )
    with pytest.raises(TallyError, match="Write it for an IRV or RCV count"):
        rctab_summary(scottish_stv(profile, 2, seed=0), profile)


def test_a_sequential_count_is_one_summary_per_pass_as_rctab_writes_it(tmp_path: Path) -> None:
    # two passes of single-seat IRV: A wins the first; the second runs without A
    profile = build_profile(
        ["A", "B", "C"], [(5, [[0], [1]]), (3, [[1]]), (2, [[2], [1]]), (1, [[2], [0]])]
    )
    first = irv(profile, seed=0)
    second = irv(dataclasses.replace(profile, withdrawn=frozenset({0})), seed=0)
    assert first.winner_names == ["A"] and second.winner_names == ["B"]
    rounds = []
    for k, count in enumerate((first, second), start=1):
        for round_ in count.rounds:
            round_.extra["pass"] = Fraction(k)
            rounds.append(dataclasses.replace(round_, number=len(rounds) + 1))
    result = Result("irv", profile.candidates, 2, [0, 1], rounds, 0)
    rules = Rules(winner_mode="sequential", seats=2)
    paths = write_rctab_summary(tmp_path / "summary.json", result, profile, rules=rules)
    assert [p.name for p in paths] == ["summary_1.json", "summary_2.json"]
    one, two = (json.loads(p.read_text()) for p in paths)
    assert one == rctab_summary(first, profile)
    assert [r["round"] for r in two["results"]] == [1]
    assert two["results"][0]["tally"] == {"B": "8", "C": "3"}
    assert two["results"][0]["tallyResults"] == [{"elected": "B", "transfers": {}}]
    assert one["summary"]["numWinners"] == two["summary"]["numWinners"] == 1
    assert two["summary"]["numCandidates"] == 3  # the earlier winner is still a candidate


def test_the_rules_of_an_rcv_result_are_read_back_from_its_options(ballots: Path) -> None:
    profile, config, expected = _contest(ballots, "2013_minneapolis_park")
    rules = from_rctab_config(config)
    result = rcv(profile, rules)
    assert dataclasses.replace(rules_of(result), seed=rules.seed) == rules
    without = rctab_summary(result, profile, **details_from_rctab_config(config))
    assert without["results"] == expected["results"]


def test_the_bottoms_up_percentage_threshold_carries_the_arithmetic_decimals() -> None:
    # RCTab: votes x (15 / 100 divided to 4 decimals) = 11 x 0.1500 = "1.6500"
    profile = build_profile(
        ["A", "B", "C", "D"], [(5, [[0], [1]]), (3, [[1]]), (2, [[2], [1]]), (1, [[3], [0]])]
    )
    rules = Rules(seats=2, winner_mode="bottoms_up_percent", bottoms_up_percent=Fraction(15, 100))
    report = rctab_summary(rcv(profile, rules), profile, rules=rules)
    assert report["results"][0]["threshold"] == "1.6500"
    assert report["results"][0]["tallyResults"][0]["eliminated"] == "D"


def test_more_decimal_places_than_the_replay_holds_exactly_is_refused_in_a_sentence() -> None:
    profile = build_profile(["A", "B"], [(3_000_000, [[0]]), (2_000_000, [[1]])])
    result = irv(profile, seed=0)
    with pytest.raises(TallyError, match="5000000 ballots at 12 decimal places"):
        rctab_summary(result, profile, rules=Rules(decimal_places=12))


def test_two_candidates_that_would_both_be_undeclared_write_ins_are_refused() -> None:
    profile = build_profile(["A", "UWI", "Write-in"], [(3, [[0]]), (1, [[1]]), (1, [[2]])])
    result = irv(profile, seed=0, exclude_first=["UWI", "Write-in"])
    with pytest.raises(TallyError, match="that would be UWI, Write-in"):
        rctab_summary(result, profile)
