"""Minneapolis STV against RCTab's tabulation of the certified 2013 Park Board at-large count."""

from __future__ import annotations

import json
from fractions import Fraction
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kenes.core.tally import Profile, build_profile, count, load_profile, minneapolis_stv
from kenes.core.tally.result import Result

CONTEST = "2013_minneapolis_park"
WRITE_INS = "Undeclared Write-ins"  # RCTab's name for the CVR's UWI token


def _park(ballots: Path) -> tuple[Profile, dict[str, Any]]:
    folder = ballots / "minneapolis-rctab" / CONTEST
    profile = load_profile(folder / f"{CONTEST}_ballots_aggregated.csv.gz")
    expected = json.loads((folder / f"{CONTEST}_expected_detailed_report.json").read_text())
    return profile, expected


def _count_as_configured(profile: Profile, ballots: Path) -> Result:
    """The rules of RCTab's configuration for the certified count."""
    folder = ballots / "minneapolis-rctab" / CONTEST
    rules = json.loads((folder / f"{CONTEST}_config.json").read_text())["rules"]
    assert rules["overvoteRule"] == "alwaysSkipToNextRank"
    assert rules["batchElimination"] is False
    return minneapolis_stv(
        profile,
        int(rules["numberOfWinners"]),
        seed=0,
        overvote="skip",
        max_skipped=int(rules["maxSkippedRanksAllowed"]),
        exclude_first=["UWI"],
        decimal_places=int(rules["decimalPlacesForVoteArithmetic"]),
    )


def _name(name: str) -> str:
    return "UWI" if name == WRITE_INS else name


def test_park_board_2013_elects_erwin_young_forney_in_that_order(ballots: Path) -> None:
    profile, expected = _park(ballots)
    result = _count_as_configured(profile, ballots)
    assert result.winner_names == ["JOHN ERWIN", "ANNIE YOUNG", "MEG FORNEY"]
    assert result.quota == Fraction(expected["summary"]["finalThreshold"]) == 14866


def test_park_board_2013_every_round_equals_the_rctab_report(ballots: Path) -> None:
    profile, expected = _park(ballots)
    result = _count_as_configured(profile, ballots)
    names = profile.candidates
    assert len(result.rounds) == len(expected["results"]) == 11
    for ours, theirs in zip(result.rounds, expected["results"], strict=True):
        where = f"round {ours.number}"
        tally = {_name(name): Fraction(votes) for name, votes in theirs["tally"].items()}
        assert {names[c]: v for c, v in ours.votes.items()} == tally, where
        inactive = theirs["inactiveBallots"]
        assert ours.exhausted == sum(
            Fraction(inactive[k])
            for k in ("exhaustedChoices", "overvotes", "repeatedRankings", "skippedRankings")
        ), where
        assert ours.extra["threshold"] == Fraction(theirs["threshold"]), where
        assert ours.extra.get("final_round_surplus", 0) == Fraction(
            inactive.get("finalRoundSurplus", "0")
        ), where
        decided = theirs["tallyResults"]
        assert [names[c] for c in ours.elected] == [t["elected"] for t in decided if "elected" in t]
        assert [names[c] for c in ours.excluded] == [
            _name(t["eliminated"]) for t in decided if "eliminated" in t
        ], where


def test_park_board_2013_transfers_equal_the_rctab_transfers_of_the_round_before(
    ballots: Path,
) -> None:
    profile, expected = _park(ballots)
    result = _count_as_configured(profile, ballots)
    names = profile.candidates
    for ours, theirs in zip(result.rounds[1:], expected["results"], strict=False):
        received = {
            name: Fraction(v)
            for t in theirs["tallyResults"]
            for name, v in t["transfers"].items()
            if name not in ("exhausted", "residual surplus")
        }
        gained = {names[c]: v for c, v in ours.transfers.items() if v > 0}
        assert gained == received, f"round {ours.number}"


