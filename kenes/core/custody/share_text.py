"""A share as words for paper (and as a QR code), and back, catching a trustee's typo.

Format, version 1. The share is written as a bit string, most significant bit first::

    version (4 bits, = 1) | set_id (32) | threshold (8) | index (8) | value (8 bits a byte)
    | zero bits up to a multiple of 11 | checksum (33 bits)

cut into 11-bit groups, each written as a word of the BIP-39 English word list
(2048 words, taken from the MIT-licensed ``mnemonic`` package; no two words share
their first four letters, so four letters of each word are enough). The checksum
is the first 33 bits of SHA-256("kenes custody share v1" || secret length as two
bytes || the data bits as bytes). A share of a 32-byte key is 28 + 3 = 31 words.
The number of words leaves at most two possible secret lengths (up to 10 bits of
padding fit in 11-bit words); the one whose checksum fits is the share's.

Reading is forgiving where it is safe and exact where it matters: case, commas,
line breaks and numbering ("1. abandon 2. ability") are ignored; a word may be
cut to its first four letters; Cyrillic letters that look like Latin ones, and a
word typed on a Russian keyboard layout, are read as the Latin word. The 33-bit
checksum then catches what is left: one word copied wrongly is named by its
position (the checksum matches only with that word changed), as are two
neighbouring words swapped and a word missing or written twice. Messages name
positions and never echo a valid word, so a message in a log does not leak share.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import cache

import segno
from mnemonic import Mnemonic

from kenes.core.custody.errors import CustodyError
from kenes.core.custody.shamir import Share

FORMAT_VERSION = 1
WORD_BITS = 11
CHECKSUM_WORDS = 3
_CHECKSUM_BITS = WORD_BITS * CHECKSUM_WORDS
_HEADER_BITS = 4 + 32 + 8 + 8
_CHECKSUM_LABEL = b"kenes custody share v1"
_PREFIX = 4
KEY_LENGTH = 32  # Kenes' master key; named in messages about a share's length
MAX_TEXT_LENGTH = 20_000  # a 1,000-byte secret's share is under 9,000 characters
# Locating a slip costs 2048 checksums per word; beyond this many words only say it fails.
_MAX_WORDS_DIAGNOSED = 2 * (28 + CHECKSUM_WORDS)


def words_for_length(secret_length: int) -> int:
    """How many words a share of a ``secret_length``-byte secret has (31 for 32 bytes)."""
    return _data_words(secret_length) + CHECKSUM_WORDS


def share_words(share: Share) -> list[str]:
    """The share's words, in order (for a numbered layout on paper)."""
    wordlist = _wordlist()
    return [wordlist[i] for i in _encode(share)]


def share_to_text(share: Share) -> str:
    """The share as one line of lowercase words separated by spaces."""
    return " ".join(share_words(share))


def share_from_text(text: str) -> Share:
    """Read a share written by :func:`share_to_text` (or typed from its paper copy).

    Raises CustodyError naming what is wrong: a word not in the list (by position),
    too few words, or a checksum that fails, with the word that breaks it named
    when one change (a word, a swap, a missing or doubled word) would fix it.
    """
    if len(text) > MAX_TEXT_LENGTH:
        raise CustodyError(
            f"This text is {len(text)} characters long, too long to be a share.",
            code="not_a_share",
        )
    indices = _read_words(text)
    minimum = words_for_length(1)
    if len(indices) < minimum:
        raise CustodyError(
            f"This share has {len(indices)} words; a share has at least {minimum} "
            f"({words_for_length(KEY_LENGTH)} for a {KEY_LENGTH}-byte key).",
            code="too_few_words",
            params={"words": len(indices), "expected": words_for_length(KEY_LENGTH)},
        )
    length = _checked_length(indices)
    if length is None:
        raise _diagnose(indices)
    return _decode(indices, length)


def share_qr_svg(share: Share) -> str:
    """The share's words as a QR code, an inline SVG element (no XML declaration).

    The words are upper-cased so the code uses QR's compact alphanumeric mode;
    :func:`share_from_text` reads them in any case. Error correction level M.
    """
    qr = segno.make_qr(share_to_text(share).upper(), error="m", boost_error=False)
    return qr.svg_inline(scale=4, border=4, title=f"Kenes share {share.index}, set {share.set_id}")


# --- encoding -----------------------------------------------------------------------


