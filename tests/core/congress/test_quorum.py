"""The quorum rule: exact fractions, "more than" against "at least", and the regions part."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kenes.core.congress.quorum import QuorumRule, evaluate


@pytest.mark.parametrize(
    ("entitled", "share", "strictly_more", "needed"),
    [
        (100, "1/2", True, 51),  # more than half of 100: 51
        (101, "1/2", True, 51),  # more than 50.5: 51
        (100, "1/2", False, 50),  # at least half
        (9, "2/3", False, 6),  # at least 6 of 9
        (9, "2/3", True, 7),  # more than 6
        (10, "2/3", False, 7),  # at least 6.67: 7
        (1, "1/2", True, 1),
    ],
)
def test_the_number_needed_is_exact(entitled, share, strictly_more, needed):
    rule = QuorumRule.parse(share, strictly_more)
    state = evaluate(rule, entitled_regions=["A"] * entitled, present_regions=["A"] * needed)
    assert state.needed == needed and state.met
    short = evaluate(rule, entitled_regions=["A"] * entitled, present_regions=["A"] * (needed - 1))
    assert not short.met


def test_a_hall_full_of_one_regions_delegates_misses_the_regions_part():
    rule = QuorumRule(Fraction(1, 2), True, Fraction(2, 3))
    entitled = ["A"] * 10 + ["B"] * 5 + ["C"] * 5  # three regions: two must be present
    state = evaluate(rule, entitled_regions=entitled, present_regions=["A"] * 10 + ["B"])
    assert state.delegates_met and state.regions_present == 2 and state.regions_needed == 2
    assert state.met
    alone = evaluate(rule, entitled_regions=entitled, present_regions=["A"] * 10 + ["X"])
    assert alone.delegates_met and alone.regions_present == 1 and not alone.met


def test_no_delegates_is_never_quorate():
    assert not evaluate(QuorumRule(Fraction(0)), entitled_regions=[], present_regions=[]).met


@pytest.mark.parametrize("text", ["3/2", "-1/2", "half", ""])
def test_a_share_outside_zero_to_one_or_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        QuorumRule.parse(text, True)


def test_a_least_number_present_raises_what_the_share_asks():
    rule = QuorumRule.parse("1/2", True, minimum=700)
    entitled = ["A"] * 1000
    assert evaluate(rule, entitled_regions=entitled, present_regions=["A"] * 699).needed == 700
    assert not evaluate(rule, entitled_regions=entitled, present_regions=["A"] * 699).met
    assert evaluate(rule, entitled_regions=entitled, present_regions=["A"] * 700).met
    with pytest.raises(ValueError):
        QuorumRule.parse("1/2", True, minimum=-1)
