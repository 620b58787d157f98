"""Errors raised by the tally package: one sentence that says what is wrong and where."""

from __future__ import annotations


class BallotFileError(ValueError):
    """A ballot file that cannot be read; names the line (1-based) and what to fix.

    Parsing is all-or-nothing: when this is raised no profile has been built.
    """

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


class TallyError(ValueError):
    """A count that cannot be run as asked (e.g. more seats than candidates)."""
