"""Instant-runoff voting against official counts: Burlington 2009, Aspen 2009, Minneapolis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.tally import build_profile, irv, load_profile, schulze
from kenes.core.tally.methods import irv as irv_module
from kenes.core.tally.rules import Rules


def test_burlington_2009_irv_elects_kiss_while_condorcet_winner_is_montroll(ballots: Path) -> None:
    profile = load_profile(ballots / "preflib-burlington/00005-00000002.toi")
    result = irv(profile, seed=1)
    assert result.winner_names == ["Bob Kiss"]
    names = profile.candidates
    first = {names[c]: int(v) for c, v in result.rounds[0].votes.items()}
    # official first round (Burlington city results)
    assert first == {
        "Kurt Wright": 2951,
        "Bob Kiss": 2585,
        "Andy Montroll": 2063,
        "Dan Smith": 1306,
        "Write-In": 36,
        "James Simpson": 35,
    }
    # final round on the PrefLib ballots (official 4,313-4,061; see SOURCE.md): an equal
    # ranking exhausts the ballot for good when reached (RCTab exhaustImmediately)
    last = {names[c]: int(v) for c, v in result.rounds[-1].votes.items()}
    assert last == {"Bob Kiss": 4313, "Kurt Wright": 4060}
    assert schulze(profile, seed=1).winner_names == ["Andy Montroll"]


def test_burlington_2009_final_round_equals_the_official_one_when_overvotes_exhaust_if_multiple(
    ballots: Path,
) -> None:
    # the official 4,313-4,061 is reproduced exactly when an equal ranking exhausts the ballot
    # only while two of its candidates continue (RCTab exhaustIfMultipleContinuing); we found
    # this by trying the rules, not in a statute
    profile = load_profile(ballots / "preflib-burlington/00005-00000002.toi")
    result = irv(profile, rules=Rules(overvote="exhaust_if_multiple", seed=1))
    last = {profile.candidates[c]: int(v) for c, v in result.rounds[-1].votes.items()}
    assert last == {"Bob Kiss": 4313, "Kurt Wright": 4061}


def test_burlington_2006_irv_elects_kiss(ballots: Path) -> None:
    profile = load_profile(ballots / "preflib-burlington/00005-00000001.toi")
    assert irv(profile, seed=1).winner_names == ["Bob Kiss"]


def test_aspen_2009_mayor_irv_elects_ireland_1301_to_1123(ballots: Path) -> None:
    profile = load_profile(ballots / "preflib-aspen-2009/00016-00000002.toi")
    result = irv(profile, seed=1)
    assert result.winner_names == ["Mick Ireland"]
    last = {profile.candidates[c]: int(v) for c, v in result.rounds[-1].votes.items()}
    assert last == {"Mick Ireland": 1301, "Marilyn Marks": 1123}


MINNEAPOLIS = [
    # contest, overvote rule, as in the RCTab configuration of the certified count
    ("2013_minneapolis_mayor", "exhaust", "BETSY HODGES"),
    ("2017_minneapolis_mayor", "skip", "Jacob Frey"),
]


@pytest.mark.parametrize(("contest", "overvote", "winner"), MINNEAPOLIS)
def test_minneapolis_mayor_every_round_matches_the_rctab_tabulation(
    contest: str, overvote: str, winner: str, ballots: Path
) -> None:
    folder = ballots / "minneapolis-rctab" / contest
    profile = load_profile(folder / f"{contest}_ballots_aggregated.csv.gz")
    expected = json.loads((folder / f"{contest}_expected_detailed_report.json").read_text())
    result = irv(
        profile, seed=0, overvote=overvote, max_skipped=1, batch=True, exclude_first=["UWI"]
    )
    assert result.winner_names == [winner]
    assert len(result.rounds) == len(expected["results"])
    for ours, theirs in zip(result.rounds, expected["results"], strict=True):
        official = {
            ("UWI" if name == "Undeclared Write-ins" else name): int(votes)
            for name, votes in theirs["tally"].items()
            if int(votes) > 0
        }
        got = {profile.candidates[c]: int(v) for c, v in ours.votes.items() if v > 0}
        assert got == official, f"round {ours.number}"


def test_majority_of_continuing_votes_wins_in_the_first_round() -> None:
    profile = build_profile(["A", "B", "C"], [(3, [[0]]), (1, [[1]]), (1, [[2]])])
    result = irv(profile, seed=1)
    assert result.winners == [0] and len(result.rounds) == 1


def test_batch_elimination_excludes_all_candidates_who_together_trail_the_next() -> None:
    # C 1 + D 1 = 2 < B 3: both go at once
    profile = build_profile(
        ["A", "B", "C", "D"], [(4, [[0]]), (3, [[1]]), (1, [[2], [1]]), (1, [[3], [1]])]
    )
    result = irv(profile, seed=1, batch=True)
    assert sorted(result.rounds[0].excluded) == [2, 3]


def test_equal_ranking_at_the_top_exhausts_or_skips_by_the_overvote_option() -> None:
    profile = build_profile(["A", "B", "C"], [(2, [[0, 1], [2]]), (1, [[2]]), (1, [[0]])])
    exhaust = irv(profile, seed=1, overvote="exhaust")
    skip = irv(profile, seed=1, overvote="skip")
    assert exhaust.rounds[0].exhausted == 2
    assert skip.rounds[0].votes[2] == 3


def test_tie_for_last_place_is_drawn_by_lot_and_recorded() -> None:
    profile = build_profile(["A", "B", "C"], [(2, [[0]]), (2, [[1]]), (1, [[2], [0]])])
    result = irv(profile, seed=5)
    assert result.rounds[0].excluded == [2]
    tied = build_profile(["A", "B", "C"], [(2, [[0]]), (1, [[1], [0]]), (1, [[2], [0]])])
    drawn = irv(tied, seed=5)
    assert len(drawn.lots) == 1 and drawn.lots[0].among == [1, 2]
    assert irv(tied, seed=5).rounds[0].excluded == drawn.rounds[0].excluded


@st.composite
def strict_profiles(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(3, 6))
    ballots = []
    for _ in range(draw(st.integers(1, 40))):
        order = draw(st.permutations(range(n)))[: draw(st.integers(1, n))]
        ballots.append((draw(st.integers(1, 5)), [[c] for c in order]))
    return build_profile([f"C{i}" for i in range(n)], ballots)


@given(strict_profiles())
@settings(max_examples=150, deadline=None)
def test_irv_recounting_only_affected_ballots_gives_the_same_rounds(profile):  # type: ignore[no-untyped-def]
    fast = irv(profile, seed=3)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(irv_module, "INCREMENTAL", False)
        full = irv(profile, seed=3)
    assert fast.winners == full.winners
    assert [(r.votes, r.exhausted, r.excluded, r.elected) for r in fast.rounds] == [
        (r.votes, r.exhausted, r.excluded, r.elected) for r in full.rounds
    ]
