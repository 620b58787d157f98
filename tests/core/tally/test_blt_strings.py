"""BLT names and titles survive any text (issue 10, finding 10): the published box is recountable.

The adversary names an election `Say "no"` or a candidate `C:\\new\\"x"` so that the published
BLT cannot be read back ("unbalanced quotes") and nobody can recount it.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kenes.core.tally import BallotFileError, parse_blt, write_blt
from kenes.core.tally.formats.blt import read_blt
from kenes.core.tally.profile import build_profile

HOSTILE = [
    'Say "no"',
    '"',
    '""',
    "\\",
    'C:\\new\\"x"\\',
    "ends with a backslash \\",
    "\\u0041 is not an A",
    "line\nbreak",
    "cr\rlf\r\n",
    "tab\there",
    "Қазақстан — «сайлау» 🗳️",
    "# not a comment",
    "'single' quotes",
    "  spaces kept  ",
    "\u2028\u2029\x85\x0b\x0c\x1c\x00",
    "",
]

# Every character a title can hold but lone surrogates (not text; UTF-8 cannot write them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


def _profile(names, parties, title):  # type: ignore[no-untyped-def]
    ballots = [(3, [[0], [1]]), (2, [[1]]), (1, [[len(names) - 1], [], [0]])]
    return build_profile(names, ballots, parties=parties, title=title, seats=1)


def _read_both_ways(text: str):  # type: ignore[no-untyped-def]
    from_text = parse_blt(text)
    from_file = read_blt(text.encode()) or parse_blt(text.encode().decode())
    return from_text, from_file


def _assert_round_trip(names, parties, title):  # type: ignore[no-untyped-def]
    written = _profile(names, parties, title)
    for read in _read_both_ways(write_blt(written)):
        assert read.candidates == tuple(names)
        assert read.parties == (tuple(parties) if any(parties) else ())
        assert read.title == title
        assert sorted(read.ballots()) == sorted(written.ballots())


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_is_read_back_exactly(title: str) -> None:
    _assert_round_trip(["Ann", "Bo", "Cy"], [], title)


def test_hostile_names_and_parties_are_read_back_exactly() -> None:
    names = [t or "(empty)" for t in HOSTILE]
    parties = list(reversed(HOSTILE))
    _assert_round_trip(names, parties, 'Election "2026"')


@given(
    st.lists(TEXT, min_size=2, max_size=5, unique=True),
    st.lists(TEXT, min_size=5, max_size=5),
    TEXT,
)
def test_any_names_parties_and_title_round_trip(names, parties, title) -> None:  # type: ignore[no-untyped-def]
    _assert_round_trip(names, parties[: len(names)], title)


def test_plain_names_are_written_as_other_count_programs_read_them() -> None:
    text = write_blt(_profile(["Ann Lee", "Бо Ким", "C:\\dir"], ["Green", "", ""], "Ward 9"))
    # OpenSTV's and OpaVote's readers take "[^"]+" with nothing escaped
    assert text.endswith('"Ann Lee" "Green"\r\n"Бо Ким"\r\n"C:\\dir"\r\n"Ward 9"\r\n')


def test_an_old_file_with_a_comment_after_a_name_is_read() -> None:
    p = parse_blt('2 1\n1 1 0\n0\n"A" # first\n"B"\n"T" # title\n')
    assert p.candidates == ("A", "B") and p.title == "T"


def test_an_unclosed_quote_is_refused_naming_the_line() -> None:
    with pytest.raises(BallotFileError) as error:
        parse_blt('2 1\n1 1 0\n0\n"A\n"B"\n"T"\n')
    assert error.value.line == 4 and "unbalanced quotes" in error.value.message
