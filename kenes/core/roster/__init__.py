"""Member lists as they arrive (messy CSV/XLSX in ru/kk/en): reading and checking rows."""

from kenes.core.roster.cells import Cell, Status
from kenes.core.roster.checks import (
    DEFECT_CODES,
    IMPLAUSIBLE_AGE,
    CheckedRow,
    Defect,
    MemberRow,
    check_rows,
)
from kenes.core.roster.limits import DEFAULT_LIMITS, ReadLimits
from kenes.core.roster.reader import MemberTable, Source, TableRow, UnreadableFile, read_table
from kenes.core.roster.report import CheckReport, check_file

__all__ = [
    "DEFAULT_LIMITS",
    "DEFECT_CODES",
    "IMPLAUSIBLE_AGE",
    "Cell",
    "CheckReport",
    "CheckedRow",
    "Defect",
    "MemberRow",
    "MemberTable",
    "ReadLimits",
    "Source",
    "Status",
    "TableRow",
    "UnreadableFile",
    "check_file",
    "check_rows",
    "read_table",
]
