"""Checks that other apps add to `kenes audit verify`.

The audit chain proves that its own entries are unchanged; some entries record the state of
something kept elsewhere (the head of a published ballot box). An app registers a check here
(in its AppConfig.ready) that compares that state with what the chain recorded, so one
command says whether anything recorded has changed since. The audit app imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    checked: int
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "problems": list(self.problems)}


_checks: dict[str, Callable[[], CheckResult]] = {}


def register(name: str, check: Callable[[], CheckResult]) -> None:
    _checks[name] = check


def run_all() -> dict[str, CheckResult]:
    return {name: check() for name, check in sorted(_checks.items())}
