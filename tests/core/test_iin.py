"""The IIN structure and check digit (Law No. 223 of 12 Jan 2007; id-numbers.json)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kenes.core.iin import InvalidIIN, check_digit, make_iin, normalise_iin, parse_iin

VERIFIED_EXAMPLES = {
    "850115300001": (date(1985, 1, 15), "M", "0000"),
    "920720400002": (date(1992, 7, 20), "F", "0000"),
    "000305500000": (date(2000, 3, 5), "M", "0000"),
    "010630600006": (date(2001, 6, 30), "F", "0000"),
    "900101300811": (date(1990, 1, 1), "M", "0081"),
}


@pytest.mark.parametrize("iin", sorted(VERIFIED_EXAMPLES))
def test_verified_example_iins_parse_to_their_birth_date_and_sex(iin: str) -> None:
    parsed = parse_iin(iin)
    assert (parsed.birth_date, parsed.sex, parsed.serial) == VERIFIED_EXAMPLES[iin]
    assert parsed.iin == iin


def test_iin_with_check_digit_needing_second_weights_is_valid() -> None:
    # 85011530020: weights 1..11 give remainder 10, weights 3..11,1,2 give 5.
    first11 = "85011530020"
    first_pass = sum(int(d) * w for d, w in zip(first11, range(1, 12), strict=True)) % 11
    assert first_pass == 10
    assert check_digit(first11) == 5
    assert parse_iin("850115300205").serial == "0020"


def test_prefix_whose_both_weight_passes_give_10_is_not_assignable() -> None:
    assert check_digit("85011530028") is None
    with pytest.raises(InvalidIIN) as error:
        parse_iin("850115300280")
    assert error.value.reason_code == "check_digit"


def test_make_iin_skips_a_serial_that_is_not_assignable() -> None:
    assert make_iin(date(1985, 1, 15), "M", 28) == make_iin(date(1985, 1, 15), "M", 29)
    assert make_iin(date(1985, 1, 15), "M", 28)[7:11] == "0029"


def test_make_iin_reproduces_the_verified_examples() -> None:
    for iin, (born, sex, serial) in VERIFIED_EXAMPLES.items():
        assert make_iin(born, "M" if sex == "M" else "F", int(serial)) == iin


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("85011530000", "format"),
        ("8501153000011", "format"),
        ("85011530000A", "format"),
        ("", "format"),
        ("850115000001", "century"),
        ("850115700001", "century"),
        ("850115800001", "century"),
        ("850115900001", "century"),
        ("851315300001", "date"),
        ("850230300001", "date"),
        ("850115300002", "check_digit"),
    ],
)
def test_invalid_iin_reports_which_part_is_broken(value: str, reason: str) -> None:
    with pytest.raises(InvalidIIN) as error:
        parse_iin(value)
    assert error.value.reason_code == reason
    assert error.value.message.endswith(".")


def test_february_29_is_a_real_date_only_in_leap_years() -> None:
    assert parse_iin(make_iin(date(1972, 2, 29), "M", 0)).birth_date == date(1972, 2, 29)
    with pytest.raises(InvalidIIN) as error:
        parse_iin("730229300000")
    assert error.value.reason_code == "date"


@pytest.mark.parametrize(
    "messy",
    [
        " 850115300001 ",
        "850 115 300 001",
        "850115\u00a0300001",
        "8501-1530-0001",
        "'850115300001",
        '"850115300001"',
        "850115300001.0",
        "«850115300001»",
    ],
)
def test_normalise_iin_strips_what_spreadsheets_add(messy: str) -> None:
    assert normalise_iin(messy) == "850115300001"
    assert parse_iin(messy).iin == "850115300001"


def test_normalise_iin_does_not_restore_a_lost_leading_zero() -> None:
    assert normalise_iin("10630600006") == "10630600006"


def test_check_digit_refuses_anything_but_eleven_digits() -> None:
    with pytest.raises(ValueError):
        check_digit("1234")


def test_make_iin_refuses_a_year_outside_1800_2099() -> None:
    with pytest.raises(ValueError):
        make_iin(date(2100, 1, 1), "M", 0)


@given(
    born=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(["M", "F"]),
    serial=st.integers(min_value=0, max_value=9000),
)
def test_make_iin_then_parse_iin_round_trips(born: date, sex: str, serial: int) -> None:
    iin = make_iin(born, "M" if sex == "M" else "F", serial)
    parsed = parse_iin(iin)
    assert parsed.birth_date == born
    assert parsed.sex == sex
    assert int(parsed.serial) >= serial


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_exactly_one_digit_completes_an_assignable_prefix(first11: str) -> None:
    digit = check_digit(first11)
    completions = 0
    for last in "0123456789":
        try:
            parse_iin(first11 + last)
        except InvalidIIN as error:
            assert error.reason_code in {"century", "date", "check_digit"}
        else:
            completions += 1
    if completions:
        assert completions == 1
        assert digit is not None
