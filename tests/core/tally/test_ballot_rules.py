"""How a ballot is read under the rules (kenes.core.tally.methods.ballot_walk.choices).

Each rule has a hand-built profile whose outcome depends on it (from CSV text as a user writes
it, from BLT text, and from a Profile built directly); a property test compares the walk with
a literal transcription of RCTab's loop (Tabulator.computeTalliesForRound, BrightSpots/rcv)
on random ballots, for every combination of the rules.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.tally import load_profile
from kenes.core.tally.formats.blt import parse_blt
from kenes.core.tally.formats.csv_ballots import parse_csv
from kenes.core.tally.methods.ballot_walk import (
    EXHAUSTED,
    INACTIVE_REASONS,
    OVERVOTED,
    REPEATED_OUT,
    SKIPPED_OUT,
    choices,
    ranked_beyond,
)
from kenes.core.tally.profile import (
    OVERVOTE,
    SKIPPED,
    MarkWriter,
    Profile,
    build_profile,
    concat,
    marks_from_ranks,
    merge,
    overvote_mark,
    renumber,
)
from kenes.core.tally.rules import Rules

BARE = "overvote"  # a position written as the vendor's overvote mark (candidates unknown)
Position = Sequence[str] | str


def _csv(*ballots: Sequence[Position]) -> Profile:
    """A rank-column CSV as a user writes it: one row per ballot, ``a|b`` for an overvote."""
    width = max(len(b) for b in ballots)
    lines = ["Precinct," + ",".join(f"rank{k}" for k in range(1, width + 1))]
    for ballot in ballots:
        cells = [p if isinstance(p, str) else "|".join(p) for p in ballot]
        lines.append("P1," + ",".join(cells + [""] * (width - len(cells))))
    return parse_csv("\n".join(lines) + "\n")


def _rows(profile: Profile, out: Sequence[str] = (), **rules: object) -> list[str]:
    """Each distinct ballot's reading (a candidate's name or the inactive reason), by row."""
    continuing = np.array([name not in out for name in profile.candidates])
    got = choices(profile, continuing, Rules(**rules))  # type: ignore[arg-type]
    return [profile.candidates[c] if c >= 0 else INACTIVE_REASONS[int(c)] for c in got]


def _read(profile: Profile, out: Sequence[str] = (), **rules: object) -> Counter[str]:
    """How many voters each reading has (readers merge identical ballots in their order)."""
    got: Counter[str] = Counter()
    for reading, count in zip(_rows(profile, out, **rules), profile.counts.tolist(), strict=True):
        got[reading] += count
    return got


def _one(profile: Profile, out: Sequence[str] = (), **rules: object) -> str:
    assert profile.ranks.shape[0] == 1
    return _rows(profile, out, **rules)[0]


# -- overvotes --


def test_overvote_rules_read_a_named_overvote_differently() -> None:
    ballot = _csv(["A|B", "C"])
    assert _one(ballot, overvote="exhaust") == "overvote"
    assert _one(ballot, overvote="skip") == "C"
    assert _one(ballot, overvote="exhaust_if_multiple") == "overvote"  # A and B continue
    assert _one(ballot, ["B"], overvote="exhaust_if_multiple") == "A"  # only A continues
    assert _one(ballot, ["A", "B"], overvote="exhaust_if_multiple") == "C"  # neither: move on


def test_overvote_at_position_one_with_both_candidates_excluded_still_exhausts() -> None:
    # RCTab exhaustImmediately: the overvote exhausts whoever is continuing
    ballot = _csv(["A|B", "C"])
    assert _one(ballot, ["A", "B"], overvote="exhaust") == "overvote"
    assert _one(ballot, ["A", "B"], overvote="skip") == "C"


def test_an_overvote_is_only_read_when_the_walk_reaches_it() -> None:
    ballot = _csv(["C", "A|B", "D"])
    assert _one(ballot, overvote="exhaust") == "C"
    assert _one(ballot, ["C"], overvote="exhaust") == "overvote"
    assert _one(ballot, ["C"], overvote="skip") == "D"


def test_an_overvote_in_the_last_position_skipped_leaves_the_ballot_exhausted() -> None:
    # RCTab: "If the final ranking is an overvote, even if we're trying to skip to the next
    # rank, we consider this inactive by exhausted choices -- not an overvote."
    assert _one(_csv(["C", "A|B"]), ["C"], overvote="skip") == "exhausted"


def test_three_way_overvote_with_one_candidate_withdrawn() -> None:
    # the withdrawn candidate is not continuing; exhaust still sees an overvote of three
    ballot = replace(_csv(["A|B|C", "D"]), withdrawn=frozenset({2}))
    assert ballot.candidates[2] == "C"
    assert _one(ballot, ["C"], overvote="exhaust_if_multiple") == "overvote"  # A and B
    assert _one(ballot, ["C", "B"], overvote="exhaust_if_multiple") == "A"
    assert _one(ballot, ["C", "B", "A"], overvote="exhaust_if_multiple") == "D"
    assert _one(ballot, ["C"], overvote="exhaust") == "overvote"
    assert _one(ballot, ["C"], overvote="skip") == "D"


def test_a_bare_overvote_mark_cannot_be_read_if_multiple_continue() -> None:
    # RCTab refuses an overvoteLabel with exhaustIfMultipleContinuing; so do we, even if no
    # ballot reaches the mark, and the message names the option
    profile = _csv(["A", "overvote"], ["B"])
    assert OVERVOTE in profile.marks  # type: ignore[operator]
    with pytest.raises(ValueError, match="exhaust_if_multiple"):
        _read(profile, overvote="exhaust_if_multiple")
    assert _read(profile, ["A"], overvote="skip") == Counter(["exhausted", "B"])
    assert _read(profile, ["A"], overvote="exhaust") == Counter(["overvote", "B"])


def test_a_equals_b_and_a_bar_b_are_the_same_named_overvote() -> None:
    profile = _csv(["A|B"], ["B=A", "C"], ["A|A", "C"])
    a, b = profile.candidates.index("A"), profile.candidates.index("B")
    assert profile.overvotes == ((a, b),)
    assert profile.n_voters == 3
    assert _read(profile, ["C"], overvote="exhaust_if_multiple") == Counter({"overvote": 2, "A": 1})
    assert _read(profile, ["A"], overvote="exhaust_if_multiple") == Counter({"B": 2, "C": 1})


# -- duplicates --


def test_a_duplicate_of_an_excluded_candidate() -> None:
    ballot = _csv(["A", "A", "B"])
    assert _one(ballot, ["A"], duplicate="skip") == "B"
    assert _one(ballot, ["A"], duplicate="exhaust") == "repeated"
    # not reached while A continues
    assert _one(ballot, duplicate="exhaust") == "A"


def test_a_repeat_exhausts_whether_or_not_the_repeated_candidate_continues() -> None:
    # RCTab exhaustOnDuplicateCandidate looks only at the candidates seen: B continues here
    ballot = _csv(["B", "A", "B", "C"])
    assert _one(ballot, ["B", "A"], duplicate="exhaust") == "repeated"
    assert _one(ballot, ["B", "A"], duplicate="skip") == "C"


def test_a_candidate_first_met_inside_a_skipped_overvote_counts_at_the_repeat() -> None:
    # [A|B], A under alwaysSkipToNextRank: RCTab reads the repeat as any mark (counts A);
    # exhausting on duplicates makes it a repeat
    ballot = _csv(["A|B", "A"])
    assert _one(ballot, overvote="skip", duplicate="skip") == "A"
    assert _one(ballot, overvote="skip", duplicate="exhaust") == "repeated"
    assert _one(ballot, overvote="exhaust", duplicate="exhaust") == "overvote"


def test_the_csv_keeps_a_repeated_candidate_in_the_marks_and_once_in_the_ranks() -> None:
    profile = _csv(["A", "B", "A"])
    a, b = profile.candidates.index("A"), profile.candidates.index("B")
    assert profile.marks is not None
    assert profile.marks.tolist() == [[a, b, a]]
    assert profile.ranks[0].tolist() == [1, 2]


# -- skipped positions --


def test_max_skipped_exhausts_when_the_walk_reaches_the_next_mark() -> None:
    ballot = _csv(["A", "", "", "B"])
    assert _one(ballot, ["A"], max_skipped=1) == "skipped"
    assert _one(ballot, ["A"], max_skipped=2) == "B"
    assert _one(ballot, ["A"]) == "B"
    assert _one(ballot, max_skipped=0) == "A"  # not reached


def test_leading_skips_count_trailing_skips_do_not() -> None:
    assert _one(_csv(["", "", "A"]), max_skipped=1) == "skipped"
    assert _one(_csv(["", "A"]), max_skipped=1) == "A"
    assert _one(_csv(["A", "", "", ""]), ["A"], max_skipped=0) == "exhausted"


def test_an_overvote_ends_a_run_of_skipped_positions() -> None:
    # RCTab updates lastRankSeen at every ranking holding a mark, an overvote included
    ballot = _csv(["C", "", "A|B", "", "D"])
    assert _one(ballot, ["C"], overvote="skip", max_skipped=1) == "D"
    assert _one(ballot, ["C"], overvote="skip", max_skipped=0) == "skipped"


def test_skipped_ranks_are_checked_before_duplicates_and_overvotes() -> None:
    assert _one(_csv(["A", "", "", "A"]), ["A"], duplicate="exhaust", max_skipped=1) == "skipped"
    assert _one(_csv(["A", "", "", "B|C"]), ["A"], max_skipped=1) == "skipped"


def test_all_blank_ballots_are_exhausted_under_every_rule() -> None:
    profile = _csv(["", "", ""], ["undervote", "undervote", "undervote"], ["A"])
    assert profile.n_voters == 3
    for overvote in ("exhaust", "skip", "exhaust_if_multiple"):
        for duplicate in ("skip", "exhaust"):
            for max_skipped in (None, 0):
                got = _read(
                    profile, overvote=overvote, duplicate=duplicate, max_skipped=max_skipped
                )
                assert got == Counter({"exhausted": 2, "A": 1})


# -- maximum rankings --


def test_positions_beyond_max_rankings_are_not_read() -> None:
    ballot = _csv(["A", "B", "C"])
    assert _one(ballot, ["A", "B"], max_rankings=2) == "exhausted"
    assert _one(ballot, ["A", "B"]) == "C"
    assert ranked_beyond(ballot, 2) == 1
    assert ranked_beyond(ballot, 3) == 0
    # nor checked: a repeat, an overvote or a long skip beyond it changes nothing
    assert _one(_csv(["A", "B", "A"]), ["A", "B"], duplicate="exhaust", max_rankings=2) == (
        "exhausted"
    )
    assert _one(_csv(["A", "", "", "", "B"]), ["A"], max_skipped=1, max_rankings=3) == ("exhausted")
    assert _one(_csv(["A", "B|C"]), ["A"], max_rankings=1) == "exhausted"


# -- a Profile built directly, and the profile helpers --


def test_profile_built_directly_with_named_and_bare_overvotes() -> None:
    # candidates A B C D; overvote sets {A,B} and {B,C,D}
    marks = np.array(
        [
            [overvote_mark(0), 2],
            [overvote_mark(1), 0],
            [OVERVOTE, 3],
            [SKIPPED, SKIPPED],
        ],
        dtype=np.int16,
    )
    profile = Profile(
        candidates=("A", "B", "C", "D"),
        ranks=np.array([[1, 1, 2, 0], [2, 1, 1, 1], [0, 0, 0, 2], [0, 0, 0, 0]], np.int16),
        counts=np.array([1, 1, 1, 1], np.int64),
        marks=marks,
        overvotes=((0, 1), (1, 2, 3)),
    )
    assert _rows(profile, ["B", "C"], overvote="exhaust") == [
        "overvote",
        "overvote",
        "overvote",
        "exhausted",
    ]
    assert _rows(profile, ["B", "C"], overvote="skip") == ["exhausted", "A", "D", "exhausted"]
    with pytest.raises(ValueError, match="exhaust_if_multiple"):
        _rows(profile, overvote="exhaust_if_multiple")
    named = replace(profile, marks=marks[[0, 1, 3]], ranks=profile.ranks[[0, 1, 3]])
    named = replace(named, counts=named.counts[:3])
    assert _rows(named, ["B", "C"], overvote="exhaust_if_multiple") == ["A", "D", "exhausted"]
    assert _rows(named, ["B"], overvote="exhaust_if_multiple") == ["A", "overvote", "exhausted"]


def test_marks_naming_what_does_not_exist_are_refused() -> None:
    profile = Profile(
        candidates=("A", "B"),
        ranks=np.array([[1, 1]], np.int16),
        counts=np.array([1], np.int64),
        marks=np.array([[overvote_mark(1)]], np.int16),
        overvotes=((0, 1),),
    )
    with pytest.raises(ValueError, match="overvote set 1"):
        _read(profile)
    with pytest.raises(ValueError, match="candidate number 3"):
        _read(replace(profile, marks=np.array([[2]], np.int16)))


def test_bad_rules_are_refused_with_a_sentence() -> None:
    profile = _csv(["A"])
    for rules, word in (
        ({"overvote": "ignore"}, "overvote rule 'ignore'"),
        ({"duplicate": "count"}, "duplicate rule 'count'"),
        ({"max_skipped": -1}, "max_skipped"),
        ({"max_rankings": 0}, "max_rankings"),
    ):
        with pytest.raises(ValueError, match=word):
            _read(profile, **rules)


def test_mark_writer_names_each_set_once_sorted() -> None:
    writer = MarkWriter()
    assert writer.mark([]) == SKIPPED
    assert writer.mark([3]) == 3
    assert writer.mark([3, 3]) == 3
    assert writer.mark([2, 0]) == overvote_mark(0)
    assert writer.mark([0, 2, 2]) == overvote_mark(0)
    assert writer.mark([1, 2]) == overvote_mark(1)
    assert writer.overvotes == ((0, 2), (1, 2))


def test_build_profile_as_cast_keeps_overvotes_and_repeats() -> None:
    profile = build_profile(
        ["A", "B", "C"], [(2, [[0, 1], [], [2], [0]]), (1, [[2], [1, 0]])], as_cast=True
    )
    assert profile.overvotes == ((0, 1),)
    assert profile.marks is not None
    rows = {tuple(m): int(c) for m, c in zip(profile.marks.tolist(), profile.counts, strict=True)}
    assert rows == {
        (overvote_mark(0), SKIPPED, 2, 0): 2,
        (2, overvote_mark(0), SKIPPED, SKIPPED): 1,
    }
    assert _read(profile, ["C"], overvote="exhaust_if_multiple") == Counter({"overvote": 3})
    everyone = ["A", "B", "C"]
    assert _read(profile, everyone, overvote="exhaust_if_multiple", duplicate="exhaust") == (
        Counter({"repeated": 2, "exhausted": 1})
    )
    assert _read(profile, everyone, duplicate="skip") == Counter({"overvote": 3})


def test_concat_renames_the_overvote_sets_of_each_part() -> None:
    first = _csv(["A|B", "C"])  # A B C numbered in this order
    second = build_profile(
        first.candidates, [(1, [[1, 2]]), (1, [[0, 1], [2]])], as_cast=True
    )  # {B,C} is set 0 here, {A,B} set 1
    both = concat([first, second])
    assert set(both.overvotes) == {(0, 1), (1, 2)}
    assert both.n_voters == 3
    assert _read(both, ["B"], overvote="exhaust_if_multiple") == Counter({"A": 2, "C": 1})
    # a part without marks gets the marks its ranks describe
    blt = parse_blt('3 1\n1 1=2 3 0\n0\n"A"\n"B"\n"C"\n"t"\n')
    assert marks_from_ranks(blt)[1] == ((0, 1),)
    mixed = concat([first, replace(blt, title="")])
    assert mixed.n_voters == 2
    assert mixed.marks is not None and mixed.overvotes == ((0, 1),)


def test_renumber_moves_candidates_marks_and_sets() -> None:
    profile = _csv(["A|B", "C"], ["C", "A"])
    names = profile.candidates  # A B C
    moved = renumber(profile, [2, 0, 1], [names[1], names[2], names[0]])  # B C A
    assert moved.candidates == ("B", "C", "A")
    assert moved.overvotes == ((0, 2),)
    assert _read(moved, ["B"], overvote="exhaust_if_multiple") == _read(
        profile, ["B"], overvote="exhaust_if_multiple"
    )


def test_merge_keeps_the_overvote_sets_valid() -> None:
    profile = _csv(["A|B", "C"], ["A|B", "C"], ["B|C"])
    assert profile.n_voters == 3 and profile.ranks.shape[0] == 2
    again = merge(concat([profile, profile]))
    assert _read(again, ["A"], overvote="exhaust_if_multiple") == Counter({"B": 4, "overvote": 2})
    assert again.n_voters == 6


# -- without marks: BLT and PrefLib --


def test_blt_equal_ranking_is_an_overvote_and_gaps_are_skipped_positions() -> None:
    # candidates A B C D; ballots: A=B C / A - - D / D
    blt = parse_blt('4 1\n1 1=2 3 0\n1 1 - - 4 0\n1 4 0\n0\n"A"\n"B"\n"C"\n"D"\n"t"\n')
    assert blt.marks is None
    assert _read(blt, overvote="exhaust") == Counter(["overvote", "A", "D"])
    assert _read(blt, ["A", "B"], overvote="exhaust") == Counter(["overvote", "D", "D"])
    assert _read(blt, ["B"], overvote="exhaust_if_multiple") == Counter(["A", "A", "D"])
    assert _read(blt, overvote="skip") == Counter(["C", "A", "D"])
    assert _read(blt, ["A"], max_skipped=1) == Counter(["overvote", "skipped", "D"])
    assert _read(blt, ["A"], max_skipped=2, overvote="skip") == Counter(["C", "D", "D"])
    assert _read(blt, ["A", "B", "C"], max_rankings=3) == Counter(["overvote", "exhausted", "D"])
    # a candidate cannot be ranked twice in BLT: duplicate exhaust changes nothing
    for rules in ({}, {"overvote": "skip"}, {"max_skipped": 1}):
        assert _read(blt, ["A"], duplicate="exhaust", **rules) == _read(blt, ["A"], **rules)


def test_burlington_2009_counted_exhaust_if_multiple_with_inactive_final_is_official(
    ballots: Path,
) -> None:
    """PrefLib's Burlington 2009 ballots (6 with equal rankings), IRV reading each ballot under
    exhaust_if_multiple and keeping inactive ballots inactive (``previous``): the official
    final round 4,313 - 4,061 exactly. Reading afresh each round (an overvoted ballot counts
    again once one of its candidates is excluded) gives 4,314 - 4,064."""
    profile = load_profile(ballots / "preflib-burlington/00005-00000002.toi")
    names = profile.candidates

    def final(sticky: bool) -> dict[str, int]:
        continuing = np.ones(profile.n_candidates, dtype=bool)
        previous = None
        rules = Rules(overvote="exhaust_if_multiple")
        while True:
            top = choices(profile, continuing, rules, previous if sticky else None)
            previous = top
            votes = np.bincount(top[top >= 0], profile.counts[top >= 0], profile.n_candidates)
            live = np.flatnonzero(continuing)
            if votes.max() * 2 > votes[live].sum():
                return {names[c]: int(votes[c]) for c in live}
            continuing[live[np.argmin(votes[live])]] = False

    assert final(sticky=True) == {"Bob Kiss": 4313, "Kurt Wright": 4061}
    assert final(sticky=False) == {"Bob Kiss": 4314, "Kurt Wright": 4064}


# -- every rule against a transcription of RCTab's loop --


def _rctab(
    ballot: Sequence[tuple[int, ...] | str], continuing: Sequence[bool], rules: Rules
) -> int:
    """RCTab's Tabulator.computeTalliesForRound for one ballot, transcribed literally."""
    positions = list(ballot)[: rules.max_rankings]
    last = 0
    seen: set[int] = set()
    for rank, group in enumerate(positions, start=1):
        if group == ():
            continue  # a skipped ranking is not in RCTab's candidateRankings
        if rules.max_skipped is not None and rank - last > rules.max_skipped + 1:
            return SKIPPED_OUT
        last = rank
        if isinstance(group, str):  # BARE: an overvote whose candidates are unknown
            if rules.overvote == "exhaust":
                return OVERVOTED
            assert rules.overvote == "skip"  # RCTab refuses exhaust_if_multiple with it
            continue
        if rules.duplicate == "exhaust":
            if any(c in seen for c in group):
                return REPEATED_OUT
            seen.update(group)
        if len(group) > 1:
            if rules.overvote == "exhaust":
                return OVERVOTED
            if rules.overvote == "skip":
                continue
            if sum(continuing[c] for c in group) > 1:
                return OVERVOTED
        for c in group:
            if continuing[c]:
                return c
    return EXHAUSTED


