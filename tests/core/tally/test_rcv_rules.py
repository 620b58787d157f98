"""The rcv engine: every option of Rules on hand-built profiles whose outcome depends on it,
and the three Minneapolis contests counted from their RCTab configurations."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kenes.core.tally import build_profile, count, load_profile, minneapolis_stv
from kenes.core.tally.errors import TallyError
from kenes.core.tally.methods.rcv import rcv
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import Result
from kenes.core.tally.rules import Rules, from_rctab_config

WRITE_INS = "Undeclared Write-ins"  # RCTab's name for the CVR's UWI token
CONTESTS = [
    # contest, rounds in RCTab's report, winners
    ("2013_minneapolis_mayor", 33, ["BETSY HODGES"]),
    ("2017_minneapolis_mayor", 6, ["Jacob Frey"]),
    ("2013_minneapolis_park", 11, ["JOHN ERWIN", "ANNIE YOUNG", "MEG FORNEY"]),
]
REASONS = {
    "inactive_exhausted": "exhaustedChoices",
    "inactive_overvote": "overvotes",
    "inactive_skipped": "skippedRankings",
    "inactive_repeated": "repeatedRankings",
}


def _p(names: str, ballots: list[tuple[int, str]]) -> Profile:
    """A profile from 'A B C' and (count, 'A B') ballots; 'A=B' ranks two equal."""
    cands = names.split()
    return build_profile(
        cands,
        [
            (n, [[cands.index(x) for x in pos.split("=")] for pos in order.split()])
            for n, order in ballots
        ],
    )


def _names(result: Result, cs: list[int]) -> list[str]:
    return [result.candidates[c] for c in cs]


def _votes(result: Result, number: int) -> dict[str, Fraction]:
    r = result.rounds[number - 1]
    return {result.candidates[c]: v for c, v in r.votes.items()}


# --- the Minneapolis contests from their RCTab configurations ------------------------------


def _contest(ballots: Path, contest: str) -> tuple[Profile, Rules, dict[str, Any]]:
    folder = ballots / "minneapolis-rctab" / contest
    profile = load_profile(folder / f"{contest}_ballots_aggregated.csv.gz")
    rules = from_rctab_config(json.loads((folder / f"{contest}_config.json").read_text()))
    expected = json.loads((folder / f"{contest}_expected_detailed_report.json").read_text())
    return profile, rules, expected


def _rctab(name: str) -> str:
    return "UWI" if name == WRITE_INS else name


@pytest.mark.parametrize(("contest", "n_rounds", "winners"), CONTESTS)
def test_minneapolis_contest_from_its_rctab_config_equals_rctab_in_every_round(
    ballots: Path, contest: str, n_rounds: int, winners: list[str]
) -> None:
    profile, rules, expected = _contest(ballots, contest)
    result = rcv(profile, rules)
    names = profile.candidates
    assert result.winner_names == winners
    assert len(result.rounds) == len(expected["results"]) == n_rounds
    assert result.quota == Fraction(expected["summary"]["finalThreshold"])
    for ours, theirs in zip(result.rounds, expected["results"], strict=True):
        where = f"round {ours.number}"
        tally = {_rctab(n): Fraction(v) for n, v in theirs["tally"].items() if Fraction(v)}
        assert {names[c]: v for c, v in ours.votes.items() if v} == tally, where
        assert ours.extra["threshold"] == Fraction(theirs["threshold"]), where
        inactive = theirs["inactiveBallots"]
        for key, label in REASONS.items():
            assert ours.extra[key] == Fraction(inactive[label]), f"{where} {key}"
        assert ours.extra.get("final_round_surplus", 0) == Fraction(
            inactive.get("finalRoundSurplus", "0")
        ), where
        decided = theirs["tallyResults"]
        assert _names(result, ours.elected) == [t["elected"] for t in decided if "elected" in t]
        assert sorted(_names(result, ours.excluded)) == sorted(
            _rctab(t["eliminated"]) for t in decided if "eliminated" in t
        ), where


@pytest.mark.parametrize(("contest", "n_rounds", "winners"), CONTESTS)
def test_minneapolis_flows_equal_the_rctab_transfers_of_each_round(
    ballots: Path, contest: str, n_rounds: int, winners: list[str]
) -> None:
    profile, rules, expected = _contest(ballots, contest)
    result = rcv(profile, rules)
    names = profile.candidates
    for ours, theirs in zip(result.rounds, expected["results"], strict=True):
        flows = {
            names[src]: {(names[d] if d >= 0 else "exhausted"): v for d, v in into.items()}
            for src, into in ours.flows.items()
        }
        transfers = {
            _rctab(t.get("eliminated") or t["elected"]): {
                _rctab(n): Fraction(v) for n, v in t["transfers"].items() if n != "residual surplus"
            }
            for t in theirs["tallyResults"]
        }
        transfers = {src: into for src, into in transfers.items() if into}
        assert flows == transfers, f"round {ours.number}"


# RCTab's own regression tests count the same Park Board CVR under other winner modes; the
# figures below are from their expected reports (BrightSpots/rcv, MPL-2.0, commit 875587a3cac3,
# src/test/resources/network/brightspots/rcv/test_data/2013_minneapolis_park_{hare,bottoms_up,
# sequential}/*_expected_detailed_report.json), whose configs differ from the certified one
# only in the setting named.


def _park_as(ballots: Path, **changes: Any) -> tuple[Profile, Result]:
    profile, rules, _ = _contest(ballots, "2013_minneapolis_park")
    return profile, rcv(profile, replace(rules, **changes))


def test_park_board_with_the_hare_quota_equals_rctab(ballots: Path) -> None:
    profile, result = _park_as(ballots, quota="hare")
    assert len(result.rounds) == 10
    assert {r.extra["threshold"] for r in result.rounds} == {19821}
    ninth = result.rounds[8]
    assert _votes(result, 9) == {"ANNIE YOUNG": 13914, "JOHN ERWIN": 21650, "MEG FORNEY": 11704}
    assert sorted(_names(result, ninth.elected)) == ["ANNIE YOUNG", "JOHN ERWIN", "MEG FORNEY"]
    assert ninth.flows == {profile.candidates.index("JOHN ERWIN"): {-1: Fraction("1827.26")}}
    last = result.rounds[-1]
    assert last.extra["final_round_surplus"] == Fraction("1827.26")
    assert last.extra["residual_surplus"] == Fraction("1.74")
    assert last.extra["inactive_exhausted"] == 12262


def test_park_board_bottoms_up_equals_rctab(ballots: Path) -> None:
    _, result = _park_as(ballots, winner_mode="bottoms_up")
    # no one is elected at the threshold (Erwin passes it in round 3): 9 rounds, no surplus
    assert len(result.rounds) == 9
    assert [bool(r.elected) for r in result.rounds] == [False] * 8 + [True]
    assert _votes(result, 9) == {"ANNIE YOUNG": 13914, "JOHN ERWIN": 21650, "MEG FORNEY": 11704}
    assert result.rounds[5].extra["inactive_exhausted"] == 4256
    assert result.rounds[-1].extra["inactive_exhausted"] == 12262
    names = result.candidates
    yonis = result.rounds[5]
    assert _names(result, yonis.excluded) == ["HASHIM YONIS"]
    assert {
        (names[d] if d >= 0 else "exhausted"): v
        for d, v in yonis.flows[names.index("HASHIM YONIS")].items()
    } == {
        "ANNIE YOUNG": 486,
        "JASON STONE": 174,
        "JOHN ERWIN": 180,
        "MEG FORNEY": 317,
        "TOM NORDYKE": 139,
        "exhausted": 3247,
    }


def test_park_board_multi_pass_irv_equals_rctab_pass_by_pass(ballots: Path) -> None:
    profile, result = _park_as(ballots, winner_mode="sequential")
    assert result.winner_names == ["JOHN ERWIN", "ANNIE YOUNG", "MEG FORNEY"]
    passes: dict[int, list[Fraction]] = {}
    for r in result.rounds:
        passes.setdefault(int(r.extra["pass"]), []).append(r.extra["threshold"])
    assert [len(t) for t in passes.values()] == [10, 9, 8]
    assert passes[1][-3:] == [24985, 23635, 20163]
    assert passes[2] == [28701, 28551, 28368, 27845, 27197, 26138, 24345, 22240, 18458]
    assert passes[3][-3:] == [23007, 20994, 15675]
    second = [r for r in result.rounds if r.extra["pass"] == 2]
    assert second[0].extra["inactive_exhausted"] == 2129  # Erwin's ballots with no one else
    names = profile.candidates
    assert {names[c]: v for c, v in second[-1].votes.items()} == {
        "ANNIE YOUNG": 22305,
        "TOM NORDYKE": 14609,
    }


def test_rctab_config_maps_every_rule_and_refuses_what_it_cannot_count() -> None:
    config = {
        "candidates": [{"name": "A", "excluded": False}, {"name": "X", "excluded": True}],
        "cvrFileSources": [{"undeclaredWriteInLabel": "UWI"}],
        "rules": {
            "tiebreakMode": "previousRoundCountsThenRandom",
            "overvoteRule": "exhaustIfMultipleContinuing",
            "winnerElectionMode": "multiWinnerAllowOnlyOneWinnerPerRound",
            "randomSeed": "7",
            "numberOfWinners": "3",
            "decimalPlacesForVoteArithmetic": "6",
            "minimumVoteThreshold": "10",
            "maxSkippedRanksAllowed": "unlimited",
            "maxRankingsAllowed": "max",
            "nonIntegerWinningThreshold": True,
            "doesFirstRoundDetermineThreshold": False,
            "hareQuota": True,
            "stopTabulationEarlyAfterRound": "4",
            "exhaustOnDuplicateCandidate": True,
            "rulesDescription": "test",
        },
    }
    rules = from_rctab_config(config)
    assert rules == Rules(
        overvote="exhaust_if_multiple",
        duplicate="exhaust",
        winner_mode="one_per_round",
        seats=3,
        quota="hare",
        non_integer_threshold=True,
        decimal_places=6,
        minimum_votes=10,
        stop_after_round=4,
        tiebreak="previous_round_then_random",
        seed=7,
        exclude_first=("UWI",),
        excluded=("X",),
    )
    assert rules.extra == {"rulesDescription": "test"}
    config["rules"]["winnerElectionMode"] = "bottomsUpUsingPercentageThreshold"
    config["rules"]["numberOfWinners"] = "0"
    config["rules"]["multiSeatBottomsUpPercentageThreshold"] = "15"
    config["rules"]["hareQuota"] = False
    percent = from_rctab_config(config)
    assert percent.winner_mode == "bottoms_up_percent"
    assert percent.bottoms_up_percent == Fraction(15, 100)
    config["rules"]["tiebreakMode"] = "stopCountingAndAsk"
    with pytest.raises(TallyError, match="tiebreakMode.*stopCountingAndAsk"):
        from_rctab_config(config)


# --- hand-built profiles, one option each ---------------------------------------------------


def test_overvote_stays_inactive_for_good_even_when_one_of_its_candidates_is_excluded() -> None:
    # A=B C: under exhaust_if_multiple the ballot is inactive in round 1 (both continue);
    # once A is excluded RCTab does not read it again, so it never counts for B
    profile = _p("A B C", [(3, "A=B C"), (2, "A"), (4, "B"), (5, "C")])
    result = rcv(profile, Rules(overvote="exhaust_if_multiple", seed=1))
    assert result.rounds[0].extra["inactive_overvote"] == 3
    assert _names(result, result.rounds[0].excluded) == ["A"]
    assert _votes(result, 2) == {"B": 4, "C": 5}
    assert result.rounds[1].extra["inactive_overvote"] == 3
    assert result.rounds[1].extra["inactive_exhausted"] == 2
    # the same ballots under skip go to the next position: C
    skip = rcv(profile, Rules(overvote="skip", seed=1))
    assert skip.rounds[0].votes[2] == 8


def test_one_winner_per_round_defers_the_second_candidate_over_the_threshold() -> None:
    # threshold floor(20 / 4) + 1 = 6: A 8 and B 7 are both over it in round 1
    profile = _p("A B C D", [(8, "A"), (7, "B"), (3, "C"), (2, "D C")])
    several = rcv(profile, Rules(winner_mode="multiple_per_round", seats=3, seed=1))
    assert _names(several, several.rounds[0].elected) == ["A", "B"]
    one = rcv(profile, Rules(winner_mode="one_per_round", seats=3, seed=1))
    assert _names(one, one.rounds[0].elected) == ["A"]
    assert _names(one, one.rounds[1].elected) == ["B"]
    assert one.winner_names == several.winner_names == ["A", "B", "C"]


def test_bottoms_up_excludes_until_the_seats_are_left_without_surplus_transfers() -> None:
    # STV: A's surplus elects C; bottoms-up never transfers a surplus, so B outlasts C
    profile = _p("A B C D", [(10, "A C"), (5, "B"), (4, "C"), (1, "D")])
    stv = rcv(profile, Rules(winner_mode="multiple_per_round", seats=2, seed=1))
    assert stv.winner_names == ["A", "C"]
    up = rcv(profile, Rules(winner_mode="bottoms_up", seats=2, seed=1))
    assert up.winner_names == ["A", "B"]
    assert [r.action for r in up.rounds] == ["exclusion", "exclusion", "election"]
    assert "final_round_surplus" not in up.rounds[-1].extra


def test_bottoms_up_percentage_stops_once_every_candidate_left_is_viable() -> None:
    # 15%: D (8 of 100) goes first; its votes lift C to 20, so A, B, C are all viable
    lifted = _p("A B C D", [(50, "A"), (30, "B"), (12, "C"), (8, "D C")])
    rules = Rules(winner_mode="bottoms_up_percent", bottoms_up_percent=Fraction(15, 100), seed=1)
    result = rcv(lifted, rules)
    assert result.winner_names == ["A", "B", "C"] and result.seats == 3
    assert result.rounds[0].extra["threshold"] == 15
    # D's ballots exhaust instead: C has 12 of 92 (threshold 13.8) and goes too
    alone = _p("A B C D", [(50, "A"), (30, "B"), (12, "C"), (8, "D")])
    result = rcv(alone, rules)
    assert result.winner_names == ["A", "B"]
    assert result.rounds[1].extra["threshold"] == Fraction("13.8")


def test_sequential_irv_counts_again_from_scratch_without_the_previous_winners() -> None:
    profile = _p("A B C", [(6, "A"), (5, "B C"), (4, "C B")])
    result = rcv(profile, Rules(winner_mode="sequential", seats=2, seed=1))
    assert result.winner_names == ["B", "C"]
    passes = [int(r.extra["pass"]) for r in result.rounds]
    assert passes == [1, 1, 2]
    assert [r.number for r in result.rounds] == [1, 2, 3]
    # pass 2 starts from the first choices again, B's ballots now counting for C
    assert _votes(result, 3) == {"A": 6, "C": 9}
    assert rcv(profile, Rules(winner_mode="multiple_per_round", seats=2, seed=1)).winners[0] == 0


def test_droop_and_hare_quotas() -> None:
    # 12 votes, 2 seats: Droop floor(12 / 3) + 1 = 5, Hare 12 / 2 = 6
    profile = _p("A B C", [(5, "A"), (4, "B"), (3, "C B")])
    droop = rcv(profile, Rules(winner_mode="multiple_per_round", seats=2, seed=1))
    assert droop.rounds[0].extra["threshold"] == 5 and droop.rounds[0].elected == [0]
    hare = rcv(profile, Rules(winner_mode="multiple_per_round", seats=2, quota="hare", seed=1))
    assert hare.rounds[0].extra["threshold"] == 6 and hare.rounds[0].elected == []


def test_non_integer_threshold_is_the_quota_plus_one_unit_of_the_last_decimal() -> None:
    profile = _p("A B C", [(6, "A"), (4, "B"), (3, "C B")])  # 13 votes
    plain = rcv(profile, Rules(winner_mode="multiple_per_round", seats=2, seed=1))
    assert plain.rounds[0].extra["threshold"] == 5  # floor(13 / 3) + 1
    exact = Rules(winner_mode="multiple_per_round", seats=2, non_integer_threshold=True, seed=1)
    assert rcv(profile, exact).rounds[0].extra["threshold"] == Fraction("4.3334")
    two = Rules(
        winner_mode="multiple_per_round",
        seats=2,
        non_integer_threshold=True,
        decimal_places=2,
        seed=1,
    )
    assert rcv(profile, two).rounds[0].extra["threshold"] == Fraction("4.34")
    # one seat: 13 / 2 = 6.5 -> 6.5001 (a candidate with 6.5 votes would not win)
    one = rcv(profile, Rules(non_integer_threshold=True, seed=1))
    assert one.rounds[0].extra["threshold"] == Fraction("6.5001")


def test_first_round_threshold_keeps_round_one_threshold_as_ballots_exhaust() -> None:
    # 12 votes: threshold 7. After D's ballot exhausts A has 6 of 11 (a majority): plain IRV
    # elects A in round 2; with the first round's threshold A must wait for the last two
    profile = _p("A B C D", [(6, "A"), (2, "B"), (3, "C"), (1, "D")])
    plain = rcv(profile, Rules(seed=1))
    assert [r.elected for r in plain.rounds] == [[], [0]]
    fixed = rcv(profile, Rules(first_round_threshold=True, seed=1))
    assert [r.elected for r in fixed.rounds] == [[], [], [0]]
    assert {r.extra["threshold"] for r in fixed.rounds} == {7}


def test_minimum_votes_excludes_everyone_under_it_together() -> None:
    profile = _p("A B C D", [(5, "A"), (4, "B"), (1, "C B"), (1, "D B")])
    plain = rcv(profile, Rules(seed=1))
    assert len(plain.rounds[0].excluded) == 1
    result = rcv(profile, Rules(minimum_votes=2, seed=1))
    assert sorted(_names(result, result.rounds[0].excluded)) == ["C", "D"]
    assert result.winner_names == ["B"] and len(result.rounds) == 2
    with pytest.raises(TallyError, match="minimum vote threshold"):
        rcv(profile, Rules(minimum_votes=6, seed=1))


def test_minimum_votes_leaving_fewer_candidates_than_seats_elects_them_and_says_so() -> None:
    # 3 seats, threshold 5: A and B are elected in round 1; C and D, under the minimum of 3,
    # go together in round 2 and no one is left for the third seat
    profile = _p("A B C D", [(10, "A"), (5, "B"), (2, "C"), (1, "D")])
    result = rcv(profile, Rules(winner_mode="multiple_per_round", seats=3, minimum_votes=3))
    assert result.winner_names == ["A", "B"]
    assert sorted(_names(result, result.rounds[1].excluded)) == ["C", "D"]
    assert "no candidate left: 1 seat(s) stay vacant" in result.rounds[-1].why


def test_minneapolis_batch_exclusion_never_leaves_fewer_candidates_than_seats() -> None:
    # A is elected in round 1 (threshold 5); then C 1 + D 1 < B 4 would batch-exclude both
    # and leave B alone for two seats (the old count then crashed on an empty race)
    profile = _p("A B C D", [(10, "A"), (4, "B"), (1, "C"), (1, "D")])
    result = minneapolis_stv(profile, 3, seed=1, batch=True)
    assert len(result.winners) == 3
    assert result.winners[:2] == [0, 1] or set(result.winners[:2]) == {0, 1}
    assert all(len(r.excluded) <= 1 for r in result.rounds)


def test_batch_exclusion_in_multi_seat_counts_leaves_the_seats_left() -> None:
    # 3 seats, A elected in round 1 (threshold 7); E 1 + D 1 + C 3 < B 6 would leave only B:
    # the largest batch that leaves two (D, E) goes instead
    profile = _p("A B C D E", [(13, "A"), (6, "B"), (3, "C"), (1, "D"), (1, "E")])
    result = rcv(profile, Rules(winner_mode="multiple_per_round", seats=3, batch=True, seed=1))
    assert sorted(_names(result, result.rounds[1].excluded)) == ["D", "E"]
    assert result.winner_names == ["A", "B", "C"]


def test_continue_until_two_keeps_excluding_after_the_majority_for_presentation() -> None:
    profile = _p("A B C", [(6, "A"), (3, "B"), (2, "C")])
    plain = rcv(profile, Rules(seed=1))
    assert len(plain.rounds) == 1
    result = rcv(profile, Rules(continue_until_two=True, seed=1))
    assert result.winner_names == ["A"]
    assert [r.action for r in result.rounds] == ["election", "exclusion", ""]
    assert _votes(result, 3) == {"A": 6, "B": 3}


def test_stop_after_round_stops_the_count_there() -> None:
    profile = _p("A B C D", [(4, "A"), (3, "B"), (2, "C"), (1, "D")])
    result = rcv(profile, Rules(stop_after_round=2, seed=1))
    assert len(result.rounds) == 2 and result.winners == []
    assert "stops after round 2" in result.rounds[-1].why[-1]


def test_previous_round_tiebreak_excludes_the_one_lower_in_the_round_before() -> None:
    # round 2: B 3, C 3 tied (C got D's vote); in round 1 C had 2 and B 3: C goes
    profile = _p("A B C D", [(5, "A"), (3, "B"), (2, "C"), (1, "D C")])
    result = rcv(profile, Rules(tiebreak="previous_round_then_random", seed=1))
    assert _names(result, result.rounds[1].excluded) == ["C"]
    assert result.lots == []
    assert "decided by round 1" in result.rounds[1].why[-1]


def test_candidate_order_tiebreak_excludes_the_later_candidate_in_the_file() -> None:
    profile = _p("A B C", [(4, "A"), (2, "B"), (2, "C")])
    result = rcv(profile, Rules(tiebreak="candidate_order", seed=1))
    assert _names(result, result.rounds[0].excluded) == ["C"]
    reordered = _p("A C B", [(4, "A"), (2, "B"), (2, "C")])
    result = rcv(reordered, Rules(tiebreak="candidate_order", seed=1))
    assert _names(result, result.rounds[0].excluded) == ["B"]


def test_permutation_tiebreak_is_drawn_once_from_the_seed_and_recorded() -> None:
    profile = _p("A B C D", [(5, "A"), (2, "B"), (2, "C"), (2, "D")])
    seen = set()
    for seed in range(8):
        result = rcv(profile, Rules(tiebreak="permutation", seed=seed))
        order = json.loads(result.options["tiebreak_permutation"])
        assert sorted(order) == ["A", "B", "C", "D"]
        tied = [n for n in order if n != "A"]
        assert _names(result, result.rounds[0].excluded) == [tied[-1]]
        again = rcv(profile, Rules(tiebreak="permutation", seed=seed))
        assert again.options == result.options
        seen.add(tuple(order))
    assert len(seen) > 1


def test_random_tiebreak_draws_a_recorded_lot() -> None:
    profile = _p("A B C", [(4, "A"), (2, "B"), (2, "C")])
    result = rcv(profile, Rules(seed=4))
    assert len(result.lots) == 1 and result.lots[0].among == [1, 2]
    assert result.rounds[0].excluded == [result.lots[0].drawn]


def test_tie_of_the_last_two_is_broken_for_the_winner_as_rctab_does() -> None:
    profile = _p("A B", [(3, "A"), (3, "B")])
    result = rcv(profile, Rules(tiebreak="candidate_order", seed=1))
    assert len(result.rounds) == 1 and result.winner_names == ["A"]


def test_excluded_candidates_are_never_counted_and_their_ballots_go_on() -> None:
    profile = _p("A B C", [(4, "A"), (3, "B"), (2, "C B")])
    result = rcv(profile, Rules(excluded=("C",), seed=1))
    assert set(result.rounds[0].votes) == {0, 1}
    assert _votes(result, 1) == {"A": 4, "B": 5}
    assert result.winner_names == ["B"]
    assert result.options["excluded"] == "C"
    with pytest.raises(TallyError, match="--exclude names no candidate in the file: Z"):
        rcv(profile, Rules(excluded=("Z",)))


def test_decimal_places_truncate_the_surplus_fraction() -> None:
    # A 7 over a threshold of 4: fraction 3/7 = 0.428571...; 2 decimals -> 0.42
    profile = _p("A B C", [(7, "A B"), (2, "B"), (1, "C")])
    four = rcv(profile, Rules(winner_mode="multiple_per_round", seats=2, seed=1))
    assert four.rounds[1].votes[1] == 2 + 7 * Fraction("0.4285")
    two = rcv(profile, Rules(winner_mode="multiple_per_round", seats=2, decimal_places=2, seed=1))
    assert two.rounds[1].votes[1] == 2 + 7 * Fraction("0.42")


def test_rules_that_make_no_count_are_one_sentence() -> None:
    profile = _p("A B", [(1, "A")])
    for rules, words in (
        (Rules(seats=2), "winner mode 'single' fills one seat"),
        (Rules(winner_mode="bottoms_up_percent"), "bottoms-up percentage"),
        (Rules(overvote="ignore"), "unknown overvote rule 'ignore'"),
        (Rules(quota="hare"), "Hare quota"),
        (Rules(continue_until_two=True, winner_mode="multiple_per_round", seats=2), "one seat"),
        (Rules(max_rankings=0), "maximum rankings must be at least 1"),
    ):
        with pytest.raises(TallyError, match=words):
            rcv(profile, rules)


def test_options_name_every_rule_that_is_not_the_default() -> None:
    profile = _p("A B C", [(4, "A"), (3, "B"), (2, "C B")])
    result = rcv(profile, Rules(batch=True, max_skipped=2, exclude_first=("C",), seed=3))
    assert result.options == {"max_skipped": "2", "batch": "true", "exclude_first": "C"}
    assert rcv(profile, Rules(seed=3)).options == {}


# --- kenes tally: a flag for every rule, and RCTab configurations ----------------------------


def _tally(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("tally", *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def _files(ballots: Path, contest: str) -> tuple[str, str]:
    folder = ballots / "minneapolis-rctab" / contest
    return (
        str(folder / f"{contest}_ballots_aggregated.csv.gz"),
        str(folder / f"{contest}_config.json"),
    )


def test_kenes_tally_counts_the_park_board_from_its_rctab_config(ballots: Path) -> None:
    cvr, config = _files(ballots, "2013_minneapolis_park")
    data = _tally(cvr, "--method", "stv", "--stv-rules", "minneapolis", "--rctab-config", config)
    assert data["winners"] == ["JOHN ERWIN", "ANNIE YOUNG", "MEG FORNEY"]
    assert len(data["rounds"]) == 11 and data["seed"] == 0
    assert data["rounds"][-1]["final_round_surplus"] == "177.5192"
    assert data["options"]["stv_rules"] == "minneapolis"
    assert data["options"]["winner_mode"] == "multiple_per_round"
    assert data["options"]["exclude_first"] == "UWI"


def test_kenes_tally_irv_from_an_rctab_config_and_flags_that_override_it(ballots: Path) -> None:
    cvr, config = _files(ballots, "2013_minneapolis_mayor")
    data = _tally(cvr, "--method", "irv", "--rctab-config", config)
    assert data["winners"] == ["BETSY HODGES"] and len(data["rounds"]) == 33
    assert data["rounds"][-1]["votes"] == {"BETSY HODGES": "38852", "MARK ANDREW": "24942"}
    assert data["rounds"][0]["inactive_overvote"] == "103"
    # explicit flags win over the configuration: no batch elimination, another seed
    again = _tally(cvr, "--method", "irv", "--rctab-config", config, "--seed", "5")
    assert again["seed"] == 5
    one_by_one = _tally(
        cvr, "--method", "irv", "--rctab-config", config, "--tiebreak", "candidate-order"
    )
    assert one_by_one["options"]["tiebreak"] == "candidate_order"


def test_kenes_tally_rule_flags_reach_the_count(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("count,rank1,rank2\n6,A,\n5,B,C\n4,C,B\n")
    assert _tally(str(path), "--method", "irv", "--seed", "1")["winners"] == ["B"]
    seq = _tally(
        str(path), "--method", "stv", "--stv-rules", "minneapolis", "--seats", "2",
        "--winner-mode", "sequential", "--seed", "1",
    )  # fmt: skip
    assert seq["winners"] == ["B", "C"] and seq["rounds"][-1]["pass"] == "2"
    percent = _tally(
        str(path), "--method", "stv", "--stv-rules", "minneapolis", "--bottoms-up-percent",
        "30", "--seed", "1",
    )  # fmt: skip
    assert percent["options"]["winner_mode"] == "bottoms_up_percent"
    assert percent["winners"] == ["B", "A"]
    excluded = _tally(str(path), "--method", "irv", "--exclude", "B", "--seed", "1")
    assert excluded["winners"] == ["C"] and "B" not in excluded["rounds"][0]["votes"]
    # --exclude works with any method, as a withdrawal
    plurality = _tally(str(path), "--method", "plurality", "--exclude", "A", "--seed", "1")
    assert plurality["winners"] == ["B"] and "A" not in plurality["rounds"][0]["votes"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--method", "schulze", "--batch"], "--batch cannot be used with --method schulze"),
        (
            ["--method", "stv", "--overvote", "skip"],
            "--overvote cannot be used with --method stv --stv-rules scottish",
        ),
        (["--method", "irv", "--winner-mode", "one-per-round", "--seats", "1"], "--method stv"),
        (["--method", "irv", "--exclude", "Z"], "--exclude names no candidate in the file: Z"),
        (["--method", "irv", "--quota", "hare"], "Hare quota is for multi-seat counts"),
        (["--method", "irv", "--bottoms-up-percent", "x"], "'x' is not a number"),
        (["--method", "irv", "--rctab-config", "/nonexistent.json"], "/nonexistent.json"),
    ],
)
def test_kenes_tally_rule_flags_that_do_not_apply_are_a_sentence(
    tmp_path: Path, args: list[str], words: str
) -> None:
    path = tmp_path / "b.csv"
    path.write_text("count,rank1,rank2\n6,A,\n5,B,C\n4,C,B\n")
    with pytest.raises(CommandError, match=words):
        _tally(str(path), *args)


def test_count_takes_rules_for_irv_and_minneapolis_and_refuses_them_elsewhere() -> None:
    profile = _p("A B C", [(4, "A"), (3, "B"), (2, "C B")])
    rules = Rules(excluded=("B",))
    assert count(profile, "irv", seed=1, rules=rules).winner_names == ["A"]
    stv = count(profile, "stv", stv_rules="minneapolis", seed=1, rules=rules)
    assert stv.winner_names == ["A"] and stv.options["stv_rules"] == "minneapolis"
    with pytest.raises(TallyError, match="IRV and the Minneapolis STV rules only"):
        count(profile, "schulze", rules=rules)
