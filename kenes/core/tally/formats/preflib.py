"""PrefLib ordinal formats ``.soc .soi .toc .toi`` (PrefLib data format, 2022 revision).

Mattei & Walsh, "PrefLib: A Library of Preference Data", ADT 2013; format described at
preflib.org/format. Header lines ``# KEY: value`` (``# ALTERNATIVE NAME i: name``), then one
line per distinct order ``count: a,b,{c,d},e`` where braces enclose equally ranked alternatives.
The format letters say what is allowed: s = strict, t = ties, oc = complete, oi = incomplete.
"""

from __future__ import annotations

import re

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.profile import Profile, build_profile

_ALTERNATIVE = re.compile(r"#\s*ALTERNATIVE NAME (\d+):\s?(.*)$")
_TITLE = re.compile(r"#\s*TITLE:\s?(.*)$")
_ORDER = re.compile(r"^(\d+)\s*:\s*(.*)$")


def parse_preflib(text: str, kind: str = "toi") -> Profile:
    """Parse PrefLib text; ``kind`` (soc/soi/toc/toi) is checked against each order."""
    if kind not in ("soc", "soi", "toc", "toi"):
        raise BallotFileError(1, f"'{kind}' is not a PrefLib ordinal format (soc/soi/toc/toi)")
    names: dict[int, str] = {}
    title = ""
    orders: list[tuple[int, int, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if m := _ALTERNATIVE.match(line):
                names[int(m.group(1))] = m.group(2).strip()
            elif m := _TITLE.match(line):
                title = m.group(1).strip()
            continue
        m = _ORDER.match(line)
        if not m:
            raise BallotFileError(lineno, "an order line is '<count>: a,b,{c,d}'")
        orders.append((lineno, int(m.group(1)), m.group(2)))
    if not names:
        raise BallotFileError(1, "no '# ALTERNATIVE NAME i: ...' header lines")
    ids = sorted(names)
    if ids != list(range(1, len(ids) + 1)):
        raise BallotFileError(1, "alternatives must be numbered 1, 2, 3, ... without gaps")
    n = len(ids)
    ballots = [(count, _positions(lineno, body, n, kind)) for lineno, count, body in orders]
    return build_profile([names[i] for i in ids], ballots, title=title)


def _positions(lineno: int, body: str, n: int, kind: str) -> list[list[int]]:
    positions: list[list[int]] = []
    seen: set[int] = set()
    for m in re.finditer(r"\{([^}]*)\}|([^,{}\s]+)|(,)|(\S)", body):
        group_text, single, comma, stray = m.groups()
        if comma:
            continue
        if stray:
            raise BallotFileError(lineno, f"unexpected '{stray}' in the order")
        items = (group_text or "").split(",") if group_text is not None else [single]
        group: list[int] = []
        for item in items:
            item = item.strip()
            if not item.isdigit() or not 1 <= int(item) <= n:
                raise BallotFileError(lineno, f"'{item}' is not an alternative number 1..{n}")
            c = int(item) - 1
            if c in seen:
                raise BallotFileError(lineno, f"alternative {item} appears twice in the order")
            seen.add(c)
            group.append(c)
        if len(group) > 1 and kind.startswith("s"):
            raise BallotFileError(lineno, f"a .{kind} file holds strict orders, without ties")
        positions.append(group)
    if kind.endswith("oc") and len(seen) != n:
        raise BallotFileError(lineno, f"a .{kind} file holds complete orders of all {n}")
    return positions
