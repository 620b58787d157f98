"""The BLT ballot format (ERS / OpenSTV / Hill's ``.blt``), as count software writes it.

Layout (Hill, Wichmann & Woodall, "Algorithm 123", Computer Journal 30(3), 1987, and the
OpenSTV documentation)::

    <candidates> <seats>
    -2 -5                         optional: withdrawn candidates as negative numbers
    <weight> <c> <c>=<c> - <c> 0  one ballot line: weight, preferences, terminating 0
    ...
    0                             end of ballots
    "Name" "Party"                one line per candidate (the party string is optional)
    "Title"

``a=b`` ranks a and b equally; ``-`` is a skipped position. A ballot line may start with an
``(id)`` which is ignored. Line endings may be CRLF.
"""

from __future__ import annotations

import re
import shlex
import warnings

import numpy as np
import numpy.typing as npt

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.profile import Profile, build_profile, merge

_ID_PREFIX = re.compile(r"^\(\S*\)\s*")


def parse_blt(text: str) -> Profile:
    """Parse BLT text into a profile; raise BallotFileError naming the first bad line."""
    lines = text.splitlines()
    pos = _skip_blank(lines, 0)
    if pos >= len(lines):
        raise BallotFileError(1, "the file is empty; a BLT file starts with '<candidates> <seats>'")
    parts = lines[pos].split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise BallotFileError(pos + 1, "the first line must be two numbers: candidates and seats")
    n_candidates, seats = int(parts[0]), int(parts[1])
    if n_candidates < 1 or seats < 1:
        raise BallotFileError(pos + 1, "there must be at least one candidate and one seat")
    pos = _skip_blank(lines, pos + 1)
    withdrawn: set[int] = set()
    if pos < len(lines) and lines[pos].strip().startswith("-"):
        for token in lines[pos].split():
            if not re.fullmatch(r"-\d+", token) or not 1 <= -int(token) <= n_candidates:
                raise BallotFileError(pos + 1, f"'{token}' is not a withdrawn candidate number")
            withdrawn.add(-int(token) - 1)
        pos += 1
    first_ballot = pos
    while pos < len(lines) and lines[pos].strip() != "0":
        pos += 1
    if pos >= len(lines):
        raise BallotFileError(len(lines), "the ballots must end with a line holding only 0")
    section = lines[first_ballot:pos]
    ranks_counts = _fast_ballots(section, n_candidates)
    ballots: list[tuple[int, list[list[int]]]] = []
    if ranks_counts is None:
        for offset, raw in enumerate(section):
            line = raw.strip()
            if line and not line.startswith("#"):
                lineno = first_ballot + offset + 1
                ballots.append(_ballot(lineno, _ID_PREFIX.sub("", line), n_candidates))
    names: list[str] = []
    parties: list[str] = []
    pos += 1
    for _ in range(n_candidates):
        pos = _skip_blank(lines, pos)
        if pos >= len(lines):
            raise BallotFileError(len(lines), f"expected {n_candidates} candidate name lines")
        strings = _quoted(pos + 1, lines[pos])
        if not 1 <= len(strings) <= 2:
            raise BallotFileError(pos + 1, 'a candidate line is "Name" or "Name" "Party"')
        names.append(strings[0])
        parties.append(strings[1] if len(strings) == 2 else "")
        pos += 1
    title = ""
    pos = _skip_blank(lines, pos)
    if pos < len(lines):
        strings = _quoted(pos + 1, lines[pos])
        title = strings[0] if strings else ""
        pos = _skip_blank(lines, pos + 1)
    if pos < len(lines):
        raise BallotFileError(pos + 1, "unexpected text after the title")
    if len(set(names)) != len(names):
        raise BallotFileError(pos, "two candidates have the same name")
    party_names = tuple(parties) if any(parties) else ()
    if ranks_counts is not None:
        ranks, counts = ranks_counts
        return merge(
            Profile(
                candidates=tuple(names),
                ranks=ranks,
                counts=counts,
                withdrawn=frozenset(withdrawn),
                parties=party_names,
                title=title,
                seats=seats,
            )
        )
    return build_profile(
        names, ballots, withdrawn=withdrawn, parties=party_names, title=title, seats=seats
    )


