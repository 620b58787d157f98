import numpy as np

from kenes.core.consensus.statistics import (
    proportion_test,
    smoothed_share,
    two_proportion_test,
)


def test_smoothed_share_adds_one_agree_and_one_disagree():
    assert smoothed_share(np.array([0]), np.array([0]))[0] == 0.5
    assert smoothed_share(np.array([3]), np.array([4]))[0] == 4 / 6


def test_proportion_test_is_zero_at_an_even_split_of_pseudocounts():
    # 2·sqrt(n + 1)·((s + 1)/(n + 1) − 1/2): s = 4, n = 9 gives (5/10 − 1/2) = 0.
    assert proportion_test(np.array([4]), np.array([9]))[0] == 0.0
    assert proportion_test(np.array([9]), np.array([9]))[0] == 2 * np.sqrt(10) * 0.5


def test_two_proportion_test_is_zero_not_nan_when_everyone_agrees():
    z = two_proportion_test(np.array([5, 0]), np.array([5, 0]), np.array([8, 0]), np.array([8, 0]))
    assert np.all(np.isfinite(z)) and np.all(z == 0)


def test_two_proportion_test_is_positive_when_the_group_agrees_more():
    z = two_proportion_test(np.array([18]), np.array([20]), np.array([5]), np.array([20]))
    assert z[0] > 3
