"""Presets are data in kenes/jurisdictions/parliament-*.toml, with sources and UNCONFIRMED marks."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kenes.core.seats import (
    Method,
    SeatRulesError,
    ThresholdBase,
    all_seat_rules,
    load_seat_rules,
)
from kenes.core.seats.presets import JointLists, parse_rules


def test_the_kazakh_periods_and_austria_ship_as_presets() -> None:
    assert set(all_seat_rules()) == {
        "kz-majilis-2004",
        "kz-majilis-2007",
        "kz-majilis-2012",
        "kz-majilis-2023",
        "at-nationalrat",
    }


def test_2023_rules_69_seats_5_percent_against_all_in_the_base() -> None:
    rules = load_seat_rules("kz-majilis-2023")
    assert rules.seats == 69 and rules.method is Method.HARE
    assert rules.threshold is not None
    assert rules.threshold.percent == Fraction(5)
    assert rules.threshold.base is ThresholdBase.VALID_VOTES_INCL_AGAINST_ALL
    assert rules.runner_up is None


def test_2012_rules_carry_the_runner_up_correction_0_7_and_two_seats() -> None:
    runner_up = load_seat_rules("kz-majilis-2012").runner_up
    assert runner_up is not None
    assert runner_up.correction == Fraction(7, 10) and runner_up.min_seats == 2


def test_every_preset_cites_sources() -> None:
    assert all(rules.sources for rules in all_seat_rules().values())


def test_unknown_rule_id_lists_the_known_ones() -> None:
    with pytest.raises(SeatRulesError, match="Known rules: at-nationalrat"):
        load_seat_rules("kz-majilis-1999")


def test_a_malformed_table_names_the_file_and_key() -> None:
    with pytest.raises(SeatRulesError, match=r"x.toml \[bad\]: 'seats'"):
        parse_rules({"id": "bad", "seats": 0}, "x.toml")
    with pytest.raises(SeatRulesError, match="x.toml"):
        parse_rules(
            {"id": "bad", "seats": 5, "name": "n", "jurisdiction": "x", "method": "plurality"},
            "x.toml",
        )


def test_whether_joint_lists_are_allowed_is_data_per_period() -> None:
    assert load_seat_rules("kz-majilis-2004").joint_lists is JointLists.ALLOWED
    assert load_seat_rules("kz-majilis-2012").joint_lists is JointLists.BANNED
    assert load_seat_rules("kz-majilis-2023").joint_lists is JointLists.UNKNOWN
