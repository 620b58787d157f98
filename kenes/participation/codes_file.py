"""The file of personal codes for an SMS gateway or a mail merge (CSV).

One row per member: name, code, personal link, and the phone only when the officer asked
for phones (`phones` given: read by the caller through the registry's audited access).
Names are typed by coordinators: every text is written as text, never as a formula
(kenes.security.spreadsheet_text). The file is personal data and must be handled as such.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Protocol

from kenes.security.spreadsheet_text import CsvWriter


class IssuedCodeRow(Protocol):
    @property
    def member_id(self) -> int: ...
    @property
    def full_name(self) -> str: ...
    @property
    def code(self) -> str: ...


def codes_csv(
    issued: Sequence[IssuedCodeRow],
    *,
    link_base: str,
    phones: Mapping[int, str] | None = None,
    watermark: str | None = None,
) -> bytes:
    """UTF-8 CSV with a byte-order mark (spreadsheets then read Cyrillic correctly).

    Columns: full_name, code, link; with `phones`, a phone column after the name (empty
    for a member without one). Without `phones` the file holds no phone at all.
    `watermark` (an approved bulk read: who it was made for) is the first line, one cell
    starting with "# ", before the header.
    """
    out = io.StringIO()
    writer = CsvWriter(out)
    if watermark:
        # One quoted cell like every other (a name in it cannot start a formula cell).
        writer.writerow(["# " + " ".join(watermark.split())])
    base = link_base.rstrip("/")
    if phones is None:
        writer.writerow(["full_name", "code", "link"])
        writer.writerows([i.full_name, i.code, f"{base}/{i.code}"] for i in issued)
    else:
        writer.writerow(["full_name", "phone", "code", "link"])
        writer.writerows(
            [i.full_name, phones.get(i.member_id, ""), i.code, f"{base}/{i.code}"] for i in issued
        )
    return out.getvalue().encode("utf-8-sig")
