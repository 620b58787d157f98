"""Members' names are sealed; officers find them through a blind index of name parts.

A name is cut into parts (letters and digits; hyphens, apostrophes, dots and spaces
separate), and each part is normalised the way people type it: Unicode NFKC, casefold,
ё → е, the Kazakh letters folded onto the Russian keyboard's (ә→а, ғ→г, қ→к, ң→н, ө→о,
ұ→у, ү→у, һ→х, і→и) and Latin accents dropped (Ş→s). Latin and Cyrillic spellings of one
name are not matched to each other: a name is found in the script it was entered in.

Each part gives one token per prefix of MIN_PREFIX to MAX_PREFIX letters (3 to 8; a
part of 3 letters or fewer gives itself), and a query part is looked up by its first
MAX_PREFIX letters. A token is a keyed HMAC under a
secret derived from the field key (purpose "kenes name index v1"), cut to 63 bits so it
fits one integer column: a seized database holds no name and lets nobody test a guess
without the key. What equal tokens still reveal is in docs/security.md ("Names: sealed,
searched by blind index").

A search asks, for every part of the query of MIN_PREFIX letters or more, for members
having that part's token (members whose name has a part starting with it) and keeps
those having all of them. A query made only of shorter parts (Ли, Ан) matches them as
whole parts. Query parts shorter than MIN_PREFIX next to longer ones are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from kenes.security.keys import FieldKey, field_keys

MIN_PREFIX = 3
#: Longer prefixes are not indexed: a query part is looked up by its first MAX_PREFIX
#: letters (Нурлановна finds Нурланович too). Each letter more would add a token to most
#: patronymics and to every import (bench/README.md).
MAX_PREFIX = 8
_PURPOSE = b"kenes name index v1"
# Kazakh letters as most people type them on a Russian keyboard, and ё as е.
_FOLD = str.maketrans("ёәғқңөұүһі", "еагкноуухи")
_PART = re.compile(r"\w+")
_JOINERS = re.compile(r"['ʼ’`]")  # O'Brien, Қожа'ахмет: one part


def name_parts(text: str) -> list[str]:
    """The normalised parts of a name or a query, in order (see the module's docstring)."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    plain = "".join(_latin_base(ch) for ch in folded)
    return [p.replace("_", "") for p in _PART.findall(_JOINERS.sub("", plain)) if p.strip("_")]


def _latin_base(ch: str) -> str:
    """A Latin letter without its accent (ş → s); any other letter as it is (Cyrillic й
    stays й, though NFKD would split it into и and a breve)."""
    if ch.isascii():
        return ch
    base = unicodedata.normalize("NFKD", ch)[0]
    return base if "a" <= base <= "z" else ch


def prefixes(part: str) -> list[str]:
    """The prefixes of `part` that are indexed: of MIN_PREFIX to MAX_PREFIX letters (a
    shorter part: itself)."""
    if len(part) <= MIN_PREFIX:
        return [part]
    return [part[:n] for n in range(MIN_PREFIX, min(len(part), MAX_PREFIX) + 1)]


@lru_cache(maxsize=16)
def _name_secret(key: FieldKey) -> bytes:
    return hmac.new(key.secret, _PURPOSE, hashlib.sha256).digest()


def token(text: str, key: FieldKey) -> int:
    """The blind index of one normalised prefix: 63 bits of HMAC-SHA256 under `key`."""
    digest = hmac.digest(_name_secret(key), text.encode(), "sha256")
    return int.from_bytes(digest[:8], "big") >> 1


def name_tokens(name: str, key: FieldKey) -> set[int]:
    """Every token a member with this name is found by (no duplicates)."""
    return {token(p, key) for part in name_parts(name) for p in prefixes(part)}


def query_parts(query: str) -> list[str]:
    """The parts of a query that are searched for (see the module's docstring)."""
    parts = name_parts(query)
    long = [p for p in parts if len(p) >= MIN_PREFIX]
    return list(dict.fromkeys(long or parts))


def query_tokens(query: str, keys: Iterable[FieldKey] | None = None) -> list[list[int]]:
    """For each searched part, its token under every key in use (newest first): a member
    matches when, for every part, it has one of that part's tokens. Names not yet
    re-indexed by `kenes rotate-keys` are found under their older key."""
    keys = tuple(keys) if keys is not None else field_keys()
    return [[token(part[:MAX_PREFIX], key) for key in keys] for part in query_parts(query)]


def sort_key(name: str | None) -> tuple[str, str]:
    """How names are ordered on pages: as people read them, case and ё/е ignored."""
    text = name or ""
    return (" ".join(text.casefold().replace("ё", "е").split()), text)
