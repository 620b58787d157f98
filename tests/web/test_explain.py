"""Plain-language explanations, figures for people, tables and chart geometry of a result."""

from __future__ import annotations

import shlex

import pytest
from django.utils import translation

from kenes.ballots.counting import motion_result
from kenes.core.tally import build_profile, count, result_json
from kenes.web import explain
from kenes.web.result_charts import election_chart, pair_matrix, round_table

NAMES = ["Ann", "Bob", "Cat", "Dan"]
BALLOTS = [
    (5, [[0], [1]]),
    (3, [[1], [0]]),
    (2, [[2], [1]]),
    (1, [[1]]),
    (2, [[3], [2], [1]]),
    (3, [[0], [2]]),
]


def _result(method, *, seats=1, ballots=BALLOTS, names=NAMES, seed=7, **kwargs):  # type: ignore[no-untyped-def]
    profile = build_profile(names, ballots, title="t", seats=seats)
    return {"kind": "election", **result_json(count(profile, method, seed=seed, **kwargs))}


@pytest.fixture
def stv():  # type: ignore[no-untyped-def]
    # Droop quota 6; Ann elected at stage 1, surplus, Dan then Cat excluded, Bob elected.
    return _result("stv", seats=2)


def test_figures_for_people_have_at_most_two_decimals_in_the_readers_format():
    with translation.override("en"):
        assert explain.human("1259.1106") == "1,259.11"
        assert explain.human("8") == "8"
        assert explain.human("5.25") == "5.25"
        assert explain.human("2.5") == "2.5"
    with translation.override("ru"):
        assert explain.human("1259.1106") == "1\xa0259,11"


def test_a_figure_that_rounds_to_a_whole_number_keeps_its_decimals_so_it_is_not_read_as_exact():
    with translation.override("en"):
        assert explain.human("5.999") == "6.00"
        assert explain.human("0.00004") == "0.00"


def test_explanations_in_russian_name_the_candidates_and_the_quota(stv):
    with translation.override("ru"):
        sentences = explain.election_sentences(stv)
    assert stv["quota"] == "6"
    assert "6" in sentences[1]  # the quota sentence
    text = " ".join(sentences)
    for name in NAMES:
        assert name in text


def test_explanations_in_russian_write_the_quota_with_a_decimal_comma():
    meek = _result("stv", seats=2, stv_rules="meek")
    assert meek["quota"] == "5.333333334"
    with translation.override("ru"):
        sentences = explain.election_sentences(meek)
    assert "5,33" in sentences[1]
    assert any("Ann" in s and "5,33" in s for s in sentences[2:])


def test_stv_explanation_has_one_sentence_per_election_exclusion_and_surplus(stv):
    with translation.override("en"):
        sentences = explain.election_sentences(stv)
    assert "Ann was elected at stage 1 with 8 votes, reaching the quota of 6." in sentences
    assert "At stage 2 the surplus of Ann (2) passed to the next preferences on their ballots." in (
        sentences
    )
    assert (
        "Dan had the fewest votes at stage 3 (2) and was excluded; their votes passed to the next "
        "preferences." in sentences
    )
    assert (
        "Cat had the fewest votes at stage 4 (4.75) and was excluded; their votes passed to the "
        "next preferences." in sentences
    )
    assert "By the end 0.75 votes were exhausted" in sentences[-2]
    assert sentences[-1] == "Elected, in order of election: Ann, Bob."


def test_a_tie_settled_by_lot_is_explained_with_its_seed():
    result = _result("irv", seed=7)
    assert result["lots"], "the profile ties Cat and Dan for last place"
    with translation.override("en"):
        sentences = explain.election_sentences(result)
    assert "A tie between Cat, Dan was settled by lot, drawn with seed 7: Dan was drawn." in (
        sentences
    )
    assert (
        "Ann was elected in round 3 with 11 of the 15 votes still in the count, more than half."
        in (sentences)
    )


def test_a_condorcet_winner_is_said_to_beat_every_other_candidate_head_to_head():
    result = _result("ranked-pairs", ballots=[(4, [[0], [1], [2]]), (3, [[1], [2], [0]])])
    with translation.override("en"):
        sentences = explain.election_sentences(result)
    assert explain.condorcet_winner(result) == "Ann"
    assert "Ann beats every other candidate head to head." in sentences


def test_without_a_condorcet_winner_schulze_is_explained_by_strongest_paths():
    # A beats B 6:3, B beats C 7:2, C beats A 5:4: a cycle; the weakest link is C over A.
    cycle = [(4, [[0], [1], [2]]), (3, [[1], [2], [0]]), (2, [[2], [0], [1]])]
    result = _result("schulze", ballots=cycle, names=["A", "B", "C"])
    assert explain.condorcet_winner(result) is None and result["winners"] == ["A"]
    with translation.override("en"):
        sentences = explain.election_sentences(result)
    assert any(s.startswith("No candidate beats every other head to head") for s in sentences)
    assert "Strongest path from A to C: 6; from C back: 5." in sentences
    assert "Strongest path from A to B: 6; from B back: 5." in sentences


