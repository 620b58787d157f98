"""The validation report of a whole member list, and its stable JSON shape.

JSON shape (version 1, kept stable for scripts and the web layer):
``{"rows": int, "valid": int, "invalid": int, "ignored_columns": [str],
"defects": [{"row", "field", "code", "message", "value"}]}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kenes.core.roster.checks import Defect, check_rows
from kenes.core.roster.limits import DEFAULT_LIMITS, ReadLimits
from kenes.core.roster.reader import Source, read_table
from kenes.core.rules import load_jurisdiction


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Counts of checked rows and every defect found, in row order."""

    rows: int
    valid: int
    invalid: int
    defects: list[Defect] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (see the module docstring for the shape)."""
        return {
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "ignored_columns": list(self.ignored_columns),
            "defects": [
                {
                    "row": defect.row,
                    "field": defect.field,
                    "code": defect.code,
                    "message": defect.message,
                    "value": defect.value,
                }
                for defect in self.defects
            ],
        }


def check_file(
    source: Source,
    *,
    filename: str | None = None,
    rule_id: str | None = None,
    reference_date: date | None = None,
    jurisdiction: str = "kz",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> CheckReport:
    """Read a member list and check every row against a registration rule.

    `rule_id` None means the newest rule; `reference_date` None means today
    (ages are computed on it). Raises UnreadableFile for files that are not
    member lists, UnknownRules for an unknown rule id. `progress`, if given, is
    called with the number of rows checked so far every `progress_every` rows.
    """
    rules = load_jurisdiction(jurisdiction)
    rule = rules.registration_rule(rule_id)
    day = reference_date or date.today()
    rows = valid = 0
    defects: list[Defect] = []
    with read_table(source, filename=filename, limits=limits) as table:
        for checked in check_rows(table, jurisdiction=rules, rule=rule, reference_date=day):
            rows += 1
            if checked.defects:
                defects.extend(checked.defects)
            else:
                valid += 1
            if progress is not None and rows % progress_every == 0:
                progress(rows)
        ignored = table.ignored_columns
    return CheckReport(
        rows=rows, valid=valid, invalid=rows - valid, defects=defects, ignored_columns=ignored
    )
