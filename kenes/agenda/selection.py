"""Which statement a participant sees next: a documented, deterministic rule.

Pol.is-like priority (compdemocracy/polis, `math/src/polismath/math/conversation.clj`,
"comment priorities": new and divisive comments are shown more often):

1. Statements with fewer than `FEW_VOTES` votes come first, fewest votes first, so that a
   new statement (a member's, just approved) gets enough votes to be analysed at all.
2. Then the rest, most divisive first: `divergence` is the spread between opinion groups
   of the latest stored analysis (`analysis["divergence"]`, see kenes/agenda/analysis.py);
   statements the analysis has not seen yet count as 0.
3. Ties are broken at random, but reproducibly: by a hash of (consultation seed,
   participant key, statement id). Each participant gets their own order, so equal
   statements are spread evenly over participants; the same participant reloading the
   page sees the same statement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

FEW_VOTES = 7
"""Pol.is clusters a participant from 7 votes; a statement below that is "new"."""


def tie_break(seed: int, participant_key: str, statement_id: int) -> int:
    digest = hashlib.sha256(f"{seed}:{participant_key}:{statement_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def priority(
    statement_id: int,
    votes: int,
    divergence: float,
    *,
    seed: int,
    participant_key: str,
) -> tuple[int, int, float, int]:
    """Sort key: smaller is shown first (see the module docstring)."""
    random = tie_break(seed, participant_key, statement_id)
    if votes < FEW_VOTES:
        return (0, votes, -divergence, random)
    return (1, 0, -divergence, random)


def next_statement(
    candidates: Iterable[int],
    votes: Mapping[int, int],
    divergence: Mapping[int, float],
    *,
    seed: int,
    participant_key: str,
) -> int | None:
    """The statement to show next among `candidates` (those the participant has not voted on)."""
    ranked = sorted(
        candidates,
        key=lambda s: priority(
            s,
            votes.get(s, 0),
            float(divergence.get(s, 0.0)),
            seed=seed,
            participant_key=participant_key,
        ),
    )
    return ranked[0] if ranked else None