N = 4
_position = st.one_of(
    st.just(()),
    st.integers(0, N - 1).map(lambda c: (c,)),
    st.sets(st.integers(0, N - 1), min_size=2, max_size=3).map(lambda s: tuple(sorted(s))),
)
_rules = st.builds(
    Rules,
    overvote=st.sampled_from(["exhaust", "skip", "exhaust_if_multiple"]),
    duplicate=st.sampled_from(["skip", "exhaust"]),
    max_skipped=st.one_of(st.none(), st.integers(0, 3)),
    max_rankings=st.one_of(st.none(), st.integers(1, 7)),
)


def _profile_as_cast(ballots: list[list[tuple[int, ...] | str]]) -> Profile:
    """The ballots through the CSV reader (candidates c0..c3, numbered as they appear)."""
    width = max([len(b) for b in ballots] + [1])
    lines = ["Precinct," + ",".join(f"rank{k}" for k in range(1, width + 1))]
    for ballot in ballots:
        cells = [g if isinstance(g, str) else "|".join(f"c{c}" for c in g) for g in ballot]
        lines.append("P," + ",".join(cells + [""] * (width - len(cells))))
    return parse_csv("\n".join(lines) + "\n")


def _by_outcome(profile: Profile, got: np.ndarray, names: Sequence[str]) -> Counter[object]:
    out: Counter[object] = Counter()
    for code, count in zip(got.tolist(), profile.counts.tolist(), strict=True):
        out[names[code] if code >= 0 else code] += count
    return out


