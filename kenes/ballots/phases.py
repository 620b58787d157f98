"""Phases of an election or motion, and what may happen in each, declared as data.

draft → open → closed → published. Nothing goes back: a published result is final.
"""

from __future__ import annotations

DRAFT = "draft"
OPEN = "open"
CLOSED = "closed"
PUBLISHED = "published"

PHASES = (DRAFT, OPEN, CLOSED, PUBLISHED)

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({OPEN}),
    OPEN: frozenset({CLOSED}),
    CLOSED: frozenset({PUBLISHED}),
    PUBLISHED: frozenset(),
}

# What may be done in each phase (checked by services.check_action).
ACTIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({"edit", "add_candidate"}),
    OPEN: frozenset({"cast", "enter_paper"}),
    CLOSED: frozenset({"enter_paper", "tally"}),
    PUBLISHED: frozenset({"download"}),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def allows(phase: str, action: str) -> bool:
    return action in ACTIONS.get(phase, frozenset())
