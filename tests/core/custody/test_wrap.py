"""Wrapped keys open only with the right master key and purpose; any change is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kenes.core.custody import CustodyError, master_check, unwrap, wrap
from kenes.core.custody.wrap import master_matches, new_master

MASTER = bytes(range(32))
FIELD_KEY = bytes(range(100, 132))


def test_a_wrapped_key_unwraps_with_the_same_master_and_purpose() -> None:
    blob = wrap(MASTER, FIELD_KEY, purpose="field-key")
    assert unwrap(MASTER, blob, purpose="field-key") == FIELD_KEY


def test_the_format_is_version_nonce_ciphertext_tag_and_the_nonce_is_fresh() -> None:
    first, second = (wrap(MASTER, FIELD_KEY, purpose="field-key") for _ in range(2))
    assert first[0] == second[0] == 1
    assert len(first) == 1 + 12 + len(FIELD_KEY) + 16
    assert first[1:13] != second[1:13]
    assert FIELD_KEY not in first


@given(position=st.integers(min_value=0, max_value=1 + 12 + 32 + 16 - 1), flip=st.integers(1, 255))
def test_any_changed_byte_is_refused(position: int, flip: int) -> None:
    blob = bytearray(wrap(MASTER, FIELD_KEY, purpose="field-key"))
    blob[position] ^= flip
    with pytest.raises(CustodyError):
        unwrap(MASTER, bytes(blob), purpose="field-key")


def test_a_wrong_master_key_is_refused_in_a_sentence() -> None:
    blob = wrap(MASTER, FIELD_KEY, purpose="field-key")
    with pytest.raises(CustodyError, match="does not open: the master key is wrong"):
        unwrap(new_master(), blob, purpose="field-key")


def test_a_key_wrapped_for_one_purpose_does_not_open_as_another() -> None:
    blob = wrap(MASTER, FIELD_KEY, purpose="field-key")
    with pytest.raises(CustodyError, match="does not open"):
        unwrap(MASTER, blob, purpose="totp")


def test_a_cut_blob_an_unknown_version_and_a_short_master_are_refused() -> None:
    blob = wrap(MASTER, FIELD_KEY, purpose="field-key")
    with pytest.raises(CustodyError, match="too short"):
        unwrap(MASTER, blob[:28], purpose="field-key")
    with pytest.raises(CustodyError, match="format version 2"):
        unwrap(MASTER, b"\x02" + blob[1:], purpose="field-key")
    with pytest.raises(CustodyError, match="must be 32"):
        wrap(MASTER[:16], FIELD_KEY, purpose="field-key")
    with pytest.raises(CustodyError, match="needs a purpose"):
        wrap(MASTER, FIELD_KEY, purpose="")


def test_master_check_tells_the_right_key_from_a_wrong_one_without_containing_it() -> None:
    check = master_check(MASTER)
    assert check.startswith("v1:") and len(check) == 3 + 32
    assert master_check(MASTER) == check
    assert master_matches(MASTER, check)
    other = bytearray(MASTER)
    other[31] ^= 1
    assert not master_matches(bytes(other), check)
    assert MASTER.hex()[:8] not in check


def test_a_fresh_master_is_32_random_bytes() -> None:
    assert len(new_master()) == 32
    assert new_master() != new_master()
