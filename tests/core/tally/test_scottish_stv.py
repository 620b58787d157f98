"""Scottish STV (SSI 2007/42 rules 45-52) against Glasgow City Council's 2022 stage reports."""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from kenes.core.tally import build_profile, decimal_string, load_profile, scottish_stv
from tests.core.tally.conftest import BALLOTS

GLASGOW = BALLOTS / "glasgow-2022"


@cache
def _official_stages() -> dict[str, dict[int, dict[str, str]]]:
    stages: dict[str, dict[int, dict[str, str]]] = defaultdict(dict)
    with open(GLASGOW / "official_stages.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            stages[row["ward"]].setdefault(int(row["stage"]), {})[row["candidate"]] = row["votes"]
    return dict(stages)


def _wards() -> list[str]:
    with open(GLASGOW / "official_results.csv", encoding="utf-8", newline="") as f:
        return [row["ward"] for row in csv.DictReader(f)]


def _official_elected(ward: str) -> list[str]:
    with open(GLASGOW / "official_results.csv", encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["ward"] == ward)
    return [e.split("@")[0].encode("latin-1").decode("utf-8") for e in row["elected"].split(";")]


def test_glasgow_has_23_wards_in_the_official_files(ballots: Path) -> None:
    assert len(_wards()) == 23
    assert len(_official_stages()) == 23


@pytest.mark.parametrize("ward", _wards() if GLASGOW.is_dir() else ["data missing"])
def test_glasgow_ward_every_stage_matches_official_to_5_decimals(ward: str, ballots: Path) -> None:
    profile = load_profile(GLASGOW / "blt" / f"{ward}.blt")
    # the count software double-encoded non-ASCII names; the official tables use the real ones
    names = [n.encode("latin-1").decode("utf-8") for n in profile.candidates]
    result = scottish_stv(profile, seed=2022)
    official = _official_stages()[ward]
    assert len(result.rounds) == len(official), "one Kenes round per official stage"
    for stage in result.rounds:
        expected = official[stage.number]
        got = {names[c]: decimal_string(v) for c, v in stage.votes.items()}
        got["Non-transferable votes"] = decimal_string(stage.extra["non_transferable"])
        got["Non-transferable votes due to rounding"] = decimal_string(
            stage.extra["non_transferable_rounding"]
        )
        assert {k: f"{float(v):.5f}" for k, v in got.items()} == expected, f"stage {stage.number}"
    assert sorted(names[c] for c in result.winners) == sorted(_official_elected(ward))
    assert not result.lots, "no tie needed a lot in Glasgow 2022"


def test_surplus_transfer_value_is_truncated_to_5_decimals_and_the_rest_is_rounding_loss() -> None:
    # 3 seats, 13 votes: quota 4; A has 10 first preferences, surplus 6 over 10 papers -> 0.6
    # B gets 7 papers: 4.2; 3 papers non-transferable: 1.8. Then a surplus of 1/3 per paper:
    profile = build_profile(
        ["A", "B", "C", "D"], [(7, [[0], [1]]), (3, [[0]]), (2, [[2]]), (1, [[3]])]
    )
    result = scottish_stv(profile, seats=3, seed=1)
    stage2 = result.rounds[1]
    assert stage2.votes[1] == pytest.approx(4.2)
    assert decimal_string(stage2.extra["non_transferable"]) == "1.8"
    assert result.rounds[0].extra["quota"] == 4


def test_candidate_exactly_on_quota_has_no_surplus_stage() -> None:
    # 2 seats, 9 votes: quota 4; A has exactly 4 -> no transfer stage for A
    profile = build_profile(["A", "B", "C"], [(4, [[0], [1]]), (3, [[1]]), (2, [[2]])])
    result = scottish_stv(profile, seats=2, seed=1)
    assert all("surplus of A" not in r.action for r in result.rounds)


def test_exclusion_tie_is_settled_by_earlier_stages_before_lot() -> None:
    # 18 votes, 2 seats, quota 7. Stage 1: A 8, B 5, D 2, E 3. A's surplus of 1 goes to D,
    # so D and E tie on 3 at stage 2; E had more at stage 1, so D is excluded without a lot.
    profile = build_profile(
        ["A", "B", "D", "E"], [(8, [[0], [2]]), (5, [[1]]), (2, [[2]]), (3, [[3]])]
    )
    result = scottish_stv(profile, seats=2, seed=1)
    assert result.rounds[1].votes[2] == result.rounds[1].votes[3] == 3
    assert result.rounds[2].excluded == [2]
    assert not result.lots


def test_a_lot_is_drawn_from_the_recorded_seed_and_repeats() -> None:
    profile = build_profile(["A", "B", "C"], [(3, [[0]]), (1, [[1]]), (1, [[2]])])
    first = scottish_stv(profile, seats=1, seed=7)
    again = scottish_stv(profile, seats=1, seed=7)
    assert first.winners == again.winners == [0]
    assert first.seed == 7
