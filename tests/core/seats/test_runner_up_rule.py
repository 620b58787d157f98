"""Kazakhstan's runner-up rule (2009 amendments, first in force 2012) and the 2007 rules."""

from __future__ import annotations

from kenes.core.seats import load_seat_rules


def test_2007_rules_give_a_lone_passing_list_every_list_seat() -> None:
    result = load_seat_rules("kz-majilis-2007").allocate({"Leader": 900, "B": 60, "C": 40})
    assert result.seats == {"Leader": 98, "B": 0, "C": 0}
    assert result.runner_up is None


def test_runner_up_is_admitted_with_its_quotient_corrected_by_0_7() -> None:
    # quota = (900 + 60) / 98; B's quotient 6.125 x 0.7 = 4.2875 -> 4 seats
    result = load_seat_rules("kz-majilis-2012").allocate({"Leader": 900, "B": 60, "C": 40})
    assert result.runner_up == "B"
    assert result.passed == ("Leader", "B")
    assert result.seats == {"Leader": 94, "B": 4, "C": 0}


def test_runner_up_receives_at_least_two_seats() -> None:
    result = load_seat_rules("kz-majilis-2012").allocate({"Leader": 990, "B": 6, "C": 4})
    assert result.seats == {"Leader": 96, "B": 2, "C": 0}


def test_runner_up_rule_is_idle_when_two_lists_pass() -> None:
    result = load_seat_rules("kz-majilis-2012").allocate({"A": 800, "B": 120, "C": 50})
    assert result.runner_up is None
    assert result.seats == {"A": 85, "B": 13, "C": 0}


def test_the_runner_up_rule_reading_is_marked_unconfirmed_in_the_data() -> None:
    rules = load_seat_rules("kz-majilis-2012")
    assert any("runner-up" in mark for mark in rules.unconfirmed)


def test_a_lone_list_with_no_rival_votes_takes_every_seat() -> None:
    result = load_seat_rules("kz-majilis-2012").allocate({"Leader": 900, "B": 0})
    assert result.seats == {"Leader": 98, "B": 0}
    assert result.runner_up is None