def _expected(
    ballots: Sequence[Sequence[tuple[int, ...] | str]], continuing: dict[str, bool], rules: Rules
) -> Counter[object]:
    names = [f"c{k}" for k in range(N)]
    flags = [continuing.get(name, False) for name in names]
    out: Counter[object] = Counter()
    for ballot in ballots:
        code = _rctab(ballot, flags, rules)
        out[names[code] if code >= 0 else code] += 1
    return out


@settings(max_examples=300, deadline=None)
@given(
    ballots=st.lists(
        st.lists(st.one_of(_position, st.just(BARE)), max_size=7), min_size=1, max_size=12
    ),
    flags=st.lists(st.booleans(), min_size=N, max_size=N),
    rules=_rules,
)
def test_the_walk_over_marks_is_rctabs_loop(
    ballots: list[list[tuple[int, ...] | str]], flags: list[bool], rules: Rules
) -> None:
    ballots = [b for b in ballots if any(g != () for g in b)] or [[(0,)]]
    if rules.overvote == "exhaust_if_multiple":
        ballots = [[g for g in b if g != BARE] or [(0,)] for b in ballots]
    profile = _profile_as_cast(ballots)
    continuing = {f"c{k}": flags[k] for k in range(N)}
    mask = np.array([continuing[name] for name in profile.candidates])
    got = choices(profile, mask, rules)
    assert _by_outcome(profile, got, profile.candidates) == _expected(ballots, continuing, rules)