def _data_words(secret_length: int) -> int:
    return -(-(_HEADER_BITS + 8 * secret_length) // WORD_BITS)


def _encode(share: Share) -> list[int]:
    length = len(share.value)
    data_words = _data_words(length)
    data = FORMAT_VERSION
    data = (data << 32) | int(share.set_id, 16)
    data = (data << 8) | share.threshold
    data = (data << 8) | share.index
    data = (data << (8 * length)) | int.from_bytes(share.value, "big")
    data <<= data_words * WORD_BITS - _HEADER_BITS - 8 * length
    checksum = _checksum(data, data_words, length)
    return _split_words(data, data_words) + _split_words(checksum, CHECKSUM_WORDS)


def _decode(indices: Sequence[int], length: int) -> Share:
    data_words = len(indices) - CHECKSUM_WORDS
    data_bits = data_words * WORD_BITS
    padding = data_bits - _HEADER_BITS - 8 * length
    data = _join_words(indices[:data_words])
    if data & ((1 << padding) - 1):
        raise CustodyError(
            "This share's padding bits are not zero: it is not a Kenes share.", code="not_a_share"
        )
    data >>= padding
    value = data & ((1 << (8 * length)) - 1)
    data >>= 8 * length
    index = data & 0xFF
    threshold = (data >> 8) & 0xFF
    set_id = f"{(data >> 16) & 0xFFFFFFFF:08x}"
    version = data >> 48
    if version != FORMAT_VERSION:
        raise CustodyError(
            f"This share has format version {version}; this Kenes reads version {FORMAT_VERSION}.",
            code="unknown_version",
            params={"version": version},
        )
    if not 1 <= index <= 255:
        raise CustodyError(
            f"This share's number is {index}; shares are numbered 1 to 255.", code="not_a_share"
        )
    if threshold < 2:
        raise CustodyError(
            f"This share says {threshold} share(s) are needed; at least 2 are.", code="not_a_share"
        )
    return Share(
        index=index, threshold=threshold, value=value.to_bytes(length, "big"), set_id=set_id
    )


def _split_words(number: int, count: int) -> list[int]:
    mask = (1 << WORD_BITS) - 1
    return [(number >> (WORD_BITS * (count - 1 - i))) & mask for i in range(count)]


def _join_words(indices: Sequence[int]) -> int:
    number = 0
    for i in indices:
        number = (number << WORD_BITS) | i
    return number


def _checksum(data: int, data_words: int, length: int) -> int:
    data_bytes = data.to_bytes(-(-data_words * WORD_BITS // 8), "big")
    digest = hashlib.sha256(_CHECKSUM_LABEL + length.to_bytes(2, "big") + data_bytes).digest()
    return int.from_bytes(digest[:5], "big") >> (40 - _CHECKSUM_BITS)


def _lengths(data_words: int) -> list[int]:
    """The secret lengths (bytes, at most two) whose shares have ``data_words`` data words."""
    most = (data_words * WORD_BITS - _HEADER_BITS) // 8
    return [n for n in (most, most - 1) if n >= 1 and _data_words(n) == data_words]


def _checked_length(indices: Sequence[int]) -> int | None:
    """The secret length for which the checksum of ``indices`` fits, or None."""
    if len(indices) < words_for_length(1):
        return None
    data_words = len(indices) - CHECKSUM_WORDS
    data = _join_words(indices[:data_words])
    checksum = _join_words(indices[data_words:])
    for length in _lengths(data_words):
        if _checksum(data, data_words, length) == checksum:
            return length
    return None


def _checksum_ok(indices: Sequence[int]) -> bool:
    return _checked_length(indices) is not None


# --- reading what a person typed --------------------------------------------------------

_SEPARATORS = re.compile(r"[^\w]+|_")
_NUMBER = re.compile(r"[0-9]+")

# Cyrillic (Russian and Kazakh) letters drawn like Latin ones.
# Applied after lower-casing, so к м т в н stand for the capitals К М Т В Н.
_LOOKALIKES = str.maketrans("аеорсухкмтвніѕј", "aeopcyxkmtbhisj")
# A Latin word typed with the keyboard switched to Russian (ЙЦУКЕН over QWERTY).
_RUSSIAN_LAYOUT = str.maketrans("йцукенгшщзфывапролдячсмить", "qwertyuiopasdfghjklzxcvbnm")


def _read_words(text: str) -> list[int]:
    tokens = [t for t in _SEPARATORS.split(text.lower()) if t and not _NUMBER.fullmatch(t)]
    indices = []
    for position, token in enumerate(tokens, start=1):
        found = _lookup(token)
        if found is None:
            shown = token if len(token) <= 20 else token[:20] + "…"
            raise CustodyError(
                f"Word {position} (“{shown}”) is not in the word list: "
                "check its spelling on the paper (the first four letters are enough).",
                code="unknown_word",
                params={"position": position, "word": shown},
            )
        indices.append(found)
    return indices


def _lookup(token: str) -> int | None:
    candidates = [token]
    if not token.isascii():
        candidates += [token.translate(_LOOKALIKES), token.translate(_RUSSIAN_LAYOUT)]
    for candidate in candidates:
        exact, by_prefix = _word_indices()
        if candidate in exact:
            return exact[candidate]
        if len(candidate) >= _PREFIX and candidate.isascii():
            index = by_prefix.get(candidate[:_PREFIX])
            if index is not None:
                return index
    return None


@cache
def _wordlist() -> tuple[str, ...]:
    words = tuple(Mnemonic("english").wordlist)
    if len(words) != 2**WORD_BITS or len({w[:_PREFIX] for w in words}) != len(words):
        raise CustodyError("The BIP-39 English word list in the mnemonic package is damaged.")
    return words


@cache
def _word_indices() -> tuple[dict[str, int], dict[str, int]]:
    words = _wordlist()
    return {w: i for i, w in enumerate(words)}, {w[:_PREFIX]: i for i, w in enumerate(words)}


def _diagnose(indices: list[int]) -> CustodyError:
    """Say which one change would make the checksum fit, or that more than one is wrong.

    Tries every single word changed (2048 x words), every neighbouring pair swapped,
    and, when the count differs from a 32-byte key's, every word dropped or added;
    about 65,000 checksums, a fraction of a second, only when a share is wrong.
    """
    count = len(indices)
    expected = words_for_length(KEY_LENGTH)
    alphabet = range(2**WORD_BITS)
    # corrected word sequence -> what the trustee did; two ways to one sequence are one fix
    fixes: dict[tuple[int, ...], tuple[str, str, dict[str, int]]] = {}

    def consider(candidate: list[int], text: str, code: str, **params: int) -> bool:
        if _checksum_ok(candidate):
            fixes.setdefault(tuple(candidate), (text, code, params))
            return True
        return False

    if count > _MAX_WORDS_DIAGNOSED:
        return CustodyError(
            f"The share's checksum does not match. It has {count} words; a share of a "
            f"{KEY_LENGTH}-byte key has {expected}. Compare every word with the paper.",
            code="checksum",
            params={"words": count, "expected": expected},
        )
    for p in range(count):
        n = p + 1
        for word in alphabet:
            changed = [*indices[:p], word, *indices[p + 1 :]]
            if word != indices[p] and consider(
                changed, f"word {n} was copied wrongly", "word_copied_wrongly", position=n
            ):
                break
    for p in range(count - 1):
        n = p + 1
        if indices[p] != indices[p + 1]:
            swapped = [*indices[:p], indices[p + 1], indices[p], *indices[p + 2 :]]
            consider(swapped, f"words {n} and {n + 1} are swapped", "words_swapped", position=n)
    if count > expected:
        for p in range(count):
            n = p + 1
            dropped = [*indices[:p], *indices[p + 1 :]]
            if p + 1 < count and indices[p] == indices[p + 1]:
                consider(dropped, f"word {n + 1} repeats word {n}", "word_repeated", position=n + 1)
            else:
                consider(dropped, f"word {n} is one too many", "word_extra", position=n)
    if count < expected:
        for p in range(count + 1):
            where = f"after word {p}" if p else "before word 1"
            for word in alphabet:
                added = [*indices[:p], word, *indices[p:]]
                if consider(added, f"a word is missing {where}", "word_missing", after=p):
                    break

    if len(fixes) == 1:
        ((text, code, params),) = fixes.values()
        return CustodyError(
            f"The share's checksum does not match: {text}. Compare it with the paper.",
            code=code,
            params=params,
        )
    length_note = (
        f" It has {count} words; a share of a {KEY_LENGTH}-byte key has {expected}."
        if count != expected
        else ""
    )
    return CustodyError(
        "The share's checksum does not match: more than one word is wrong, "
        f"or the share is of another set.{length_note} Compare every word with the paper.",
        code="checksum",
        params={"words": count, "expected": expected},
    )
