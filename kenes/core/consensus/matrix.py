"""The vote matrix: participants × statements, agree +1, disagree −1, pass 0, or missing.

Stored sparsely as three parallel arrays (row, column, vote), as Pol.is stores its
rating matrix (compdemocracy/polis, `math/src/polismath/math/named_matrix.clj`): a
conversation of 100,000 participants and 2,000 statements holds a few million votes,
far fewer than its 200 million cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

AGREE = 1
DISAGREE = -1
PASS = 0

#: Pol.is moderation states (comments.csv `moderated`): accepted, not yet moderated, moderated out.
MODERATED_IN = 1
UNMODERATED = 0
MODERATED_OUT = -1


class ConsensusInputError(ValueError):
    """Votes or statements that cannot be read; the message says where and what to fix."""


@dataclass(frozen=True)
class Statement:
    """One statement (a Pol.is comment): its id, text and moderation state."""

    id: str
    text: str = ""
    moderated: int = UNMODERATED


@dataclass(frozen=True)
class VoteMatrix:
    """A sparse participant × statement matrix of votes.

    `rows[i]`, `cols[i]`, `votes[i]` say that participant `participants[rows[i]]` voted
    `votes[i]` (+1, −1 or 0) on statement `statements[cols[i]]`; each (row, column) pair
    appears at most once. Use `VoteMatrix.build` rather than the constructor.
    """

    participants: tuple[str, ...]
    statements: tuple[Statement, ...]
    rows: NDArray[np.int32]
    cols: NDArray[np.int32]
    votes: NDArray[np.int8]

    @property
    def vote_count(self) -> int:
        return int(self.votes.shape[0])

    @classmethod
    def build(
        cls,
        participants: Sequence[str],
        statements: Sequence[Statement],
        rows: NDArray[np.integer],
        cols: NDArray[np.integer],
        votes: NDArray[np.integer],
    ) -> VoteMatrix:
        """Check the arrays and keep, for each participant × statement, the LAST vote given.

        Later entries replace earlier ones, as a participant who changes a vote in Pol.is
        replaces it (README of compdemocracy/openData: keep the latest vote).
        """
        rows_a = np.asarray(rows, dtype=np.int64)
        cols_a = np.asarray(cols, dtype=np.int64)
        votes_a = np.asarray(votes, dtype=np.int64)
        if not rows_a.shape == cols_a.shape == votes_a.shape or rows_a.ndim != 1:
            raise ConsensusInputError("rows, columns and votes must be 1-d arrays of one length.")
        n, m = len(participants), len(statements)
        if rows_a.size and (rows_a.min() < 0 or rows_a.max() >= n):
            raise ConsensusInputError(f"A vote names participant index outside 0..{n - 1}.")
        if cols_a.size and (cols_a.min() < 0 or cols_a.max() >= m):
            raise ConsensusInputError(f"A vote names statement index outside 0..{m - 1}.")
        bad = ~np.isin(votes_a, (AGREE, DISAGREE, PASS))
        if bad.any():
            where = int(np.flatnonzero(bad)[0])
            raise ConsensusInputError(
                f"Vote number {where + 1} is {int(votes_a[where])}; a vote must be "
                "1 (agree), -1 (disagree) or 0 (pass)."
            )
        if len(set(participants)) != n:
            raise ConsensusInputError("Two participants share one id; ids must be unique.")
        if len({s.id for s in statements}) != m:
            raise ConsensusInputError("Two statements share one id; ids must be unique.")
        cell = rows_a * max(m, 1) + cols_a
        # The last occurrence of each cell: unique over the reversed array finds it first.
        _, first_in_reversed = np.unique(cell[::-1], return_index=True)
        keep = np.sort(cell.size - 1 - first_in_reversed)
        return cls(
            participants=tuple(participants),
            statements=tuple(statements),
            rows=rows_a[keep].astype(np.int32),
            cols=cols_a[keep].astype(np.int32),
            votes=votes_a[keep].astype(np.int8),
        )

    @classmethod
    def from_votes(
        cls,
        votes: Iterable[tuple[str, str, int]],
        statements: Sequence[Statement] | None = None,
    ) -> VoteMatrix:
        """Build from (participant id, statement id, vote) triples, in the order given.

        Without `statements`, the statements are those voted on, in order of first vote.
        """
        participant_index: dict[str, int] = {}
        statement_list = list(statements) if statements is not None else []
        statement_index = {s.id: j for j, s in enumerate(statement_list)}
        rows: list[int] = []
        cols: list[int] = []
        values: list[int] = []
        for participant, statement, vote in votes:
            if statement not in statement_index:
                if statements is not None:
                    raise ConsensusInputError(
                        f"Participant {participant} voted on statement {statement}, "
                        "which is not among the statements."
                    )
                statement_index[statement] = len(statement_list)
                statement_list.append(Statement(id=statement))
            rows.append(participant_index.setdefault(participant, len(participant_index)))
            cols.append(statement_index[statement])
            values.append(vote)
        return cls.build(
            list(participant_index),
            statement_list,
            np.array(rows, dtype=np.int64),
            np.array(cols, dtype=np.int64),
            np.array(values, dtype=np.int64),
        )

    def to_dense(self) -> NDArray[np.float64]:
        """The matrix with NaN for missing votes (for small matrices and tests)."""
        dense = np.full((len(self.participants), len(self.statements)), np.nan)
        dense[self.rows, self.cols] = self.votes
        return dense