@settings(max_examples=300, deadline=None)
@given(
    ballots=st.lists(st.lists(_position, max_size=7), min_size=1, max_size=12),
    flags=st.lists(st.booleans(), min_size=N, max_size=N),
    rules=_rules,
)
def test_the_walk_over_ranks_is_rctabs_loop(
    ballots: list[list[tuple[int, ...]]], flags: list[bool], rules: Rules
) -> None:
    clean = _ranked_once(ballots)
    names = [f"c{k}" for k in range(N)]
    profile = build_profile(names, [(1, [list(g) for g in b]) for b in clean])
    assert profile.marks is None
    got = choices(profile, np.array(flags), rules)
    continuing = dict(zip(names, flags, strict=True))
    assert _by_outcome(profile, got, names) == _expected(clean, continuing, rules)
    # the same ballots as cast read the same way
    as_cast = build_profile(names, [(1, [list(g) for g in b]) for b in clean], as_cast=True)
    again = choices(as_cast, np.array(flags), rules)
    assert _by_outcome(as_cast, again, names) == _by_outcome(profile, got, names)


@settings(max_examples=150, deadline=None)
@given(
    ballots=st.lists(st.lists(_position, max_size=6), min_size=1, max_size=12),
    order=st.permutations(list(range(N))),
    rules=_rules,
    with_marks=st.booleans(),
)
def test_previous_keeps_inactive_ballots_inactive_round_after_round(
    ballots: list[list[tuple[int, ...]]], order: list[int], rules: Rules, with_marks: bool
) -> None:
    names = [f"c{k}" for k in range(N)]
    if not with_marks:
        ballots = _ranked_once(ballots)
    profile = build_profile(names, [(1, [list(g) for g in b]) for b in ballots], as_cast=with_marks)
    assert (profile.marks is not None) == with_marks
    continuing = np.ones(N, dtype=bool)
    state = [_rctab(b, continuing.tolist(), rules) for b in ballots]
    previous = choices(profile, continuing, rules)
    for excluded in order[:-1]:
        continuing[excluded] = False
        flags = continuing.tolist()
        state = [
            s if s < 0 or flags[s] else _rctab(b, flags, rules)
            for s, b in zip(state, ballots, strict=True)
        ]
        previous = choices(profile, continuing, rules, previous)
        want: Counter[object] = Counter(names[s] if s >= 0 else s for s in state)
        assert _by_outcome(profile, previous, names) == want
        rows = np.arange(profile.ranks.shape[0])[::-1]
        fresh = choices(profile, continuing, rules)
        assert (choices(profile, continuing, rules, rows=rows) == fresh[rows]).all()


