"""Readers for Pol.is export folders (compdemocracy/openData layout).

A folder holds `comments.csv` (the statements) and either `votes.csv` (one row per
vote event; a voter's latest vote on a comment counts) or `participants-votes.csv`
(one row per participant, one column per comment). Formats as documented in the
openData README; Pol.is writes agree as +1 in exports (`math/src/polismath/darwin/export.clj`).
Every error names the file and the line to fix.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from kenes.core.consensus.fast_votes import read_votes_fast
from kenes.core.consensus.matrix import (
    UNMODERATED,
    ConsensusInputError,
    Statement,
    VoteMatrix,
)

COMMENTS = "comments.csv"
VOTES = "votes.csv"
PARTICIPANTS_VOTES = "participants-votes.csv"
#: The fixed leading columns of participants-votes.csv; every later column is a comment id.
PARTICIPANT_COLUMNS = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a CSV file that has the required columns."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ConsensusInputError(f"{path}: cannot be opened ({error.strerror}).") from error
    with handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required if name not in (reader.fieldnames or [])]
        if missing:
            raise ConsensusInputError(
                f"{path}, line 1: the header lacks the column(s) {', '.join(missing)}."
            )
        for row in reader:
            yield reader.line_num, row


def _integer(path: Path, line: int, column: str, text: str) -> int:
    try:
        return int(float(text))
    except ValueError:
        raise ConsensusInputError(
            f"{path}, line {line}: column {column} should be a number, not {text!r}."
        ) from None


def _vote(path: Path, line: int, column: str, text: str) -> int:
    vote = _integer(path, line, column, text)
    if vote not in (1, -1, 0):
        raise ConsensusInputError(
            f"{path}, line {line}: column {column} is {text!r}; a vote must be "
            "1 (agree), -1 (disagree) or 0 (pass)."
        )
    return vote


def _id_order(ids: list[str]) -> list[str]:
    """Numeric ids in numeric order (Pol.is ids are integers), other ids as given."""
    if all(i.lstrip("-").isdigit() for i in ids):
        return sorted(ids, key=int)
    return ids


def read_comments(path: Path) -> list[Statement]:
    """The statements of `comments.csv`, with text and moderation state, ordered by id."""
    statements: dict[str, Statement] = {}
    for line, row in _rows(path, ("comment-id", "comment-body")):
        comment = row["comment-id"].strip()
        if not comment:
            raise ConsensusInputError(f"{path}, line {line}: the comment-id is empty.")
        if comment in statements:
            raise ConsensusInputError(f"{path}, line {line}: comment {comment} appears twice.")
        moderated_text = (row.get("moderated") or "").strip()
        moderated = (
            _integer(path, line, "moderated", moderated_text) if moderated_text else UNMODERATED
        )
        statements[comment] = Statement(comment, row["comment-body"].strip(), moderated)
    return [statements[i] for i in _id_order(list(statements))]


def read_votes(path: Path, statements: list[Statement]) -> VoteMatrix:
    """`votes.csv`: vote events; a voter's latest (by timestamp) vote on a comment counts.

    Well-formed numeric files take numpy's fast path; anything else is read row by row.
    """
    fast = read_votes_fast(path, statements)
    if fast is not None:
        return fast
    return read_votes_checked(path, statements)


def read_votes_checked(path: Path, statements: list[Statement]) -> VoteMatrix:
    """`votes.csv` row by row, naming the first line that cannot be read."""
    known = {s.id for s in statements}
    events: list[tuple[float, int, str, str, int]] = []
    for line, row in _rows(path, ("comment-id", "voter-id", "vote")):
        comment = row["comment-id"].strip()
        if comment not in known:
            raise ConsensusInputError(
                f"{path}, line {line}: comment {comment} is not in {COMMENTS}."
            )
        stamp_text = (row.get("timestamp") or "").strip()
        try:
            stamp = float(stamp_text) if stamp_text else 0.0
        except ValueError:
            raise ConsensusInputError(
                f"{path}, line {line}: the timestamp {stamp_text!r} is not a number."
            ) from None
        voter = row["voter-id"].strip()
        if not voter:
            raise ConsensusInputError(f"{path}, line {line}: the voter-id is empty.")
        events.append((stamp, line, voter, comment, _vote(path, line, "vote", row["vote"])))
    events.sort()  # by time, then file order: the latest vote comes last and wins
    voters = _id_order(sorted({e[2] for e in events}, key=lambda v: (len(v), v)))
    voter_index = {v: i for i, v in enumerate(voters)}
    statement_index = {s.id: j for j, s in enumerate(statements)}
    return VoteMatrix.build(
        voters,
        statements,
        np.array([voter_index[e[2]] for e in events], dtype=np.int64),
        np.array([statement_index[e[3]] for e in events], dtype=np.int64),
        np.array([e[4] for e in events], dtype=np.int64),
    )


def read_participants_votes(path: Path, statements: list[Statement] | None) -> VoteMatrix:
    """`participants-votes.csv`: one row per participant, a column per comment id."""
    rows: list[int] = []
    cols: list[int] = []
    values: list[int] = []
    participants: list[str] = []
    columns: list[str] = []
    for line, row in _rows(path, ("participant",)):
        if not columns:
            columns = [c for c in row if c not in PARTICIPANT_COLUMNS]
            if statements is None:
                statements = [Statement(c) for c in _id_order(list(columns))]
            statement_index = {s.id: j for j, s in enumerate(statements)}
            unknown = [c for c in columns if c not in statement_index]
            if unknown:
                raise ConsensusInputError(
                    f"{path}, line 1: comment column(s) {', '.join(unknown[:5])} "
                    f"are not in {COMMENTS}."
                )
        participant = (row["participant"] or "").strip()
        if not participant:
            raise ConsensusInputError(f"{path}, line {line}: the participant id is empty.")
        index = len(participants)
        participants.append(participant)
        for column in columns:
            text = (row[column] or "").strip()
            if text:
                rows.append(index)
                cols.append(statement_index[column])
                values.append(_vote(path, line, f"'{column}'", text))
    if statements is None:
        raise ConsensusInputError(f"{path}: the file has no participants.")
    if len(set(participants)) != len(participants):
        raise ConsensusInputError(f"{path}: a participant id appears on two lines.")
    return VoteMatrix.build(
        participants,
        statements,
        np.array(rows, dtype=np.int64),
        np.array(cols, dtype=np.int64),
        np.array(values, dtype=np.int64),
    )


def read_polis_export(folder: str | Path) -> VoteMatrix:
    """Read a Pol.is export folder: `votes.csv` if present, else `participants-votes.csv`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConsensusInputError(f"{folder}: not a folder; give a Pol.is export folder.")
    comments_path = folder / COMMENTS
    statements = read_comments(comments_path) if comments_path.exists() else None
    if (folder / VOTES).exists():
        if statements is None:
            raise ConsensusInputError(f"{folder}: {VOTES} needs {COMMENTS} beside it.")
        return read_votes(folder / VOTES, statements)
    if (folder / PARTICIPANTS_VOTES).exists():
        return read_participants_votes(folder / PARTICIPANTS_VOTES, statements)
    raise ConsensusInputError(
        f"{folder}: found neither {VOTES} (with {COMMENTS}) nor {PARTICIPANTS_VOTES}."
    )


def read_published_groups(path: str | Path) -> dict[str, str]:
    """The opinion group Pol.is gave each participant (`group-id` of participants-votes.csv).

    Participants outside the clustering (an empty group-id) are left out.
    """
    path = Path(path)
    groups: dict[str, str] = {}
    for _, row in _rows(path, ("participant", "group-id")):
        group = (row["group-id"] or "").strip()
        if group:
            groups[row["participant"].strip()] = group
    return groups
