"""Shamir sharing: any k of n recover the key, fewer tell nothing, bad sets are refused."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.custody import CustodyError, Share, combine, reshare, split, unwrap, wrap
from kenes.core.custody.field import div, mul
from kenes.core.custody.shamir import _evaluate


@st.composite
def sharings(draw: st.DrawFn, max_shares: int = 12) -> tuple[bytes, list[Share], list[Share]]:
    """A secret, its n shares, and a random k-subset of them in random order."""
    secret = draw(st.binary(min_size=1, max_size=48))
    n = draw(st.integers(min_value=2, max_value=max_shares))
    k = draw(st.integers(min_value=2, max_value=n))
    shares = split(secret, shares=n, threshold=k)
    chosen = draw(st.permutations(shares))[:k]
    return secret, shares, chosen


@given(sharings())
def test_any_k_of_n_shares_recover_the_secret(case: tuple[bytes, list[Share], list[Share]]) -> None:
    secret, _, chosen = case
    assert combine(chosen) == secret


@given(sharings())
def test_all_n_shares_together_recover_the_secret(
    case: tuple[bytes, list[Share], list[Share]],
) -> None:
    secret, shares, _ = case
    assert combine(shares) == secret


@given(sharings())
def test_k_minus_one_shares_are_refused_and_say_how_many_more(
    case: tuple[bytes, list[Share], list[Share]],
) -> None:
    _, _, chosen = case
    k = chosen[0].threshold
    with pytest.raises(
        CustodyError, match=rf"^{k} shares are needed, {k - 1} were given: 1 more"
    ) as caught:
        combine(chosen[:-1])
    assert (caught.value.code, caught.value.params) == (
        "too_few_shares",
        {"needed": k, "given": k - 1},
    )


@given(sharings())
def test_shares_carry_their_split(case: tuple[bytes, list[Share], list[Share]]) -> None:
    secret, shares, chosen = case
    assert [s.index for s in shares] == list(range(1, len(shares) + 1))
    assert {s.set_id for s in shares} == {shares[0].set_id}
    assert {s.threshold for s in shares} == {len(chosen)}
    assert all(len(s.value) == len(secret) for s in shares)


def test_two_splits_of_one_secret_have_different_set_ids_and_values() -> None:
    secret = os.urandom(32)
    first, second = split(secret, shares=3, threshold=2), split(secret, shares=3, threshold=2)
    assert first[0].set_id != second[0].set_id
    assert first[0].value != second[0].value


@pytest.mark.parametrize("x", [1, 2, 0x53, 255])
def test_one_share_of_a_two_of_n_split_fits_every_secret_byte_equally_often(x: int) -> None:
    # Enumerate every polynomial s + a x (s, a in GF(256)): each share value y arises
    # from exactly one a for every s, so seeing y leaves all 256 secrets equally likely.
    seen: dict[int, Counter[int]] = {}
    for secret in range(256):
        for a in range(256):
            seen.setdefault(_evaluate(secret, bytes([a]), x), Counter())[secret] += 1
    assert len(seen) == 256
    assert all(counter == Counter(range(256)) for counter in seen.values())


@settings(max_examples=3, deadline=None)
@given(
    xs=st.lists(st.integers(min_value=1, max_value=255), min_size=2, max_size=2, unique=True),
    ys=st.lists(st.integers(min_value=0, max_value=255), min_size=2, max_size=2),
)
def test_two_shares_of_a_three_of_n_split_fit_every_secret_byte_equally_often(
    xs: list[int], ys: list[int]
) -> None:
    # For each candidate secret s and each a1, the first share fixes a2; count the
    # (a1, a2) that also give the second share. Every s must be reached exactly once.
    (x1, x2), (y1, y2) = xs, ys
    x1_squared = mul(x1, x1)
    reached: Counter[int] = Counter()
    for secret in range(256):
        for a1 in range(256):
            a2 = div(y1 ^ secret ^ mul(a1, x1), x1_squared)
            if _evaluate(secret, bytes([a1, a2]), x2) == y2:
                reached[secret] += 1
    assert reached == Counter(range(256))


def test_shares_of_two_sets_are_refused() -> None:
    secret = os.urandom(32)
    a, b = split(secret, shares=3, threshold=2), split(secret, shares=3, threshold=2)
    with pytest.raises(CustodyError, match="two different sets were mixed") as caught:
        combine([a[0], b[1]])
    assert caught.value.code == "mixed_sets"
    assert caught.value.params == {"first": a[0].set_id, "other": b[0].set_id}


def test_a_share_given_twice_is_refused() -> None:
    shares = split(os.urandom(32), shares=5, threshold=3)
    with pytest.raises(CustodyError, match="Share 2 was given twice") as caught:
        combine([shares[1], shares[0], shares[1]])
    assert (caught.value.code, caught.value.params) == ("duplicate_share", {"index": 2})


def test_a_share_that_disagrees_with_the_others_is_named_when_more_than_k_are_given() -> None:
    shares = split(os.urandom(32), shares=5, threshold=3)
    damaged = replace(shares[3], value=bytes([shares[3].value[0] ^ 1]) + shares[3].value[1:])
    with pytest.raises(CustodyError, match="Share 4 does not agree with shares 1, 2, 3"):
        combine([*shares[:3], damaged])


def test_shares_of_different_threshold_or_length_in_one_set_are_refused() -> None:
    shares = split(os.urandom(32), shares=3, threshold=2)
    with pytest.raises(CustodyError, match="threshold or length differ"):
        combine([shares[0], replace(shares[1], threshold=3)])
    with pytest.raises(CustodyError, match="threshold or length differ"):
        combine([shares[0], replace(shares[1], value=shares[1].value[:-1])])


@pytest.mark.parametrize(
    ("shares", "threshold"), [(3, 1), (3, 4), (256, 2), (1, 1), (0, 0), (300, 300)]
)
def test_impossible_counts_are_refused(shares: int, threshold: int) -> None:
    with pytest.raises(CustodyError, match="2 <= threshold <= shares <= 255"):
        split(b"k" * 32, shares=shares, threshold=threshold)


def test_an_empty_secret_and_a_malformed_set_id_are_refused() -> None:
    with pytest.raises(CustodyError, match="empty"):
        split(b"", shares=3, threshold=2)
    with pytest.raises(CustodyError, match="8 lowercase hexadecimal"):
        split(b"k", shares=3, threshold=2, set_id="ABCDEF12")


@pytest.mark.parametrize(
    ("field", "bad"), [("index", 0), ("index", 256), ("threshold", 1), ("value", b"")]
)
def test_a_share_with_impossible_fields_is_refused(field: str, bad: Any) -> None:
    shares = split(b"k" * 4, shares=3, threshold=2)
    with pytest.raises(CustodyError):
        combine([replace(shares[0], **{field: bad}), shares[1]])


def test_no_shares_at_all_are_refused() -> None:
    with pytest.raises(CustodyError, match="No shares"):
        combine([])


def test_the_limits_255_shares_and_threshold_255_work() -> None:
    secret = os.urandom(2)
    shares = split(secret, shares=255, threshold=255)
    assert [s.index for s in shares][-1] == 255
    assert combine(list(reversed(shares))) == secret
    with pytest.raises(CustodyError, match="255 shares are needed, 254 were given"):
        combine(shares[1:])


def test_a_share_never_shows_its_value_in_repr() -> None:
    share = split(bytes(range(32)), shares=2, threshold=2)[0]
    assert share.value.hex() not in repr(share)
    assert repr(share) == (
        f"Share(index=1, threshold=2, value=<32 bytes>, set_id={share.set_id!r})"
    )


def test_resharing_when_a_trustee_leaves_keeps_the_master_key_so_nothing_is_re_encrypted() -> None:
    master = os.urandom(32)
    field_key = os.urandom(32)
    blob = wrap(master, field_key, purpose="field-key")
    old = split(master, shares=5, threshold=3)

    new = reshare([old[0], old[2], old[4]], shares=4, threshold=3)

    assert {s.set_id for s in new} == {new[0].set_id} != {old[0].set_id}
    assert [s.index for s in new] == [1, 2, 3, 4]
    assert combine(new[1:]) == master
    assert unwrap(combine(new[:3]), blob, purpose="field-key") == field_key
    with pytest.raises(CustodyError, match="two different sets were mixed"):
        combine([old[1], new[0], new[1]])


def test_resharing_needs_k_valid_shares_of_the_old_set() -> None:
    old = split(os.urandom(32), shares=5, threshold=3)
    with pytest.raises(CustodyError, match="3 shares are needed, 2 were given"):
        reshare(old[:2], shares=5, threshold=3)
    with pytest.raises(CustodyError, match="2 <= threshold <= shares"):
        reshare(old[:3], shares=2, threshold=3)