def _ranked_once(ballots: list[list[tuple[int, ...]]]) -> list[list[tuple[int, ...]]]:
    """Without marks a candidate is ranked once: each candidate at its first position only."""
    clean: list[list[tuple[int, ...]]] = []
    for ballot in ballots:
        seen: set[int] = set()
        positions = []
        for group in ballot:
            fresh = tuple(c for c in group if c not in seen)
            seen.update(fresh)
            positions.append(fresh)
        clean.append(positions)
    return clean


def test_previous_walks_again_only_ballots_whose_candidate_left() -> None:
    profile = _csv(["A|B", "C"], ["C", "A"], ["B"])
    rules = Rules(overvote="exhaust_if_multiple")
    continuing = np.ones(3, dtype=bool)
    first = choices(profile, continuing, rules)
    assert Counter(first.tolist()) == Counter({OVERVOTED: 1, 2: 1, 1: 1})
    continuing[profile.candidates.index("B")] = False
    # read afresh, the overvoted ballot now counts for A; with previous it stays overvoted
    assert _read(profile, ["B"], overvote="exhaust_if_multiple") == Counter(["A", "C", "exhausted"])
    later = choices(profile, continuing, rules, first)
    assert Counter(later.tolist()) == Counter({OVERVOTED: 1, 2: 1, EXHAUSTED: 1})


