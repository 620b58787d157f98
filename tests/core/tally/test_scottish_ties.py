"""Scottish STV ties among three candidates: SSI 2007/42, Schedule 1, rules 49(2)-(3) (equal
surpluses) and 51(2) (equal lowest).

49(2): "the transferable papers of the candidate who had the highest number of votes at the
end of the most recent preceding stage at which they had unequal numbers of votes shall be
transferred first"; 49(3): by lot "if the numbers of votes ... were equal at all stages".
51(2)(a): "regard shall be had to the total number of votes credited to those candidates at the
end of the most recently preceding stage of the count at which they had an unequal number of
votes and the candidate with the lowest number of votes at that stage shall be excluded";
51(2)(b): by lot where they were "equal at all stages".

With three tied, "they had unequal numbers" is read as "not all equal": the latest such stage
decides, and where two of the three are still equal (both lowest, or both highest) there, the
rule is applied again to those two, at the stages before it; only candidates equal at every
stage go to lot. Each profile below is built so that the other readings give another answer:
the *earliest* differing stage, and "unequal" read as all three different.
"""

from __future__ import annotations

from kenes.core.tally import build_profile, scottish_stv
from kenes.core.tally.profile import Profile
from kenes.core.tally.result import Result


def _profile(candidates: str, ballots: list[tuple[int, str]]) -> Profile:
    """``ballots``: (count, "A B C") — candidates in order of preference."""
    names = candidates.split()
    index = {name: i for i, name in enumerate(names)}
    rows = [(count, [[index[c]] for c in order.split()]) for count, order in ballots]
    return build_profile(names, rows)


def _votes(result: Result, stage: int, *who: str) -> list[int]:
    votes = result.rounds[stage - 1].votes
    return [int(votes[result.candidates.index(name)]) for name in who]


def _excluded(result: Result, stage: int) -> list[str]:
    return [result.candidates[c] for c in result.rounds[stage - 1].excluded]


def test_three_equal_lowest_the_lowest_at_the_most_recent_differing_stage_is_excluded() -> None:
    # stage 1: X 5, Y 6, Z 7 (X lowest); P excluded -> stage 2: X 8, Y 6, Z 7 (Y lowest);
    # Q excluded -> stage 3: X = Y = Z = 8. Rule 51(2)(a): stage 2 decides, Y is excluded.
    # (The earliest differing stage would exclude X.)
    profile = _profile(
        "X Y Z P Q A",
        [
            (5, "X"),
            (6, "Y"),
            (7, "Z"),
            (3, "P X"),
            (2, "Q Y"),
            (1, "Q Z"),
            (1, "Q A"),
            (10, "A"),
        ],
    )
    result = scottish_stv(profile, 1, seed=1)
    assert _votes(result, 1, "X", "Y", "Z") == [5, 6, 7]
    assert _votes(result, 2, "X", "Y", "Z") == [8, 6, 7]
    assert _votes(result, 3, "X", "Y", "Z") == [8, 8, 8]
    assert _excluded(result, 4) == ["Y"]
    assert result.lots == []


def test_three_equal_lowest_two_still_equal_at_the_most_recent_stage_are_compared_before_it() -> (
    None
):
    # stage 1: X 6, Y 4, Z 5   (earliest differing stage: Y lowest)
    # stage 2: X 6, Y 7, Z 5   (the latest stage where all three differ: Z lowest)
    # stage 3: X 7, Y 7, Z 8   (the most recent stage where they were not all equal)
    # stage 4: X = Y = Z = 9.
    # Rule 51(2)(a): at stage 3 X and Y are the lowest, equal; Z is out of the tie. Applied
    # again to X and Y, the most recent stage where they differed is stage 2: X (6) is
    # excluded. No lot: they were not equal at all stages.
    profile = _profile(
        "X Y Z P Q R A",
        [
            (6, "X"),
            (4, "Y"),
            (5, "Z"),
            (3, "P Y"),
            (1, "Q X"),
            (3, "Q Z"),
            (2, "R X"),
            (2, "R Y"),
            (1, "R Z"),
            (12, "A"),
        ],
    )
    result = scottish_stv(profile, 1, seed=1)
    assert _votes(result, 1, "X", "Y", "Z") == [6, 4, 5]
    assert _votes(result, 2, "X", "Y", "Z") == [6, 7, 5]
    assert _votes(result, 3, "X", "Y", "Z") == [7, 7, 8]
    assert _votes(result, 4, "X", "Y", "Z") == [9, 9, 9]
    assert _excluded(result, 5) == ["X"]
    assert result.lots == []


