"""Plurality, approval and Meek STV."""

from __future__ import annotations

from pathlib import Path

import pytest

from kenes.core.tally import (
    approval,
    build_profile,
    load_profile,
    meek_stv,
    plurality,
    scottish_stv,
)

IRISH_2002 = [
    # PrefLib file, seats, official elected (2002 Dáil; SOURCE.md)
    ("00001-00000001", 4, {"Trevor Sargent", "Jim Glennon", "G.V. Wright", "Sean Ryan"}),
    ("00001-00000002", 3, {"Brian Lenihan", "Joe Higgins", "Joan Burton"}),
    (
        "00001-00000003",
        5,
        {"Johnny Brady", "Noel Dempsey", "Mary Wallace", "John Bruton", "Damien English"},
    ),
]


def _people(names: list[str]) -> set[str]:
    # PrefLib appends the party as the last word: "Trevor Sargent G.P.", "Sean Ryan Lab"
    return {n.rsplit(" ", 1)[0] for n in names}


@pytest.mark.parametrize(("stem", "seats", "official"), IRISH_2002)
def test_irish_2002_scottish_and_meek_stv_elect_the_official_set(
    stem: str, seats: int, official: set[str], ballots: Path
) -> None:
    profile = load_profile(ballots / "preflib-irish-2002" / f"{stem}.soi")
    assert _people(scottish_stv(profile, seats, seed=1).winner_names) == official
    assert _people(meek_stv(profile, seats, seed=1).winner_names) == official


def test_meek_keep_values_bring_each_elected_candidate_to_the_quota() -> None:
    profile = build_profile(
        ["A", "B", "C", "D"], [(6, [[0], [1]]), (2, [[1]]), (3, [[2]]), (1, [[3], [1]])]
    )
    result = meek_stv(profile, seats=2, seed=1)
    assert result.winner_names == ["A", "B"]
    last = result.rounds[-1]
    assert last.keep_values[0] < 1
    assert abs(float(last.votes[0]) - float(last.extra["quota"])) < 1e-4


def test_plurality_counts_first_choices_and_equal_first_is_void() -> None:
    profile = build_profile(["A", "B", "C"], [(3, [[0]]), (2, [[1], [0]]), (4, [[0, 1]])])
    result = plurality(profile, seed=1)
    assert result.winner_names == ["A"]
    assert result.rounds[0].exhausted == 4


def test_plurality_tie_for_the_seat_is_decided_by_lot_from_the_seed() -> None:
    profile = build_profile(["A", "B"], [(2, [[0]]), (2, [[1]])])
    one = plurality(profile, seed=11)
    assert one.lots and one.lots[0].among == [0, 1]
    assert plurality(profile, seed=11).winners == one.winners


def test_approval_counts_every_marked_candidate() -> None:
    profile = build_profile(["A", "B", "C"], [(2, [[0, 1]]), (1, [[2]]), (1, [[1]])])
    result = approval(profile, seats=2, seed=1)
    assert result.winner_names == ["B", "A"]
    assert result.rounds[0].votes[1] == 3
