"""The Russian catalogue is complete; the Kazakh one covers at least the everyday pages."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "kenes" / "locale"


def _entries(language: str) -> list[dict[str, object]]:
    """msgid/msgstr pairs of a .po file (a small reader: enough for gettext's own output)."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            translations = [v for k, v in fields.items() if k.startswith("msgstr")]
            key = fields["msgid"]
            if "msgctxt" in fields:
                key = f"{fields['msgctxt']}\x04{key}"
            entries.append(
                {"msgid": fields["msgid"], "key": key, "done": all(translations) and not fuzzy}
            )
    return entries


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_string_is_translated_and_compiled(language):
    entries = _entries(language)
    assert len(entries) > 200
    missing = [e["msgid"] for e in entries if not e["done"]]
    assert missing == []
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    singular = {key if isinstance(key, str) else key[0] for key in catalog}
    not_compiled = [e["msgid"] for e in entries if e["key"] not in singular]
    assert not_compiled == [], "run `kenes compilemessages`"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_placeholders_survive_translation(language):
    from django.utils.translation import gettext, override

    for entry in _entries(language):
        msgid = str(entry["msgid"])
        with override(language):
            translated = gettext(msgid)
        if translated == msgid:
            continue  # plural entries and identical words
        assert set(re.findall(r"%\(\w+\)s", translated)) == set(re.findall(r"%\(\w+\)s", msgid)), (
            msgid
        )