@pytest.mark.parametrize(
    ("contest", "overvote"),
    [("2013_minneapolis_mayor", "exhaust"), ("2017_minneapolis_mayor", "skip")],
)
def test_minneapolis_inactive_ballots_by_reason_equal_rctab_in_every_round(
    ballots: Path, contest: str, overvote: str
) -> None:
    """RCTab's eliminations replayed on the walk alone: in every round the ballots inactive by
    overvote, by skipped ranks and by exhausted choices are RCTab's, and the blank ballots are
    its "undervotes" (RCTab reports them apart from the inactive ballots)."""
    folder = ballots / "minneapolis-rctab" / contest
    profile = load_profile(folder / f"{contest}_ballots_aggregated.csv.gz")
    config = json.loads((folder / f"{contest}_config.json").read_text())["rules"]
    report = json.loads((folder / f"{contest}_expected_detailed_report.json").read_text())
    rules = Rules(overvote=overvote, max_skipped=int(config["maxSkippedRanksAllowed"]))
    names = ["Undeclared Write-ins" if c == "UWI" else c for c in profile.candidates]
    assert profile.marks is not None
    blank = (profile.marks == SKIPPED).all(axis=1)
    assert int(profile.counts[blank].sum()) == int(report["summary"]["undervotes"])
    reasons = {
        "exhaustedChoices": EXHAUSTED,
        "overvotes": OVERVOTED,
        "skippedRankings": SKIPPED_OUT,
        "repeatedRankings": REPEATED_OUT,
    }
    continuing = np.ones(profile.n_candidates, dtype=bool)
    previous = None
    for round_ in report["results"]:
        previous = choices(profile, continuing, rules, previous)
        got = {
            key: str(int(profile.counts[(previous == code) & ~blank].sum()))
            for key, code in reasons.items()
        }
        assert got == round_["inactiveBallots"], f"round {round_['round']}"
        for figure in round_["tallyResults"]:
            if "eliminated" in figure:
                continuing[names.index(figure["eliminated"])] = False