def test_two_of_three_equal_at_every_stage_before_go_to_lot_without_the_third() -> None:
    # stage 1: X 4, Y 4, Z 5; P excluded -> stage 2: X = Y = Z = 5. Stage 1 puts Z out of the
    # tie; X and Y were equal at every stage: rule 51(2)(b), lot between X and Y only.
    profile = _profile(
        "X Y Z P A",
        [(4, "X"), (4, "Y"), (5, "Z"), (1, "P X"), (1, "P Y"), (1, "P A"), (8, "A")],
    )
    for seed in range(6):
        result = scottish_stv(profile, 1, seed=seed)
        assert _votes(result, 2, "X", "Y", "Z") == [5, 5, 5]
        (lot,) = [lot for lot in result.lots if lot.purpose == "exclusion"]
        assert [result.candidates[c] for c in lot.among] == ["X", "Y"]
        assert _excluded(result, 3) == [result.candidates[lot.drawn]]


def test_three_equal_surpluses_transfer_in_the_order_of_the_most_recent_differing_stages() -> None:
    # 4 seats, 137 votes, quota 28.
    # stage 1: S 20, T 22, U 21   (earliest differing stage: T, U, S)
    # stage 2: S 24, T 22, U 23   (the latest stage where all three differ: S first)
    # stage 3: S 25, T 26, U 26   (most recent stage where they were not all equal)
    # stage 4: S = T = U = 30: three equal surpluses of 2.
    # Rule 49(2): at stage 3 T and U are the highest, equal; between them stage 2 decides: U's
    # papers go first. Then S and T are still equal (30 each): stage 3 decides, T before S.
    profile = _profile(
        "S T U P Q R V W",
        [
            (20, "S"),
            (22, "T"),
            (21, "U"),
            (4, "P S"),
            (2, "P U"),
            (1, "Q S"),
            (4, "Q T"),
            (3, "Q U"),
            (5, "R S"),
            (4, "R T"),
            (4, "R U"),
            (23, "V"),
            (24, "W"),
        ],
    )
    result = scottish_stv(profile, 4, seed=1)
    assert result.quota == 28
    assert _votes(result, 2, "S", "T", "U") == [24, 22, 23]
    assert _votes(result, 3, "S", "T", "U") == [25, 26, 26]
    assert _votes(result, 4, "S", "T", "U") == [30, 30, 30]
    assert [r.action for r in result.rounds[4:7]] == [
        "surplus of U",
        "surplus of T",
        "surplus of S",
    ]
    assert result.lots == []


def test_three_surpluses_equal_at_every_stage_are_ordered_by_lot_among_all_three() -> None:
    # 4 seats, 34 votes, quota 7. S, T, U have 10 votes each at every stage: rule 49(3),
    # lot among all three for the first transfer, then between the two left.
    profile = _profile(
        "S T U V W",
        [(10, "S V"), (10, "T V"), (10, "U V"), (3, "V"), (1, "W")],
    )
    result = scottish_stv(profile, 4, seed=3)
    first, second = [lot for lot in result.lots if lot.purpose == "order of surpluses"]
    assert sorted(result.candidates[c] for c in first.among) == ["S", "T", "U"]
    assert sorted(second.among) == sorted(set(first.among) - {first.drawn})
    assert result.rounds[1].action == f"surplus of {result.candidates[first.drawn]}"
