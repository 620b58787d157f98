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
from kenes.core.tally.formats import blt_lines
from kenes.core.tally.formats.blt import read_blt
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


# Ballot lines as count software writes them and as people edit them: the fast reader must
# read each file exactly as the line-by-line reader does, or raise the same error.
_FAULTS = ("ranked twice", "out of range", "00 end", "no end", "one number", "candidate 0")


@st.composite
def blt_texts(draw):  # type: ignore[no-untyped-def]
    n = draw(st.sampled_from([1, 3, 9, 12, 15, 16, 20, 300]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    lines = [f"{n} {draw(st.integers(1, 3))}"]
    if draw(st.booleans()):
        lines.append(" ".join(f"-{c}" for c in draw(st.lists(st.integers(1, n), max_size=2))))
        lines[-1] = lines[-1] or "-1"
    for _ in range(draw(st.integers(0, 12))):
        order = draw(st.permutations(range(1, n + 1)).map(lambda o: o[:20]))
        k = draw(st.integers(0, len(order)))
        weight = draw(st.sampled_from([1, 1, 2, 0, 10, 1_000_000, 10**15]))
        tokens = [str(weight), *map(str, order[:k]), "0"]
        fault = draw(st.sampled_from((None,) * 24 + _FAULTS))
        if fault == "ranked twice" and k:
            tokens.insert(2, tokens[1])
        elif fault == "out of range":
            tokens.insert(1, str(n + 1))
        elif fault == "00 end":
            tokens[-1] = "00"
        elif fault == "no end":
            tokens.pop()
        elif fault == "one number":
            tokens = [str(weight)]
        elif fault == "candidate 0":
            tokens.insert(1, "0")
        blank = draw(st.sampled_from([" ", " ", " ", "  ", "\t"]))
        line = blank.join(tokens)
        layout = draw(st.sampled_from(["plain"] * 12 + ["indented", "trailing", "blank line"]))
        if layout == "indented":
            line = "  " + line
        elif layout == "trailing":
            line += " \t"
        elif layout == "blank line":
            lines.append("")
        lines.append(line)
    lines.append(draw(st.sampled_from(["0", "0", " 0"])))
    lines.extend(f'"C{i}"' for i in range(1, n + 1))
    lines.append('"Title"')
    return newline.join(lines) + newline


def _outcome(read):  # type: ignore[no-untyped-def]
    try:
        p = read()
    except BallotFileError as err:
        return ("error", err.line, err.message)
    ballots = sorted((tuple(map(tuple, pos)), n) for n, pos in p.ballots())
    return (p.candidates, p.withdrawn, p.seats, p.title, ballots)


@given(blt_texts())
@settings(max_examples=300, deadline=None)
def test_the_fast_blt_reader_reads_every_file_as_the_line_by_line_reader(text) -> None:  # type: ignore[no-untyped-def]
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    end = max(i for i, line in enumerate(lines) if line.strip() == "0")
    # a comment line among the ballot lines sends the file down the line-by-line path
    slow_text = newline.join([*lines[:end], "# line by line", *lines[end:]])
    slow = _outcome(lambda: parse_blt(slow_text))
    if slow[0] == "error" and slow[1] > end:  # a line after the comment
        slow = ("error", slow[1] - 1, slow[2])
    assert _outcome(lambda: parse_blt(text)) == slow
    from_file = _outcome(lambda: read_blt(text.encode()) or parse_blt(text))
    assert from_file == slow


def test_the_fast_blt_reader_reads_a_large_file_in_parts_as_the_line_by_line_reader() -> None:
    rng = np.random.default_rng(7)
    n = 12
    lines = []
    for _ in range(60_000):  # about 1 MB: read in several parts
        order = rng.permutation(n)[: rng.integers(0, n + 1)] + 1
        lines.append(" ".join(map(str, [rng.choice([1, 1, 1, 3, 250]), *order, 0])))
    names = "".join(f'"C{i}"\r\n' for i in range(1, n + 1))
    text = f"{n} 2\r\n" + "\r\n".join(lines) + f'\r\n0\r\n{names}"T"\r\n'
    assert len(text) > 2 * blt_lines._CHUNK
    fast = parse_blt(text)
    slow = parse_blt(text.replace("\r\n0\r\n", "\r\n# line by line\r\n0\r\n"))
    assert _ballot_set(fast) == _ballot_set(slow)
    assert fast.n_voters == slow.n_voters == sum(int(line.split()[0]) for line in lines)


def test_a_blt_file_is_read_from_its_bytes_with_a_bom_and_names_in_any_script(
    tmp_path: Path,
) -> None:
    text = '3 1\r\n2 1 2 0\r\n1 3 10 0\r\n0\r\n"Айгерим"\r\n"Ерлан"\r\n"Çağla"\r\n"Сайлау"\r\n'
    path = tmp_path / "ballots.blt"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace(" 10 0", " 0").encode())
    p = load_profile(path)
    assert p.candidates == ("Айгерим", "Ерлан", "Çağla") and p.title == "Сайлау"
    assert _ballot_set(p) == {(((0,), (1,)), 2), (((2,),), 1)}
    path.write_bytes(text.encode())
    with pytest.raises(BallotFileError) as err:  # a candidate number too large
        load_profile(path)
    assert err.value.line == 3
    path.write_bytes(text.replace(" 10 0", " 0").encode().replace(b"\xc3\x87", b"\xc7"))
    with pytest.raises(BallotFileError) as err:  # Latin-1, not UTF-8
        load_profile(path)
    assert err.value.line == 7 and "UTF-8" in str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        '2 1\n5\n  1 2 0\n0\n"A"\n"B"\n',  # one number, then an indented line
        '3 1\n1 2 0\n0 1 1 0\n0\n"A"\n"B"\n"C"\n',  # weight 0, a candidate twice
        "20 1\n0 1 1 0\n0\n" + "".join(f'"C{i}"\n' for i in range(20)),  # the same, 20
        '2 1\r\n1 1 0\r1 2 0\r\n0\r\n"A"\r\n"B"\r\n',  # a CR alone ends a line
        '2 1\n5\r1 2 0\n0\n"A"\n"B"\n',  # so this is a line of one number
        '2 1\n1 1 00\n0\n"A"\n"B"\n',  # "00" does not end a ballot
        '2 1\n007 01 2 0\n\n\n1 2 0\n0\n"A"\n"B"\n',  # leading zeros, blank lines
        '2 1\n1 1 0\n 0\n"A"\n"B"\n0\n',  # the ballots end at " 0"; "0" is the title
    ],
)
def test_the_fast_blt_reader_agrees_with_the_line_by_line_reader_on_odd_files(text: str) -> None:
    lines = text.splitlines()
    end = next(i for i, line in enumerate(lines) if line.strip() == "0")
    newline = "\r\n" if "\r\n" in text else "\n"
    slow_text = newline.join([*lines[:end], "# line by line", *lines[end:]]) + newline
    slow = _outcome(lambda: parse_blt(slow_text))
    if slow[0] == "error" and slow[1] > end:
        slow = ("error", slow[1] - 1, slow[2])
    assert _outcome(lambda: parse_blt(text)) == slow
    assert _outcome(lambda: read_blt(text.encode()) or parse_blt(text)) == slow
