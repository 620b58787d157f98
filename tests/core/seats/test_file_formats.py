"""VOTES.csv, POLLS.csv and alliance texts: documented formats, errors as sentences."""

from __future__ import annotations

import pytest

from kenes.core.seats.files import (
    FileFormatError,
    parse_alliance,
    read_polls_csv,
    read_votes_csv,
)
from kenes.core.seats.polls import PollError


def test_votes_csv_keeps_registration_order_and_reads_against_all() -> None:
    votes, against_all = read_votes_csv("\ufeffparty,votes\nB,1 000\nA,2000\nagainst all,30\n")
    assert list(votes.items()) == [("B", 1000), ("A", 2000)]
    assert against_all == 30


def test_votes_csv_without_the_votes_column_names_it() -> None:
    with pytest.raises(FileFormatError, match="missing: votes"):
        read_votes_csv("party,count\nA,1\n")


def test_votes_csv_rejects_a_party_twice_and_bad_numbers() -> None:
    with pytest.raises(FileFormatError, match="appears twice"):
        read_votes_csv("party,votes\nA,1\nA,2\n")
    with pytest.raises(FileFormatError, match="Line 2: 'many' is not a whole number"):
        read_votes_csv("party,votes\nA,many\n")


def test_polls_csv_reads_percent_shares_sizes_and_margins() -> None:
    figures = read_polls_csv("party,share,sample_size,margin\nA,40,1000,\nB,4.5,,1.5\n")
    assert figures[0].share == pytest.approx(0.40) and figures[0].sample_size == 1000
    assert figures[1].margin == pytest.approx(0.015) and figures[1].sample_size is None


def test_polls_csv_needs_an_uncertainty_for_every_row() -> None:
    with pytest.raises(PollError, match="--sample-size"):
        read_polls_csv("party,share\nA,40\n")
    assert read_polls_csv("party,share\nA,40\n", default_sample_size=800)[0].sample_size == 800


def test_alliance_retention_applies_to_the_partner_it_follows() -> None:
    assert parse_alliance("A+B:0.8").members == (("A", 1.0), ("B", 0.8))
    assert parse_alliance("A:0.95 + B:0.7 + C").members == (("A", 0.95), ("B", 0.7), ("C", 1.0))


def test_an_alliance_of_one_party_is_refused() -> None:
    with pytest.raises(FileFormatError, match="two or more"):
        parse_alliance("A:0.9")
