"""What people may type into a statement, a title or a name: no control characters.

C0 (U+0000–U+001F, U+007F) and C1 (U+0080–U+009F) control characters are invisible,
break files that carry the text (CSV, BLT, PDF) and can hide what a text says; a newline,
a carriage return and a tab are the only ones a person types.
"""

from __future__ import annotations

ALLOWED_CONTROLS = frozenset("\n\r\t")


def control_characters(text: str) -> list[str]:
    """The control characters in `text` other than newline, carriage return and tab, each
    once, as ``U+XXXX`` in the order they first appear."""
    found: dict[str, None] = {}
    for char in text:
        code = ord(char)
        if (code < 0x20 or 0x7F <= code < 0xA0) and char not in ALLOWED_CONTROLS:
            found.setdefault(f"U+{code:04X}", None)
    return list(found)
