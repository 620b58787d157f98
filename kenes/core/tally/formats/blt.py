r"""The BLT ballot format (ERS / OpenSTV / Hill's ``.blt``), as count software writes it.

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

Everything up to and including the title is read strictly. Text after the title is not part
of the election: the files of the STV validation sets (the ERBS / Wichmann test set, in the
layout of Hill & Wichmann's test data) put a quoted source string, a quoted comment and
lines of free text there. It is ignored, and the profile's ``notes`` say which lines were
ignored and how they began, so that a count never silently drops something it should read.

Strings: count programs write a name or title between straight double quotes, one per line,
with nothing escaped (OpenSTV's and OpaVote's writers); their readers take ``"[^"]+"`` and
a ``#`` comment after it, so a ``"`` inside a name cannot be written for them at all. Kenes
writes what their readers read whenever the text allows it, and otherwise escapes as shell
and C strings do: ``\"`` for a quote, ``\\`` for a backslash that would otherwise start an
escape, ``\n`` and ``\r``, and ``\uXXXX`` for any other character that ends a line or cannot
be seen (C0 and C1 controls but the tab, U+2028, U+2029); the reader also takes ``\t``.
A backslash before any other character is kept as it is (a Windows path in an old file
still reads as written).
"""

from __future__ import annotations

import re
from dataclasses import replace

from kenes.core.tally.errors import BallotFileError
from kenes.core.tally.formats.blt_lines import read_ballot_lines
from kenes.core.tally.profile import Profile, build_profile, merge

_ID_PREFIX = re.compile(r"^\(\S*\)\s*")


_HEADER = re.compile(rb"\A[ \t]*(\d+)[ \t]+(\d+)[ \t]*\r?\n")
_WITHDRAWN = re.compile(rb"[ \t]*(-\d+(?:[ \t]+-\d+)*)[ \t]*\r?\n")
_END_OF_BALLOTS = re.compile(rb"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"


def _end_of_ballots(data: bytes, start: int) -> tuple[int, int] | None:
    """Where the line holding only 0 starts and ends (before its newline), from `start`.

    Searched from the end, just before the candidate names: an earlier line holding 0 is
    then among the ballot lines, where the fast reader refuses it (a line of one number)
    and the line-by-line reader stops at it. The regular expression handles spaces
    around the 0 and a 0 on the very first ballot line.
    """
    crlf = data[start - 2 : start] == b"\r\n"
    for line in (b"\n0\r\n", b"\n0\n") if crlf else (b"\n0\n", b"\n0\r\n"):
        i = data.rfind(line, start - 1)
        if i >= 0:
            return i + 1, i + len(line) - 1
    match = _END_OF_BALLOTS.search(data, start)
    return (match.start(), match.end()) if match else None


def read_blt(raw: bytes) -> Profile | None:
    """A BLT file as read from disk; None if it is not plain (then decode it and `parse_blt`).

    The fast path of `parse_blt` without decoding the ballot lines to text first; a file
    it does not take (or whose names are not UTF-8) goes the usual way, which names the
    line of any error.
    """
    return _parse_plain(raw[len(_BOM) :] if raw.startswith(_BOM) else raw)


def parse_blt(text: str) -> Profile:
    """Parse BLT text into a profile; raise BallotFileError naming the first bad line.

    Large files of plain ballot lines (digits only, as count software writes them) are read
    without splitting the text into lines; anything else goes line by line, so that an
    error can name its line.
    """
    fast = _parse_plain(text.encode("utf-8", "surrogatepass"))
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
    joined = "\n".join(["", *section, "", ""]).encode("utf-8", "surrogatepass")
    ranks_counts = read_ballot_lines(joined, 1, len(joined) - 1, n_candidates)
    ballots: list[tuple[int, list[list[int]]]] = []
    if ranks_counts is None:
        for offset, raw in enumerate(section):
            line = raw.strip()
            if line and not line.startswith("#"):
                lineno = first_ballot + offset + 1
                ballots.append(_ballot(lineno, _ID_PREFIX.sub("", line), n_candidates))
    names, parties, title, after = _names_and_title(lines, pos + 1, n_candidates)
    notes = _note_on_text_after_title(after)
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
                notes=notes,
            )
        )
    built = build_profile(
        names, ballots, withdrawn=withdrawn, parties=party_names, title=title, seats=seats
    )
    return replace(built, notes=notes) if notes else built


def _names_and_title(
    lines: list[str], pos: int, n_candidates: int, first_line: int = 0
) -> tuple[list[str], list[str], str, list[tuple[int, str]]]:
    """The candidate lines, the title and the lines after the title (ignored), each as
    (line in the file, text); `first_line` is the file line of `lines[0]` - 1."""
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
        text = lines[pos].strip()
        if any(mark in text for mark in "\"'#"):
            strings = _quoted(first_line + pos + 1, text)
            if len(strings) > 1:
                raise BallotFileError(
                    first_line + pos + 1, 'the title is one string: "Title" on a line of its own'
                )
            title = strings[0] if strings else ""
        else:  # an unquoted title is the whole line
            title = text
        pos += 1
    if len(set(names)) != len(names):
        raise BallotFileError(first_line + pos, "two candidates have the same name")
    after = [(first_line + k + 1, lines[k].strip()) for k in range(pos, len(lines))]
    return names, parties, title, [(number, text) for number, text in after if text]


