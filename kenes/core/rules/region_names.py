"""Turning a region as people write it into a lookup key.

Member lists name regions in Russian, Kazakh or English, with or without the
word for "region" or "city", abbreviated ("обл.", "г.", "қ."), in any case,
with Kazakh letters typed as their Russian neighbours (Ақтөбе / Актобе) and
with Latin letters slipped into Cyrillic words (a Latin "A" in "Aлматы").
The key keeps only what tells regions apart: the name's stem and, when the
text says so, whether it means an oblast or a city (so "Алматы облысы" is the
oblast and "Алматы" the city).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

Kind = Literal["oblast", "city"]

_TOKEN = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")

# Kazakh letters people type as their nearest Russian letter; ё is written е.
_KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһіё", "агкноуухие")
# Letters that look the same in both scripts (after casefolding).
_LATIN_LOOKALIKES = "aceopxykmthbi"
_CYRILLIC_LOOKALIKES = "асеорхукмтнви"
_LATIN_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_CYRILLIC_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES + "і", _LATIN_LOOKALIKES + "i")

# Words that say "oblast" or "city" (already folded to Russian letters);
# inflected forms cover "в Акмолинской области", "облысының".
_OBLAST_WORDS = frozenset(
    {
        "обл",
        "область",
        "области",
        "облысы",
        "облысынын",
        "облысында",
        "облыс",
        "oblast",
        "oblysy",
        "obl",
        "region",
        "province",
    }
)
_CITY_WORDS = frozenset(
    {"г", "гор", "город", "городе", "каласы", "к", "кала", "city", "gorod", "qalasy", "kalasy"}
)
_FILLER_WORDS = frozenset({"of", "the", "в", "во"})
# Russian adjective endings: "Акмолинской" and "Акмолинская" share one stem.
_ADJECTIVE_ENDING = re.compile(r"(ская|ской|скую|ском|ские|ских)$")


def _fold_token(token: str) -> str:
    """Fold one word to a single script, Kazakh letters to Russian ones."""
    cyrillic = len(_CYRILLIC.findall(token))
    latin = len(_LATIN.findall(token))
    if cyrillic >= latin and cyrillic:
        token = token.translate(_LATIN_TO_CYRILLIC).translate(_KAZAKH_TO_RUSSIAN)
        # Kazakh "Қазақстан" typed without Kazakh letters comes out either as
        # "Казакстан" or, Russian-style, "Казахстан".
        token = token.replace("казахстан", "казакстан")
        return _ADJECTIVE_ENDING.sub("ск", token)
    if latin:
        return token.translate(_CYRILLIC_TO_LATIN)
    return token


@lru_cache(maxsize=8192)
def region_key(text: str) -> tuple[str, Kind | None]:
    """The (stem, kind) key of a region as written; stem "" means nothing left.

    Cached because a member list repeats the same few dozen spellings.
    """
    kind: Kind | None = None
    stem_parts: list[str] = []
    for raw in _TOKEN.findall(text.casefold()):
        token = _fold_token(raw)
        if token in _OBLAST_WORDS:
            kind = kind or "oblast"
        elif token in _CITY_WORDS:
            kind = kind or "city"
        elif token not in _FILLER_WORDS:
            stem_parts.append(token)
    return "".join(stem_parts), kind


def code_key(text: str) -> str:
    """A region code as a key: "KZ-75", "kz 75" and "KZ75" all give "kz75"."""
    return "".join(_TOKEN.findall(text.casefold()))
