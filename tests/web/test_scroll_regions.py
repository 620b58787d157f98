"""A wide table scrolls sideways inside its box on a phone; a keyboard user must be able to
reach that box to scroll it (axe `scrollable-region-focusable`), and a screen reader must be
told what it is. Every table box in every template is a named region in the tab order."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "kenes"
BOX = re.compile(r'<div class="table-wrap"([^>]*)>')


def test_every_table_scroll_box_is_a_named_region_the_keyboard_reaches():
    boxes = 0
    problems = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for attributes in BOX.findall(text):
            boxes += 1
            where = f'{template.relative_to(TEMPLATES)}: <div class="table-wrap"{attributes}>'
            if 'role="region"' not in attributes or 'tabindex="0"' not in attributes:
                problems.append(f'{where} needs role="region" tabindex="0"')
            label = re.search(r'aria-label="([^"]+)"', attributes)
            labelled_by = re.search(r'aria-labelledby="([^"]+)"', attributes)
            if not label and not labelled_by:
                problems.append(f"{where} has no name")
            if labelled_by and f'id="{labelled_by.group(1)}"' not in text:
                problems.append(f"{where} names itself after a missing id")
    assert boxes >= 20
    assert problems == [], "\n".join(problems)