def test_surplus_fraction_and_residual_surplus_are_truncated_to_four_decimals(
    ballots: Path,
) -> None:
    profile, expected = _park(ballots)
    last = _count_as_configured(profile, ballots).rounds[-1]
    # Young 15,044 over a threshold of 14,866: fraction 178/15044 = 0.011831... -> 0.0118;
    # 15,044 ballots pass 0.0118 each = 177.5192; 0.4808 is left over the threshold
    assert last.extra["final_round_surplus"] == Fraction("177.5192")
    assert last.extra["residual_surplus"] == Fraction("0.4808")
    assert expected["results"][-1]["inactiveBallots"]["finalRoundSurplus"] == "177.5192"


def test_blank_ballots_are_not_inactive_but_reported_apart(ballots: Path) -> None:
    profile, expected = _park(ballots)
    first = _count_as_configured(profile, ballots).rounds[0]
    assert first.extra["blank_ballots"] == expected["summary"]["undervotes"] == 20571
    assert first.exhausted == 67


def test_no_one_is_elected_while_undeclared_write_ins_stand() -> None:
    # A reaches the threshold (5 of 7 votes: 7 // 2 + 1 = 4) only after UWI is excluded
    profile = build_profile(["A", "B", "UWI"], [(5, [[0]]), (1, [[1]]), (1, [[2], [0]])])
    result = minneapolis_stv(profile, 1, seed=1, exclude_first=["UWI"])
    assert result.rounds[0].elected == [] and result.rounds[0].excluded == [2]
    assert result.rounds[1].elected == [0]


def test_winner_exactly_on_the_threshold_passes_nothing_on() -> None:
    # threshold floor(9 / 3) + 1 = 4; A has exactly 4, so B gets nothing from A's ballots
    profile = build_profile(
        ["A", "B", "C", "D"],
        [(4, [[0], [1]]), (2, [[1]]), (2, [[2]]), (1, [[3], [2]])],
    )
    result = minneapolis_stv(profile, 2, seed=1)
    assert result.rounds[0].elected == [0]
    assert result.rounds[1].votes[1] == 2 and result.rounds[1].votes[0] == 4
    assert result.winners == [0, 2]


def test_surplus_passes_on_at_the_truncated_fraction() -> None:
    # threshold floor(10 / 3) + 1 = 4; A has 7: fraction 3/7 = 0.4285 (4 decimals)
    profile = build_profile(["A", "B", "C"], [(7, [[0], [1]]), (2, [[1]]), (1, [[2]])])
    result = minneapolis_stv(profile, 2, seed=1)
    assert result.rounds[1].votes[1] == 2 + 7 * Fraction("0.4285")
    assert result.rounds[1].votes[0] == 4  # A's share 7 x 0.5715 = 4.0005, trimmed
    assert result.rounds[1].extra["residual_surplus"] == Fraction("0.0005")


def test_count_and_command_offer_the_minneapolis_rules(ballots: Path) -> None:
    profile, _ = _park(ballots)
    assert count(profile, "stv", seats=3, seed=0, stv_rules="minneapolis").winner_names[0] == (
        "JOHN ERWIN"
    )
    out = StringIO()
    folder = ballots / "minneapolis-rctab" / CONTEST
    call_command(
        "tally",
        str(folder / f"{CONTEST}_ballots_aggregated.csv.gz"),
        "--method=stv",
        "--stv-rules=minneapolis",
        "--seats=3",
        "--overvote=skip",
        "--max-skipped=2",
        "--exclude-first=UWI",
        "--seed=0",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["winners"] == ["JOHN ERWIN", "ANNIE YOUNG", "MEG FORNEY"]
    assert data["options"]["stv_rules"] == "minneapolis"
    assert data["rounds"][-1]["final_round_surplus"] == "177.5192"


def test_unknown_overvote_rule_is_refused() -> None:
    profile = build_profile(["A", "B"], [(1, [[0]])])
    with pytest.raises(ValueError, match="overvote"):
        minneapolis_stv(profile, 1, overvote="ignore")