def _note_on_text_after_title(after: list[tuple[int, str]], shift: int = 0) -> tuple[str, ...]:
    """The profile's note on the ignored lines after the title; () when there are none.

    `shift` is added to the line numbers (the fast path counts the lines before the names
    only when it must)."""
    if not after:
        return ()
    first, last = after[0][0] + shift, after[-1][0] + shift
    shown = [text if len(text) <= 60 else text[:57] + "..." for _, text in after[:3]]
    more = f" and {len(after) - 3} more" if len(after) > 3 else ""
    where = f"line {first}" if first == last else f"lines {first}-{last}"
    return (
        f"ignored {len(after)} line(s) of text after the title ({where}; the STV validation "
        f"sets put a source, a comment and notes there): {' | '.join(shown)}{more}",
    )


def _parse_plain(data: bytes) -> Profile | None:
    """The fast path: header, optional withdrawn line, plain ballot lines; else None."""
    header = _HEADER.match(data)
    if header is None:
        return None
    n_candidates, seats = int(header.group(1)), int(header.group(2))
    if n_candidates < 1 or seats < 1:
        return None
    start = header.end()
    withdrawn: set[int] = set()
    marked = _WITHDRAWN.match(data, start)
    if marked is not None:
        for token in marked.group(1).split():
            if not 1 <= -int(token) <= n_candidates:
                return None
            withdrawn.add(-int(token) - 1)
        start = marked.end()
    end = _end_of_ballots(data, start)
    if end is None:
        return None
    ranks_counts = read_ballot_lines(data, start, end[0], n_candidates)
    if ranks_counts is None:
        return None
    try:
        tail = data[end[1] :].decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None  # the usual way names the line
    tail_start = 1 if tail and not tail[0].strip() else 0  # the rest of the "0" line
    try:
        names, parties, title, after = _names_and_title(tail[tail_start:], 0, n_candidates)
    except BallotFileError as exc:
        raise BallotFileError(_line_of(data, end[0], tail_start) + exc.line, exc.message) from None
    notes = _note_on_text_after_title(after, _line_of(data, end[0], tail_start) if after else 0)
    ranks, counts, merged = ranks_counts
    read = Profile(
        candidates=tuple(names),
        ranks=ranks,
        counts=counts,
        withdrawn=frozenset(withdrawn),
        parties=tuple(parties) if any(parties) else (),
        title=title,
        seats=seats,
        notes=notes,
    )
    return read if merged else merge(read)


def _line_of(data: bytes, end: int, tail_start: int) -> int:
    """The file line just before the names: the lines of `data[:end]` (counted only when an
    error or a note must name a line) plus the rest of the "0" line."""
    head = data[:end]  # a CR alone ends a line too, as for str.splitlines
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + tail_start


def _skip_blank(lines: list[str], pos: int) -> int:
    while pos < len(lines) and (not lines[pos].strip() or lines[pos].lstrip().startswith("#")):
        pos += 1
    return pos


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


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


def _quoted(lineno: int, line: str) -> list[str]:
    """The strings of a name or title line: ``"double quoted"`` (with the escapes of the
    module docstring), ``'single quoted'`` (as written) or bare words; ``#`` outside quotes
    starts a comment. Adjacent parts without a space between them make one string."""
    strings: list[str] = []
    word: list[str] | None = None
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        if char.isspace():
            if word is not None:
                strings.append("".join(word))
                word = None
            i += 1
        elif char == "#" and word is None:
            break
        elif char == '"':
            word = word or []
            i = _double_quoted(lineno, line, i + 1, word)
        elif char == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise BallotFileError(lineno, "unbalanced quotes (no closing ')")
            word = (word or []) + [line[i + 1 : end]]
            i = end + 1
        else:
            word = (word or []) + [char]
            i += 1
    if word is not None:
        strings.append("".join(word))
    return strings


def _double_quoted(lineno: int, line: str, i: int, out: list[str]) -> int:
    """Read a double-quoted string from just after its opening quote into `out`; return the
    position after its closing quote."""
    n = len(line)
    while i < n:
        char = line[i]
        if char == '"':
            return i + 1
        if char == "\\" and i + 1 < n:
            following = line[i + 1]
            if following in _ESCAPES:
                out.append(_ESCAPES[following])
                i += 2
                continue
            if following == "u" and _HEX4.fullmatch(line, i + 2, i + 6):
                out.append(chr(int(line[i + 2 : i + 6], 16)))
                i += 6
                continue
        out.append(char)
        i += 1
    raise BallotFileError(lineno, 'unbalanced quotes (no closing ")')


def _needs_escape(char: str) -> bool:
    """Characters that end a line for `str.splitlines` or cannot be seen (a tab can)."""
    code = ord(char)
    return (code < 0x20 and char != "\t") or 0x7F <= code < 0xA0 or code in (0x2028, 0x2029)


def blt_string(text: str) -> str:
    """`text` as a BLT string: between double quotes, escaped only where it must be (a
    backslash only where the reader would take it as the start of an escape)."""
    parts = [_BLT_ESCAPE.get(char) or _hidden(char) for char in text]
    for k in range(len(parts) - 1, -1, -1):
        if parts[k] == "\\":
            following = parts[k + 1][:1] if k + 1 < len(parts) else ""
            if not following or following in '"\\nrtu':
                parts[k] = "\\\\"
    return '"' + "".join(parts) + '"'


_BLT_ESCAPE = {'"': '\\"', "\n": "\\n", "\r": "\\r"}


def _hidden(char: str) -> str:
    return f"\\u{ord(char):04x}" if _needs_escape(char) else char


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
        out.append(f"{blt_string(name)} {blt_string(party)}" if party else blt_string(name))
    out.append(blt_string(profile.title))
    return "\r\n".join(out) + "\r\n"
