"""Ballot file formats: BLT as count software writes it, PrefLib, CSV; malformed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.tally import (
    BallotFileError,
    load_profile,
    parse_blt,
    parse_csv,
    parse_preflib,
    write_blt,
)
from kenes.core.tally.profile import OVERVOTE, SKIPPED

BLT = (
    "4 2\r\n-4\r\n3 1 2=3 0\r\n2 2 - 1 0\r\n(b7) 1 3 0\r\n1 1 2=3 0\r\n0\r\n"
    '"Ann Lee" "Green"\r\n"Bo Kim" "Red"\r\n"Cy Day"\r\n"Dee"\r\n"Ward 9"\r\n'
)


def _ballot_set(profile):  # type: ignore[no-untyped-def]
    return {(tuple(tuple(g) for g in pos), n) for n, pos in profile.ballots()}


def test_blt_reads_crlf_name_party_withdrawn_equal_ranking_skip_and_weights() -> None:
    p = parse_blt(BLT)
    assert p.candidates == ("Ann Lee", "Bo Kim", "Cy Day", "Dee")
    assert p.parties == ("Green", "Red", "", "")
    assert p.withdrawn == frozenset({3})
    assert p.seats == 2 and p.title == "Ward 9"
    assert p.n_voters == 7
    # identical ballots merged; equal ranking shares a position; '-' leaves a gap
    assert _ballot_set(p) == {(((0,), (1, 2)), 4), (((1,), (), (0,)), 2), (((2,),), 1)}


def test_blt_written_and_read_back_is_the_same_profile() -> None:
    p = parse_blt(BLT)
    q = parse_blt(write_blt(p))
    assert _ballot_set(p) == _ballot_set(q)
    assert q.candidates == p.candidates and q.withdrawn == p.withdrawn


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("x 2\n", 1, "two numbers"),
        ('2 1\n1 1 3 0\n0\n"A"\n"B"\n', 2, "'3' is not a candidate"),
        ('2 1\n1 1 2\n0\n"A"\n"B"\n', 2, "'<weight> <preferences> 0'"),
        ('2 1\n1 1 1 0\n0\n"A"\n"B"\n', 2, "ranked twice"),
        ('2 1\n1 1 0\n0\n"A"\n', 4, "candidate name lines"),
        ('2 1\n-3\n1 1 0\n0\n"A"\n"B"\n', 2, "withdrawn"),
        ("2 1\n1 1 0\n", 2, "end with a line holding only 0"),
    ],
)
def test_malformed_blt_raises_one_error_naming_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(BallotFileError) as err:
        parse_blt(text)
    assert err.value.line == line
    assert words in str(err.value)


def test_preflib_toi_reads_ties_in_braces_and_counts() -> None:
    text = "# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n# ALTERNATIVE NAME 3: C\n"
    text += "5: 1,{2,3}\n2: 3\n"
    p = parse_preflib(text, "toi")
    assert p.candidates == ("A", "B", "C")
    assert _ballot_set(p) == {(((0,), (1, 2)), 5), (((2,),), 2)}


def test_preflib_strict_format_refuses_ties_naming_the_line() -> None:
    text = "# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n1: 1,2\n1: {1,2}\n"
    with pytest.raises(BallotFileError) as err:
        parse_preflib(text, "soi")
    assert err.value.line == 4


def test_preflib_complete_format_refuses_incomplete_order() -> None:
    text = "# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n1: 1\n"
    with pytest.raises(BallotFileError) as err:
        parse_preflib(text, "soc")
    assert err.value.line == 3


def test_csv_cast_vote_record_keeps_skips_and_overvotes_as_cast() -> None:
    text = "Precinct,rank1,rank2,rank3,count\nP1,A,undervote,B,3\nP2,overvote,B,,2\nP3,A,,B,1\n"
    p = parse_csv(text)
    assert p.candidates == ("A", "B")
    assert p.marks is not None
    rows = {tuple(m): int(c) for m, c in zip(p.marks.tolist(), p.counts, strict=True)}
    assert rows == {(0, SKIPPED, 1): 4, (OVERVOTE, 1, SKIPPED): 2}


def test_csv_one_column_per_candidate_reads_rank_numbers() -> None:
    p = parse_csv("A,B,C\n1,2,\n,1,1\n")
    assert _ballot_set(p) == {(((0,), (1,)), 1), (((1, 2),), 1)}


def test_csv_bad_rank_cell_names_the_line() -> None:
    with pytest.raises(BallotFileError) as err:
        parse_csv("A,B\n1,2\n1,x\n")
    assert err.value.line == 3


def test_files_load_by_extension_including_gzip(ballots: Path) -> None:
    blt = load_profile(ballots / "glasgow-2022/blt/Ward-1-Linn.blt")
    assert blt.n_voters == 8994 and blt.seats == 4
    soi = load_profile(ballots / "preflib-irish-2002/00001-00000002.soi")
    assert soi.n_voters == 29988
    folder = ballots / "minneapolis-rctab/2017_minneapolis_mayor"
    cvr = load_profile(folder / "2017_minneapolis_mayor_ballots_aggregated.csv.gz")
    assert cvr.n_voters == 105928
    assert np.all(cvr.counts > 0)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "ballots.txt"
    f.write_text("1\n")
    with pytest.raises(BallotFileError):
        load_profile(f)


def test_blt_fast_reader_and_line_by_line_reader_give_the_same_profile() -> None:
    plain = '3 1\r\n2 1 2 3 0\r\n1 3 0\r\n1 1 2 3 0\r\n5 2 0\r\n0\r\n"A"\r\n"B"\r\n"C"\r\n"T"\r\n'
    # an "(id)" prefix sends every line through the line-by-line reader
    with_ids = plain.replace("\r\n2 1 2", "\r\n(x) 2 1 2")
    assert _ballot_set(parse_blt(plain)) == _ballot_set(parse_blt(with_ids))
    assert _ballot_set(parse_blt(plain)) == {(((0,), (1,), (2,)), 3), (((2,),), 1), (((1,),), 5)}


def test_blt_fast_reader_falls_back_to_name_the_bad_line() -> None:
    text = '2 1\r\n1 1 2 0\r\n1 2 2 0\r\n0\r\n"A"\r\n"B"\r\n'
    with pytest.raises(BallotFileError) as err:
        parse_blt(text)
    assert err.value.line == 3


@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.permutations(range(1, 7)), st.integers(1, 6)),
        min_size=1,
        max_size=60,
    )
)
@settings(max_examples=100, deadline=None)
def test_the_fast_blt_reader_merges_like_the_line_by_line_reader(lines):  # type: ignore[no-untyped-def]
    body = "".join(f"{w} {' '.join(map(str, order[:k]))} 0\r\n" for w, order, k in lines)
    names = "".join(f'"C{i}"\r\n' for i in range(1, 7))
    fast = parse_blt(f'6 2\r\n{body}0\r\n{names}"t"\r\n')
    # a comment among the ballot lines sends the file down the line-by-line path
    slow = parse_blt(f'6 2\r\n{body}# line by line\r\n0\r\n{names}"t"\r\n')
    key = lambda p: sorted(  # noqa: E731
        (tuple(map(tuple, pos)), n) for n, pos in p.ballots()
    )
    assert key(fast) == key(slow)
    assert fast.n_voters == slow.n_voters == sum(w for w, _o, _k in lines)
