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


_HEADER = re.compile(r"\A[ \t]*(\d+)[ \t]+(\d+)[ \t]*\r?\n")
_WITHDRAWN = re.compile(r"[ \t]*(-\d+(?:[ \t]+-\d+)*)[ \t]*\r?\n")
_END_OF_BALLOTS = re.compile(r"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
_PLAIN_BYTES = b"0123456789 \t\r\n"  # all a plain ballot line holds


def _end_of_ballots(text: str, start: int) -> tuple[int, int] | None:
    """Where the line holding only 0 starts and ends (before its newline), from `start`.

    A plain substring search finds it in a large file at once; the regular expression
    handles spaces around the 0 and a 0 on the very first ballot line.
    """
    found = [i for i in (text.find("\n0\n", start - 1), text.find("\n0\r\n", start - 1)) if i >= 0]
    if found:
        i = min(found) + 1
        return i, i + (1 if text[i + 1] == "\n" else 2)
    match = _END_OF_BALLOTS.search(text, start)
    return (match.start(), match.end()) if match else None


def parse_blt(text: str) -> Profile:
    """Parse BLT text into a profile; raise BallotFileError naming the first bad line.

    Large files of plain ballot lines (digits only, as count software writes them) are read
    without splitting the text into lines; anything else goes line by line, so that an
    error can name its line.
    """
    fast = _parse_plain(text)
    if fast is not None:
        return fast
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
    ranks_counts = _fast_ballots(
        "\n".join(section), sum(1 for line in section if line.strip()), n_candidates
    )
    ballots: list[tuple[int, list[list[int]]]] = []
    if ranks_counts is None:
        for offset, raw in enumerate(section):
            line = raw.strip()
            if line and not line.startswith("#"):
                lineno = first_ballot + offset + 1
                ballots.append(_ballot(lineno, _ID_PREFIX.sub("", line), n_candidates))
    names, parties, title = _names_and_title(lines, pos + 1, n_candidates)
    party_names = tuple(parties) if any(parties) else ()
    if ranks_counts is not None:
        ranks, counts, _merged = ranks_counts
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


def _names_and_title(
    lines: list[str], pos: int, n_candidates: int, first_line: int = 0
) -> tuple[list[str], list[str], str]:
    """The candidate lines and the title; `first_line` is the file line of `lines[0]` - 1."""
    names: list[str] = []
    parties: list[str] = []
    for _ in range(n_candidates):
        pos = _skip_blank(lines, pos)
        if pos >= len(lines):
            raise BallotFileError(
                first_line + len(lines), f"expected {n_candidates} candidate name lines"
            )
        strings = _quoted(first_line + pos + 1, lines[pos])
        if not 1 <= len(strings) <= 2:
            raise BallotFileError(
                first_line + pos + 1, 'a candidate line is "Name" or "Name" "Party"'
            )
        names.append(strings[0])
        parties.append(strings[1] if len(strings) == 2 else "")
        pos += 1
    title = ""
    pos = _skip_blank(lines, pos)
    if pos < len(lines):
        strings = _quoted(first_line + pos + 1, lines[pos])
        title = strings[0] if strings else ""
        pos = _skip_blank(lines, pos + 1)
    if pos < len(lines):
        raise BallotFileError(first_line + pos + 1, "unexpected text after the title")
    if len(set(names)) != len(names):
        raise BallotFileError(first_line + pos, "two candidates have the same name")
    return names, parties, title


def _parse_plain(text: str) -> Profile | None:
    """The fast path: header, optional withdrawn line, plain ballot lines; else None."""
    header = _HEADER.match(text)
    if header is None:
        return None
    n_candidates, seats = int(header.group(1)), int(header.group(2))
    if n_candidates < 1 or seats < 1:
        return None
    start = header.end()
    withdrawn: set[int] = set()
    marked = _WITHDRAWN.match(text, start)
    if marked is not None:
        for token in marked.group(1).split():
            if not 1 <= -int(token) <= n_candidates:
                return None
            withdrawn.add(-int(token) - 1)
        start = marked.end()
    end = _end_of_ballots(text, start)
    if end is None:
        return None
    body = text[start : end[0]]
    # Every line counted, blank ones too: a blank line makes the counts disagree and sends
    # the file down the line-by-line path, which skips it; never a wrong reading.
    ranks_counts = _fast_ballots(body, body.count("\n"), n_candidates)
    if ranks_counts is None:
        return None
    first_line = text.count("\n", 0, end[1])
    tail = text[end[1] :].splitlines()
    tail_start = 1 if tail and not tail[0].strip() else 0  # the rest of the "0" line
    names, parties, title = _names_and_title(
        tail[tail_start:], 0, n_candidates, first_line + tail_start
    )
    ranks, counts, merged = ranks_counts
    read = Profile(
        candidates=tuple(names),
        ranks=ranks,
        counts=counts,
        withdrawn=frozenset(withdrawn),
        parties=tuple(parties) if any(parties) else (),
        title=title,
        seats=seats,
    )
    return read if merged else merge(read)


def _skip_blank(lines: list[str], pos: int) -> int:
    while pos < len(lines) and (not lines[pos].strip() or lines[pos].lstrip().startswith("#")):
        pos += 1
    return pos


def _fast_ballots(
    body: str, n_lines: int, n_candidates: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64], bool] | None:
    """Vectorised reading of plain ballot lines (digits only); None if the slow path is needed.

    Returns (ranks, counts, merged): `merged` says identical ballots are already merged.
    `n_lines` is the number of non-blank lines in `body`. The slow path reads line by line
    and names the line of any error.
    """
    if not body.strip():
        return None
    try:
        if body.encode("ascii").translate(None, _PLAIN_BYTES):  # anything left is not plain
            return None
    except UnicodeEncodeError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tokens = np.fromstring(body, dtype=np.int64, sep=" ")
    ends = np.flatnonzero(tokens == 0)
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
    weights = tokens[starts]
    longest = int(lengths.max())
    if longest > 0 and (n_candidates + 1) ** longest < 2**52:
        return _merged_by_order(cand, lengths, weights, n_candidates, longest)
    ballot = np.repeat(np.arange(len(ends)), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(len(cand)) - first + 1
    ranks = np.zeros((len(ends), n_candidates), dtype=np.int16)
    ranks[ballot, cand - 1] = position
    if ((ranks > 0).sum(axis=1) != lengths).any():  # a candidate ranked twice
        return None
    return ranks, weights, False


def _merged_by_order(
    cand: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
    weights: npt.NDArray[np.int64],
    n_candidates: int,
    longest: int,
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64], bool] | None:
    """Merge identical ballots before building the rank matrix.

    A ballot's order of candidates (numbers 1..n, none 0) is one number in base n + 1, exact
    in float64 below 2**52; identical numbers are identical ballots. Only the distinct
    ballots are then spread into a matrix, usually far fewer rows than lines.
    """
    base = n_candidates + 1
    ballot = np.repeat(np.arange(len(lengths)), lengths)
    from_end = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(cand)) - 1
    powers = base ** np.arange(longest, dtype=np.int64)
    terms = (cand * powers[from_end]).astype(np.float64)
    keys = np.bincount(ballot, weights=terms, minlength=len(lengths)).astype(np.int64)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    first = np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))
    counts = np.add.reduceat(weights[order], first)
    keep = counts > 0
    distinct, counts = sorted_keys[first][keep], counts[keep]
    digits = np.empty((len(distinct), longest), dtype=np.int64)  # last preference first
    rest = distinct.copy()
    for j in range(longest):
        digits[:, j] = rest % base
        rest //= base
    length = (digits > 0).sum(axis=1)
    rows, js = np.nonzero(digits)
    ranks = np.zeros((len(distinct), n_candidates), dtype=np.int16)
    ranks[rows, digits[rows, js] - 1] = length[rows] - js
    if ((ranks > 0).sum(axis=1) != length).any():  # a candidate ranked twice
        return None
    return ranks, counts.astype(np.int64), True


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
