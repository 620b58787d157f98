"""Shares on paper: words with a checksum that read back and name a trustee's slip."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.core.custody import CustodyError, Share, share_from_text, share_qr_svg, share_to_text
from kenes.core.custody.share_text import (
    _checksum,
    _join_words,
    _split_words,
    _word_indices,
    _wordlist,
    share_words,
    words_for_length,
)

SHARE = Share(index=3, threshold=3, value=bytes(range(200, 232)), set_id="0a1b2c3d")


@st.composite
def shares(draw: st.DrawFn) -> Share:
    threshold = draw(st.integers(min_value=2, max_value=255))
    return Share(
        index=draw(st.integers(min_value=1, max_value=255)),
        threshold=threshold,
        value=draw(st.binary(min_size=1, max_size=64)),
        set_id=draw(st.binary(min_size=4, max_size=4)).hex(),
    )


@given(shares())
def test_any_share_reads_back_from_its_text(share: Share) -> None:
    text = share_to_text(share)
    assert share_from_text(text) == share
    assert len(text.split()) == words_for_length(len(share.value))


def test_secrets_of_lengths_that_need_the_same_number_of_words_read_back_at_their_length() -> None:
    # 9 and 10 bytes both need 12 data words (124 and 132 bits); the checksum tells them apart.
    nine = Share(index=1, threshold=2, value=bytes(9), set_id="00000000")
    ten = Share(index=1, threshold=2, value=bytes(10), set_id="00000000")
    assert words_for_length(9) == words_for_length(10) == 15
    assert share_from_text(share_to_text(nine)) == nine
    assert share_from_text(share_to_text(ten)) == ten


def test_an_extra_word_is_named() -> None:
    words = share_words(SHARE)
    with pytest.raises(CustodyError, match="word 9 is one too many"):
        share_from_text(" ".join([*words[:8], "zoo", *words[8:]]))


def test_a_share_of_the_32_byte_master_key_is_31_lowercase_words_on_one_line() -> None:
    text = share_to_text(SHARE)
    assert len(text.split(" ")) == 31 == words_for_length(32)
    assert text == text.lower() and "\n" not in text
    assert share_words(SHARE) == text.split(" ")


def test_case_numbering_punctuation_line_breaks_and_four_letter_prefixes_are_accepted() -> None:
    words = share_words(SHARE)
    typed = "\n".join(f"{n}. {w[:4].upper() if n % 2 else w}," for n, w in enumerate(words, 1))
    assert share_from_text(typed) == SHARE


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_one_mistyped_letter_is_read_through_or_named_by_its_word(data: st.DataObject) -> None:
    text = share_to_text(SHARE)
    letters = [i for i, c in enumerate(text) if c != " "]
    at = data.draw(st.sampled_from(letters))
    typo = data.draw(st.sampled_from([c for c in "abcdefghijklmnopqrstuvwxyz" if c != text[at]]))
    word_number = text[:at].count(" ") + 1
    try:
        read = share_from_text(text[:at] + typo + text[at + 1 :])
    except CustodyError as error:
        assert error.code in {"unknown_word", "word_copied_wrongly"}
        assert error.params["position"] == word_number
    else:
        # only a letter after the first four can be mistyped harmlessly (BIP-39 prefixes)
        assert read == SHARE
        assert at - (text.rfind(" ", 0, at) + 1) >= 4


def test_words_typed_in_cyrillic_lookalikes_or_on_a_russian_layout_are_read() -> None:
    words = share_words(SHARE)
    latin_to_cyrillic = str.maketrans("aeopcyx", "аеорсух")
    qwerty_to_russian = str.maketrans("qwertyuiopasdfghjklzxcvbnm", "йцукенгшщзфывапролдячсмить")
    typed = [
        w.translate(latin_to_cyrillic) if n % 2 else w.translate(qwerty_to_russian)
        for n, w in enumerate(words)
    ]
    assert any(not w.isascii() for w in typed)
    assert share_from_text(" ".join(typed)) == SHARE


def test_a_word_not_in_the_list_is_named_by_position() -> None:
    words = share_words(SHARE)
    words[6] = "qqqzz"
    with pytest.raises(CustodyError, match=r"^Word 7 \(“qqqzz”\) is not in the word") as caught:
        share_from_text(" ".join(words))
    assert (caught.value.code, caught.value.params) == (
        "unknown_word",
        {"position": 7, "word": "qqqzz"},
    )


@settings(max_examples=12, deadline=None)
@given(position=st.integers(min_value=0, max_value=30), replacement=st.integers(0, 2047))
def test_one_word_copied_wrongly_is_named_by_position(position: int, replacement: int) -> None:
    words = share_words(SHARE)
    new = _wordlist()[replacement]
    if new == words[position]:
        new = _wordlist()[(replacement + 1) % 2048]
    words[position] = new
    with pytest.raises(CustodyError) as caught:
        share_from_text(" ".join(words))
    assert str(caught.value) == (
        f"The share's checksum does not match: word {position + 1} was copied wrongly. "
        "Compare it with the paper."
    )
    assert (caught.value.code, caught.value.params) == (
        "word_copied_wrongly",
        {"position": position + 1},
    )


def test_two_neighbouring_words_swapped_are_named() -> None:
    words = share_words(SHARE)
    assert words[9] != words[10]
    words[9], words[10] = words[10], words[9]
    with pytest.raises(CustodyError, match="words 10 and 11 are swapped") as caught:
        share_from_text(" ".join(words))
    assert (caught.value.code, caught.value.params) == ("words_swapped", {"position": 10})


def test_a_missing_word_and_a_word_written_twice_are_named() -> None:
    words = share_words(SHARE)
    with pytest.raises(CustodyError, match="a word is missing after word 12") as missing:
        share_from_text(" ".join(words[:12] + words[13:]))
    assert (missing.value.code, missing.value.params) == ("word_missing", {"after": 12})
    with pytest.raises(CustodyError, match="word 6 repeats word 5") as repeated:
        share_from_text(" ".join(words[:5] + [words[4]] + words[5:]))
    assert (repeated.value.code, repeated.value.params) == ("word_repeated", {"position": 6})


def test_two_wrong_words_are_caught_and_every_word_is_to_be_checked() -> None:
    words = share_words(SHARE)
    words[2], words[20] = "zoo", "abandon"
    with pytest.raises(CustodyError, match="more than one word is wrong") as caught:
        share_from_text(" ".join(words))
    assert (caught.value.code, caught.value.params) == ("checksum", {"words": 31, "expected": 31})


def test_error_messages_never_repeat_a_word_of_the_share() -> None:
    words = share_words(SHARE)
    damaged = words[:12] + words[13:]
    with pytest.raises(CustodyError) as caught:
        share_from_text(" ".join(damaged))
    message = str(caught.value).lower().replace(".", " ").replace(",", " ").split()
    assert not set(message) & set(words)


def test_a_long_paste_is_refused_without_searching_for_the_slip() -> None:
    words = share_words(SHARE) * 40  # 1,240 valid words: searching them all would take minutes
    with pytest.raises(CustodyError, match="It has 1240 words") as caught:
        share_from_text(" ".join(words))
    assert caught.value.code == "checksum"
    with pytest.raises(CustodyError, match="too long to be a share"):
        share_from_text("abandon " * 3000)


def test_too_few_words_say_how_many_a_share_has() -> None:
    with pytest.raises(CustodyError, match="has 3 words; a share has at least 9 .31 for a 32-byte"):
        share_from_text("abandon ability able")
    with pytest.raises(CustodyError, match="has 0 words"):
        share_from_text("  \n ")


def test_a_share_of_another_format_version_is_refused() -> None:
    exact, _ = _word_indices()
    data = [exact[w] for w in share_words(SHARE)[:28]]
    data[0] ^= 0b0110 << 7  # version 1 -> 7: the top 4 of the first word's 11 bits
    checksum = _split_words(_checksum(_join_words(data), 28, 32), 3)
    forged = " ".join(_wordlist()[i] for i in data + checksum)
    with pytest.raises(CustodyError, match="format version 7"):
        share_from_text(forged)


def modules_of_segno_svg(svg: str) -> set[tuple[int, int]]:
    """The dark modules drawn by segno's single path ("M x y" then "h n" runs and "m dx dy")."""
    (path,) = re.findall(r' d="([^"]+)"', svg)
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-0-9. ]+)", path):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            run = int(values[0]) if command == "h" else int(values[0] - x)
            dark.update((int(x) + i, int(y)) for i in range(run))
            x += run
    return dark


def test_the_qr_code_scans_back_to_the_share_in_an_independent_reader() -> None:
    import zxingcpp  # test extra: an independent QR reader
    from PIL import Image as image_module

    svg = share_qr_svg(SHARE)
    dark = modules_of_segno_svg(svg)
    size = max(max(x for x, _ in dark), max(y for _, y in dark)) + 1 + 4  # quiet zone
    image = image_module.new("L", (size, size), 255)
    for x, y in dark:
        image.putpixel((x, y), 0)
    image = image.resize((size * 6, size * 6), image_module.NEAREST)

    # only QR codes: a stretch of modules can also pass for a short ITF bar code (1 in ~1,200)
    (barcode,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)

    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == share_to_text(SHARE).upper()
    assert share_from_text(barcode.text) == SHARE


def test_the_qr_code_is_an_svg_of_a_regular_qr_code() -> None:
    svg = share_qr_svg(SHARE)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Kenes share 3, set 0a1b2c3d" in svg
    assert SHARE.value.hex() not in svg