@settings(max_examples=150, deadline=None)
@given(
    ballots=st.lists(
        st.lists(st.one_of(st.just(()), st.integers(0, N - 1).map(lambda c: (c,))), max_size=6),
        min_size=1,
        max_size=12,
    ),
    flags=st.lists(st.booleans(), min_size=N, max_size=N),
    rules=_rules,
    with_marks=st.booleans(),
)
def test_rules_that_do_not_apply_change_nothing(
    ballots: list[list[tuple[int, ...]]], flags: list[bool], rules: Rules, with_marks: bool
) -> None:
    """No overvote, no repeat, no run of skips longer than the limit, nothing beyond the
    maximum rankings: every rule reads the ballots as the default Rules() does."""
    ballots = _ranked_once(ballots)  # no candidate twice
    width = max(len(b) for b in ballots)
    if rules.max_rankings is not None and rules.max_rankings < width:
        rules = replace(rules, max_rankings=width)
    longest = max(
        (
            len(run)
            for b in ballots
            for run in "".join("s" if g == () else "m" for g in b).split("m")
        ),
        default=0,
    )
    if rules.max_skipped is not None and rules.max_skipped < longest:
        rules = replace(rules, max_skipped=longest)
    names = [f"c{k}" for k in range(N)]
    profile = build_profile(names, [(1, [list(g) for g in b]) for b in ballots], as_cast=with_marks)
    plain = choices(profile, np.array(flags), Rules())
    assert (choices(profile, np.array(flags), rules) == plain).all()
