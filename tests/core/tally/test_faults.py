"""The four faults of issue 11: write-in placeholders in IRV, fewer candidates than seats,
the Scottish tie rules (most recent preceding stage), BLT files of the STV validation sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kenes.core.tally import (
    BallotFileError,
    approval,
    build_profile,
    irv,
    load_profile,
    meek_stv,
    minneapolis_stv,
    parse_blt,
    plurality,
    ranked_pairs,
    result_json,
    schulze,
    scottish_stv,
)
from kenes.core.tally.command import main
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import Result


def _profile(candidates: str, ballots: list[tuple[int, str]], **kw: object) -> Profile:
    """``ballots``: (count, "ABC") — one letter a candidate, in order of preference."""
    names = candidates.split()
    index = {name: i for i, name in enumerate(names)}
    rows = [(count, [[index[c]] for c in order.split()]) for count, order in ballots]
    return build_profile(names, rows, **kw)  # type: ignore[arg-type]


def _names(result: Result, cs: list[int]) -> list[str]:
    return [result.candidates[c] for c in cs]


# --- 1. undeclared write-ins are never elected in IRV -------------------------------------


def test_irv_write_in_placeholder_with_a_first_round_majority_is_excluded_not_elected() -> None:
    profile = _profile("A B UWI", [(4, "UWI A"), (2, "UWI B"), (3, "A"), (2, "B")])
    result = irv(profile, seed=1, exclude_first=["UWI"])
    assert result.winner_names == ["A"]
    first, second = result.rounds
    assert first.action == "exclusion" and _names(result, first.excluded) == ["UWI"]
    assert first.elected == []
    assert {result.candidates[c]: int(v) for c, v in second.votes.items()} == {"A": 7, "B": 4}
    assert _names(result, second.elected) == ["A"]


def test_irv_outright_winner_is_declared_in_round_2_after_the_write_in_exclusion() -> None:
    # RCTab and the certified Minneapolis reports: round 1 excludes the write-ins, round 2
    # declares the winner (no majority test before the exclusion)
    profile = _profile("A B UWI", [(6, "A"), (3, "B"), (1, "UWI")])
    result = irv(profile, seed=1, exclude_first=["UWI"])
    assert len(result.rounds) == 2
    assert _names(result, result.rounds[0].excluded) == ["UWI"]
    assert result.rounds[1].elected == result.winners and result.winner_names == ["A"]


def test_irv_without_write_ins_still_elects_an_outright_winner_in_round_1() -> None:
    profile = _profile("A B UWI", [(6, "A"), (3, "B"), (1, "UWI")])
    assert len(irv(profile, seed=1).rounds) == 1


def test_irv_write_in_already_withdrawn_costs_no_round() -> None:
    profile = _profile("A B UWI", [(6, "A"), (3, "B"), (1, "UWI B")], withdrawn=[2])
    result = irv(profile, seed=1, exclude_first=["UWI"])
    assert len(result.rounds) == 1 and result.winner_names == ["A"]


def test_irv_where_only_placeholders_stand_elects_no_one_and_says_so() -> None:
    profile = _profile("A UWI", [(5, "UWI"), (1, "A")], withdrawn=[0])
    result = irv(profile, seed=1, exclude_first=["UWI"])
    assert result.winners == []
    assert "stay vacant" in result.rounds[0].why[0]


def test_irv_exclude_first_naming_no_candidate_is_a_sentence() -> None:
    profile = _profile("A B", [(2, "A"), (1, "B")])
    with pytest.raises(Exception, match="names no candidate in the file: UWX"):
        irv(profile, seed=1, exclude_first=["UWX"])


# --- 2. fewer candidates than seats: all elected, and the result says so -----------------

UNDERFILLED = [(5, "A B"), (3, "B C"), (2, "C"), (1, "D A")]


@pytest.mark.parametrize(
    "count",
    [
        lambda p: plurality(p, 5, seed=1),
        lambda p: approval(p, 5, seed=1),
        lambda p: schulze(p, 5, seed=1),
        lambda p: ranked_pairs(p, 5, seed=1),
        lambda p: scottish_stv(p, 5, seed=1),
        lambda p: meek_stv(p, 5, seed=1),
        lambda p: minneapolis_stv(p, 5, seed=1),
    ],
    ids=["plurality", "approval", "schulze", "ranked-pairs", "scottish", "meek", "minneapolis"],
)
def test_five_seats_and_four_candidates_elects_all_four_and_says_so(count: object) -> None:
    profile = _profile("A B C D", UNDERFILLED)
    result = count(profile)  # type: ignore[operator]
    assert sorted(result.winner_names) == ["A", "B", "C", "D"]
    assert result.seats == 5
    assert result.rounds[0].elected == result.winners
    why = " ".join(result.rounds[0].why)
    assert "5 seats but only 4 candidate(s) stand" in why and "1 seat(s) stay vacant" in why
    assert result_json(result)["winners"] == result.winner_names


def test_withdrawn_candidates_do_not_count_towards_filling_the_seats() -> None:
    profile = _profile("A B C D E", [*UNDERFILLED, (4, "E")], withdrawn=[4])
    result = scottish_stv(profile, 5, seed=1)
    assert sorted(result.winner_names) == ["A", "B", "C", "D"]


def test_minneapolis_underfilled_count_never_elects_the_write_in_placeholder() -> None:
    profile = _profile("A B UWI", [(5, "UWI"), (3, "A"), (2, "B")])
    result = minneapolis_stv(profile, 3, seed=1, exclude_first=["UWI"])
    assert sorted(result.winner_names) == ["A", "B"]
    assert any("undeclared write-ins: UWI" in line for line in result.rounds[0].why)


def test_seats_equal_to_candidates_still_counts_as_before() -> None:
    profile = _profile("A B C D", UNDERFILLED)
    result = scottish_stv(profile, 4, seed=1)
    assert sorted(result.winner_names) == ["A", "B", "C", "D"]
    assert result.rounds[0].action == "first preferences"


def test_kenes_tally_prints_the_underfilled_election(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ward.blt"
    path.write_text('2 3\n3 1 2 0\n1 2 0\n0\n"Ann"\n"Bo"\n"Ward"\n')
    assert main([str(path), "--method", "stv", "--seed", "1"]) == 0
    text = capsys.readouterr().out
    assert "3 seats but only 2 candidate(s) stand" in text
    assert text.rstrip().endswith("Winners: Ann, Bo")


# --- 3. Scottish ties: the most recent preceding stage at which they differed -------------


def test_scottish_equal_lowest_excludes_the_lower_at_the_most_recent_differing_stage() -> None:
    # stage 1: X 5, Y 4 (Y lower); P excluded -> stage 2: X 5, Y 6 (X lower); Q excluded ->
    # stage 3: X 7, Y 7, A 8. Rule 51(2)(a): stage 2 decides, X is excluded, Y wins.
    # (The earliest differing stage would exclude Y and elect X.)
    profile = _profile(
        "X Y P Q A",
        [(5, "X Y"), (4, "Y X"), (2, "P Y X"), (2, "Q X Y"), (1, "Q Y X"), (8, "A")],
    )
    result = scottish_stv(profile, 1, seed=1)
    stage3 = result.rounds[2]
    assert {result.candidates[c]: int(v) for c, v in stage3.votes.items()} == {
        "X": 7,
        "Y": 7,
        "P": 0,
        "Q": 0,
        "A": 8,
    }
    assert _names(result, result.rounds[3].excluded) == ["X"]
    assert result.winner_names == ["Y"]
    assert result.lots == []


def test_scottish_equal_surpluses_transfer_first_the_higher_at_the_most_recent_stage() -> None:
    # 4 seats, quota 30. Stage 1: S 24 > T 22; L1 excluded -> stage 2: T 26 > S 24; L2
    # excluded -> stage 3: S 34 = T 34, equal surpluses of 4. Rule 49(2): stage 2 decides,
    # T's surplus goes first and elects V; then S's surplus passes V and elects Z. (S first,
    # by the earliest stage, would elect V and then W.)
    profile = _profile(
        "S T L1 L2 V W Z",
        [
            (24, "S V Z"),
            (22, "T V W"),
            (4, "L1 T V W"),
            (10, "L2 S V Z"),
            (8, "L2 T V W"),
            (27, "V"),
            (27, "W"),
            (27, "Z"),
        ],
    )
    result = scottish_stv(profile, 4, seed=1)
    stage3 = result.rounds[2]
    assert int(stage3.votes[0]) == int(stage3.votes[1]) == 34
    assert result.rounds[3].action == "surplus of T"
    assert result.rounds[4].action == "surplus of S"
    assert sorted(result.winner_names) == ["S", "T", "V", "Z"]
    assert result.lots == []


def test_scottish_candidates_equal_at_every_stage_are_separated_by_lot() -> None:
    profile = _profile("X Y A", [(3, "X"), (3, "Y"), (6, "A")])
    result = scottish_stv(profile, 1, seed=5)
    assert len(result.lots) == 1 and sorted(_names(result, result.lots[0].among)) == ["X", "Y"]


# --- 4. BLT files of the STV validation sets ------------------------------------------------


# the layout of the ERBS / Wichmann STV test set: after the title, a quoted source string, a
# quoted comment and lines of free text
VALIDATION_SET = (
    "3 1\n"
    "4 1 2 0\n"
    "3 2 0\n"
    "2 3 2 0\n"
    "0\n"
    '"Ann"\n'
    '"Bo"\n'
    '"Cy"\n'
    '"Test 7: transfer of an exclusion"\n'
    '"Source: ERBS test set, B. A. Wichmann"\n'
    '"Comment: Bo is elected after Cy is excluded"\n'
    "Expected result: Bo\n"
    "stages 2\n"
)


def _assert_ignored_after_title(profile: Profile, first: int, last: int) -> None:
    assert profile.title == "Test 7: transfer of an exclusion"
    assert profile.candidates == ("Ann", "Bo", "Cy")
    (note,) = profile.notes
    assert note.startswith(f"ignored 4 line(s) of text after the title (lines {first}-{last};")
    assert '"Source: ERBS test set, B. A. Wichmann"' in note and "and 1 more" in note


def test_blt_of_the_validation_set_reads_up_to_the_title_and_notes_what_it_ignored() -> None:
    profile = parse_blt(VALIDATION_SET)  # plain ballot lines: the fast reader
    _assert_ignored_after_title(profile, 10, 13)
    assert scottish_stv(profile, seed=1).winner_names == ["Bo"]


def test_blt_of_the_validation_set_line_by_line_names_the_same_lines() -> None:
    text = VALIDATION_SET.replace("2 3 2 0\n", "2 3 2 0\n1 1=3 0\n")  # slow reader
    profile = parse_blt(text.replace("\n", "\r\n"))
    _assert_ignored_after_title(profile, 11, 14)


def test_blt_validation_set_file_read_from_disk_carries_the_note_into_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "test7.blt"
    path.write_bytes(VALIDATION_SET.encode())
    _assert_ignored_after_title(load_profile(path), 10, 13)
    assert main([str(path), "--method", "stv", "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == ["Bo"]
    assert len(data["notes"]) == 1 and "after the title (lines 10-13" in data["notes"][0]


def test_blt_text_before_the_title_is_still_read_strictly() -> None:
    bad = VALIDATION_SET.replace('"Cy"\n', '"Cy" "Party" "extra"\n')
    with pytest.raises(BallotFileError, match='line 8: a candidate line is "Name"'):
        parse_blt(bad)
    two_titles = VALIDATION_SET.replace('"Test 7', '"One" "Test 7')
    with pytest.raises(BallotFileError, match="line 9: the title is one string"):
        parse_blt(two_titles)


def test_blt_unquoted_title_is_the_whole_line() -> None:
    profile = parse_blt("2 1\n1 1 0\n0\nAnn\nBo\nWard 7 by-election\n")
    assert profile.title == "Ward 7 by-election" and profile.notes == ()


def test_blt_without_text_after_the_title_has_no_note() -> None:
    profile = parse_blt('2 1\n1 1 2 0\n0\n"A"\n"B"\n"Title"\n')
    assert profile.notes == ()
    assert "notes" not in result_json(scottish_stv(profile, seed=1))
