"""The fast path for large Pol.is `votes.csv` files: numpy's C parser instead of `csv`.

Pol.is ids and votes are integers, so a well-formed file parses as four numeric
columns (timestamp, comment-id, voter-id, vote). Any surprise — a non-numeric cell,
an unknown comment, a vote outside −1/0/+1 — returns None, and the careful reader in
`polis_files` re-reads the file row by row to say which line is wrong. Both paths give
the same matrix (tests/core/consensus/test_polis_files.py).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from kenes.core.consensus.matrix import Statement, VoteMatrix

REQUIRED = ("comment-id", "voter-id", "vote")


def read_votes_fast(path: Path, statements: list[Statement]) -> VoteMatrix | None:
    """The vote matrix of a well-formed numeric `votes.csv`, or None to use the careful reader."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except OSError:
        return None
    if any(name not in header for name in REQUIRED):
        return None
    if not all(s.id.lstrip("-").isdigit() for s in statements):
        return None
    names = (*REQUIRED, "timestamp") if "timestamp" in header else REQUIRED
    try:
        table = np.loadtxt(
            path,
            delimiter=",",
            skiprows=1,
            usecols=[header.index(name) for name in names],
            dtype=np.float64,
            encoding="utf-8-sig",
            quotechar='"',
            ndmin=2,
        )
    except ValueError:
        return None
    if table.shape[0] == 0 or not np.all(np.isfinite(table)):
        return None
    comments, voters, votes = table[:, 0], table[:, 1], table[:, 2]
    if np.any(table[:, :3] != np.round(table[:, :3])) or not np.isin(votes, (-1, 0, 1)).all():
        return None
    statement_ids = np.array([int(s.id) for s in statements], dtype=np.int64)
    order = np.argsort(statement_ids, kind="stable")
    comment_ids = comments.astype(np.int64)
    position = np.searchsorted(statement_ids[order], comment_ids)
    position = np.minimum(position, statement_ids.size - 1)
    if not np.array_equal(statement_ids[order][position], comment_ids):
        return None
    voter_ids, voter_rows = np.unique(voters.astype(np.int64), return_inverse=True)
    stamps = table[:, 3] if len(names) == 4 else np.zeros(table.shape[0])
    # By time, then file order: the latest vote comes last and wins in VoteMatrix.build.
    chronological = np.lexsort((np.arange(table.shape[0]), stamps))
    return VoteMatrix.build(
        [str(v) for v in voter_ids.tolist()],
        statements,
        voter_rows[chronological],
        order[position][chronological],
        votes.astype(np.int64)[chronological],
    )