def test_a_motion_explanation_states_quorum_base_majority_and_outcome():
    result = motion_result(
        {"yes": 30, "no": 20, "abstain": 40},
        electorate=200,
        quorum_percent=50,
        majority="simple",
        base="cast",
    )
    with translation.override("en"):
        sentences = explain.motion_sentences(result)
        rows = explain.motion_rows(result)
    assert sentences[0] == "90 of 200 members voted (turnout 45.0%)."
    assert "quorum was not met" in sentences[1] and "100 votes" in sentences[1]
    assert sentences[2] == (
        "The base that counts as 100% is votes cast, abstentions included: 90 votes."
    )
    assert "more than half" in sentences[3] and "30 yes votes, 33.3% of the base" in sentences[3]
    assert sentences[-1] == "The motion was not carried."
    assert [r["percent"] for r in rows] == ["33.3", "22.2", "44.4"]


def test_abstentions_get_no_share_when_the_base_is_yes_and_no():
    result = motion_result(
        {"yes": 3, "no": 1, "abstain": 4},
        electorate=10,
        quorum_percent=0,
        majority="simple",
        base="yes_no",
    )
    with translation.override("en"):
        rows = explain.motion_rows(result)
        assert "No quorum was required." in explain.motion_sentences(result)
    assert [r["percent"] for r in rows] == ["75.0", "25.0", ""]


def test_the_recount_command_names_stv_rules_only_for_stv_and_always_the_seed():
    stv = explain.recount_command(
        filename="election-3.blt", method="stv", seats=2, stv_rules="meek", seed=41
    )
    assert shlex.split(stv) == [
        "kenes", "tally", "election-3.blt", "--method", "stv", "--seats", "2",
        "--stv-rules", "meek", "--seed", "41", "--json",
    ]  # fmt: skip
    irv = explain.recount_command(
        filename="election-3.blt", method="irv", seats=1, stv_rules="scottish", seed=5
    )
    assert "--stv-rules" not in irv and "--seed 5" in irv


def test_the_round_table_marks_elections_exclusions_and_transfers(stv):
    with translation.override("en"):
        table = round_table(stv)
    assert len(table.columns) == len(stv["rounds"]) == 4
    rows = {row.name: row for row in table.rows}
    assert rows["Ann"].cells[0].mark == "elected" and rows["Ann"].winner
    assert rows["Dan"].cells[2].mark == "excluded" and rows["Dan"].cells[3].out
    assert rows["Bob"].cells[1].transfer == "+1.25" and rows["Bob"].cells[1].exact == "5.25"
    extra = dict(table.extra)
    assert [c.exact for c in extra["quota"]] == ["6"] * 4
    assert extra["exhausted"][3].exact == "0.75"
    assert "non_transferable" in extra


def test_the_chart_has_one_bar_per_candidate_scaled_against_the_quota(stv):
    chart = election_chart(stv)
    assert chart is not None and chart.two_series
    # The outcome's order, not the ballot's: the winners in order of election first.
    assert [b.name for b in chart.bars][:2] == stv["winners"]
    assert sorted(b.name for b in chart.bars) == NAMES
    ann = next(b for b in chart.bars if b.name == "Ann")
    # Ann's 8 first-round votes against the quota of 6: the bar is 8/6 as long as the line.
    assert ann.first_width == pytest.approx(chart.quota_x * 8 / 6, abs=0.2)
    assert ann.first_width <= 100
    assert [b.winner for b in chart.bars] == [True, True, False, False]


def test_the_pairwise_matrix_marks_who_beats_whom():
    result = _result("schulze")
    cells = dict(pair_matrix(result["candidates"], result["pairwise"]))
    assert cells["Ann"][2].beats and not cells["Cat"][0].beats
    assert cells["Ann"][0].self_pair


@pytest.mark.parametrize(
    ("method", "seats", "rules"),
    [
        ("stv", 2, "scottish"),
        ("stv", 2, "meek"),
        ("stv", 2, "minneapolis"),
        ("irv", 1, "scottish"),
        ("plurality", 1, "scottish"),
        ("approval", 2, "scottish"),
        ("schulze", 1, "scottish"),
        ("ranked-pairs", 1, "scottish"),
    ],
)
def test_every_method_is_explained_ending_with_the_winners_in_order(method, seats, rules):
    result = _result(method, seats=seats, stv_rules=rules)
    with translation.override("en"):
        sentences = explain.election_sentences(result)
        table = round_table(result)
    assert sentences[-1] == f"Elected, in order of election: {', '.join(result['winners'])}."
    assert len(table.columns) == len(result["rounds"])
    assert election_chart(result) is not None