def _skip_blank(lines: list[str], pos: int) -> int:
    while pos < len(lines) and (not lines[pos].strip() or lines[pos].lstrip().startswith("#")):
        pos += 1
    return pos


_PLAIN = re.compile(r"[^0-9 \t\r\n]")


def _fast_ballots(
    section: list[str], n_candidates: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64]] | None:
    """Vectorised reading of plain ballot lines (digits only); None if the slow path is needed.

    The slow path reads line by line and names the line of any error.
    """
    body = "\n".join(section)
    if not body.strip() or _PLAIN.search(body):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tokens = np.fromstring(body, dtype=np.int64, sep=" ")
    ends = np.flatnonzero(tokens == 0)
    n_lines = sum(1 for line in section if line.strip())
    if len(ends) != n_lines or (len(ends) and ends[-1] != len(tokens) - 1):
        return None
    starts = np.concatenate([[0], ends[:-1] + 1])
    lengths = ends - starts - 1
    if (lengths < 0).any():
        return None
    is_pref = np.ones(len(tokens), dtype=bool)
    is_pref[starts] = False
    is_pref[ends] = False
    cand = tokens[is_pref]
    if len(cand) and (cand.min() < 1 or cand.max() > n_candidates):
        return None
    ballot = np.repeat(np.arange(len(ends)), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(len(cand)) - first + 1
    ranks = np.zeros((len(ends), n_candidates), dtype=np.int16)
    ranks[ballot, cand - 1] = position
    if ((ranks > 0).sum(axis=1) != lengths).any():  # a candidate ranked twice
        return None
    return ranks, tokens[starts]


def _ballot(lineno: int, line: str, n_candidates: int) -> tuple[int, list[list[int]]]:
    tokens = line.split()
    if len(tokens) < 2 or tokens[-1] != "0":
        raise BallotFileError(lineno, "a ballot line is '<weight> <preferences> 0'")
    if not tokens[0].isdigit():
        raise BallotFileError(lineno, f"the ballot weight '{tokens[0]}' is not a whole number")
    positions: list[list[int]] = []
    seen: set[int] = set()
    for token in tokens[1:-1]:
        if token == "-":
            positions.append([])
            continue
        group: list[int] = []
        for part in token.split("="):
            if not part.isdigit() or not 1 <= int(part) <= n_candidates:
                raise BallotFileError(lineno, f"'{part}' is not a candidate number")
            c = int(part) - 1
            if c in seen:
                raise BallotFileError(lineno, f"candidate {part} is ranked twice on this ballot")
            seen.add(c)
            group.append(c)
        positions.append(group)
    return int(tokens[0]), positions


def _quoted(lineno: int, line: str) -> list[str]:
    try:
        return shlex.split(line, posix=True)
    except ValueError as exc:
        raise BallotFileError(lineno, f"unbalanced quotes ({exc})") from exc


def write_blt(profile: Profile) -> str:
    """Write a profile as BLT text (CRLF, one line per distinct ballot)."""
    seats = profile.seats or 1
    out = [f"{profile.n_candidates} {seats}"]
    if profile.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(profile.withdrawn)))
    for count, positions in profile.ballots():
        prefs = " ".join("=".join(str(c + 1) for c in group) or "-" for group in positions)
        out.append(f"{count} {prefs} 0")
    out.append("0")
    for i, name in enumerate(profile.candidates):
        party = profile.parties[i] if profile.parties else ""
        out.append(f'"{name}" "{party}"' if party else f'"{name}"')
    out.append(f'"{profile.title}"')
    return "\r\n".join(out) + "\r\n"
