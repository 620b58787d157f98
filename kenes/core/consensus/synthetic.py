"""Conversations with planted opinion groups, for tests, benchmarks and the demo movement.

Each planted group holds a stance on every statement (agree or disagree): groups sit
evenly on a circle in a two-dimensional opinion space and agree with a statement
pointing within 90 degrees of them, so no two groups hold the same stances and no
statement outside the common ground has all groups agreeing. A share of statements
(`common_ground`) are common ground on which all groups agree. Every participant votes
on `votes // participants` statements chosen uniformly at random (the remainder goes
to the first participants), following the group's stance except that a vote is a pass
with probability `pass_rate` and the opposite of the stance with probability `noise`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kenes.core.consensus.matrix import Statement, VoteMatrix

#: Participants whose random choices are drawn at once; bounds the memory of sampling.
CHUNK = 4096


@dataclass(frozen=True)
class PlantedConversation:
    """The votes, each participant's planted group, each group's stance, the common ground."""

    matrix: VoteMatrix
    groups: NDArray[np.int64]
    stances: NDArray[np.int8]
    common_ground: NDArray[np.int64]


def planted_conversation(
    participants: int,
    statements: int,
    votes: int,
    groups: int = 2,
    *,
    seed: int = 0,
    common_ground: float = 0.1,
    noise: float = 0.1,
    pass_rate: float = 0.1,
    group_shares: tuple[float, ...] | None = None,
) -> PlantedConversation:
    """A random conversation with `groups` planted opinion groups (see the module docstring)."""
    rng = np.random.default_rng(seed)
    if votes > participants * statements:
        raise ValueError("More votes than participant × statement cells.")
    shares = np.asarray(group_shares or [1.0 / groups] * groups, dtype=np.float64)
    planted = np.repeat(
        np.arange(groups), np.floor(shares / shares.sum() * participants).astype(np.int64)
    )
    planted = np.concatenate(
        [planted, np.arange(participants - planted.size, dtype=np.int64) % groups]
    )
    rng.shuffle(planted)
    # Groups sit evenly on a circle of opinion; a statement points in a random direction,
    # and a group agrees with it when the angle between them is under 90 degrees.
    group_angle = 2 * np.pi * np.arange(groups) / groups
    statement_angle = rng.uniform(0, 2 * np.pi, statements)
    cosine = np.cos(group_angle[:, None] - statement_angle[None, :])
    stances = np.where(cosine >= 0, 1, -1).astype(np.int8)
    common = np.flatnonzero(rng.random(statements) < common_ground).astype(np.int64)
    stances[:, common] = 1

    per_participant = np.full(participants, votes // participants, dtype=np.int64)
    per_participant[: votes % participants] += 1
    rows = np.repeat(np.arange(participants, dtype=np.int64), per_participant)
    cols = np.empty(votes, dtype=np.int64)
    written = 0
    for start in range(0, participants, CHUNK):
        stop = min(start + CHUNK, participants)
        k_max = int(per_participant[start:stop].max())
        keys = rng.random((stop - start, statements))
        chosen = np.argpartition(keys, k_max - 1, axis=1)[:, :k_max] if k_max else keys[:, :0]
        take = np.arange(k_max)[None, :] < per_participant[start:stop, None]
        block = chosen[take]
        cols[written : written + block.size] = block
        written += block.size
    stance = stances[planted[rows], cols].astype(np.int64)
    draw = rng.random(votes)
    vote = np.where(draw < pass_rate, 0, np.where(draw < pass_rate + noise, -stance, stance))
    matrix = VoteMatrix.build(
        [str(i) for i in range(participants)],
        [Statement(str(j), f"Statement {j}", 1) for j in range(statements)],
        rows,
        cols,
        vote,
    )
    return PlantedConversation(matrix, planted.astype(np.int64), stances, common)
