"""Phases of a consultation, and what may happen in each, declared as data.

collect → vote → report → closed. Nothing goes back.

- collect: members add statements and vote on them;
- vote: members only vote (no new statements);
- report: the report is visible to participants; no more votes;
- closed: nothing.
"""

from __future__ import annotations

COLLECT = "collect"
VOTE = "vote"
REPORT = "report"
CLOSED = "closed"

PHASES = (COLLECT, VOTE, REPORT, CLOSED)

TRANSITIONS: dict[str, frozenset[str]] = {
    COLLECT: frozenset({VOTE, REPORT}),
    VOTE: frozenset({REPORT}),
    REPORT: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

# What participants may do in each phase (checked by services.check_action).
ACTIONS: dict[str, frozenset[str]] = {
    COLLECT: frozenset({"add_statement", "vote"}),
    VOTE: frozenset({"vote"}),
    REPORT: frozenset({"see_report"}),
    CLOSED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def allows(phase: str, action: str) -> bool:
    return action in ACTIONS.get(phase, frozenset())


def next_phase(current: str) -> str | None:
    """The phase a consultation goes to next in the ordinary course, if any."""
    later = PHASES[PHASES.index(current) + 1 :] if current in PHASES else ()
    return later[0] if later else None
