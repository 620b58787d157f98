"""Every preset reproduces the official seats of real elections exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kenes.core.seats import Method, Threshold, allocate, load_seat_rules, rules_for_election
from tests.core.seats.official_results import OfficialResult, austrian_results, kazakh_results

KAZAKH = kazakh_results()
AUSTRIAN = austrian_results()

# Majilis 2023, party lists: CEC final result as printed by newtimes.kz, 2023-03-27
# ("У ЦИК результаты выборов полностью совпали с экзитполом"); not in the shared data set.
# Amanat 53.90 %, "against all" 248,291 (3.9 %): the percentages use the base incl. against-all.
MAJILIS_2023 = OfficialResult(
    name="kz-majilis-2023",
    year=2023,
    votes={
        "Amanat": 3_431_510,
        "Auyl": 693_938,
        "Respublica": 547_154,
        "Ak Zhol": 535_139,
        "People's Party of Kazakhstan": 432_920,
        "OSDP": 331_058,
        "Baytak": 146_431,
    },
    seats={
        "Amanat": 40,
        "Auyl": 8,
        "Respublica": 6,
        "Ak Zhol": 6,
        "People's Party of Kazakhstan": 5,
        "OSDP": 4,
        "Baytak": 0,
    },
    against_all=248_291,
)


def _won(result: OfficialResult, rules_id: str) -> dict[str, int]:
    allocation = load_seat_rules(rules_id).allocate(result.votes, against_all=result.against_all)
    return {party: n for party, n in allocation.seats.items() if n > 0}


def test_the_shared_data_holds_two_kazakh_and_nine_austrian_elections() -> None:
    assert [r.year for r in KAZAKH] == [2016, 2021]
    assert [r.year for r in AUSTRIAN] == [1994, 1995, 1999, 2002, 2006, 2008, 2013, 2017, 2019]


@pytest.mark.parametrize("result", KAZAKH, ids=lambda r: r.name)
def test_majilis_runner_up_period_hare_7_percent_reproduces_official_seats(
    result: OfficialResult,
) -> None:
    rules = rules_for_election("kz", result.year)
    assert rules.id == "kz-majilis-2012"
    expected = {party: n for party, n in result.seats.items() if n > 0}
    assert _won(result, rules.id) == expected


def test_majilis_2023_hare_5_percent_with_against_all_in_base_reproduces_official_seats() -> None:
    expected = {party: n for party, n in MAJILIS_2023.seats.items() if n > 0}
    assert _won(MAJILIS_2023, "kz-majilis-2023") == expected
    assert sum(expected.values()) == load_seat_rules("kz-majilis-2023").seats


@pytest.mark.parametrize("result", AUSTRIAN, ids=lambda r: r.name)
def test_nationalrat_dhondt_4_percent_reproduces_official_seats(result: OfficialResult) -> None:
    assert rules_for_election("at", result.year).id == "at-nationalrat"
    assert _won(result, "at-nationalrat") == result.seats


def test_majilis_2021_under_dhondt_would_differ_so_the_data_discriminates_methods() -> None:
    result = KAZAKH[1]
    dhondt = allocate(result.votes, 98, Method.DHONDT, Threshold(Fraction(7)))
    assert list(dhondt.seats.values())[:3] == [77, 12, 9]
