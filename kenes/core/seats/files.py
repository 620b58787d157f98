"""The file formats of `kenes seats` and `kenes project`: VOTES.csv, POLLS.csv, alliances.

VOTES.csv: ``party,votes`` (integers; rows in registration order, which settles ties).
POLLS.csv: ``party,share[,sample_size][,margin][,poll]`` with share and margin in percent;
rows of the same party from several polls are pooled.
Alliance: ``"A+B"``, each partner with an optional retention, ``"A+B:0.8"`` or ``"A:0.95+B:0.8"``.
"""

from __future__ import annotations

import csv
import io

from kenes.core.seats.polls import AGAINST_ALL_NAMES, PollError, PollFigure
from kenes.core.seats.projection import Alliance


class FileFormatError(ValueError):
    """A CSV or alliance text that does not follow the documented format."""


def _rows(text: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [column for column in required if column not in header]
    if missing:
        raise FileFormatError(
            f"The file needs the columns {', '.join(required)}; missing: {', '.join(missing)}."
        )
    rows = []
    for raw in reader:
        row = {
            (k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None
        }
        if any(row.values()):
            rows.append(row)
    if not rows:
        raise FileFormatError("The file has no data rows.")
    return rows


def read_votes_csv(text: str) -> tuple[dict[str, int], int]:
    """Votes per list in file order, and "against all" votes if the file has such a row."""
    votes: dict[str, int] = {}
    against_all = 0
    for line, row in enumerate(_rows(text, ("party", "votes")), start=2):
        party = row["party"]
        try:
            count = int(row["votes"].replace(" ", "").replace(",", "").replace("_", ""))
        except ValueError:
            raise FileFormatError(f"Line {line}: {row['votes']!r} is not a whole number.") from None
        if count < 0:
            raise FileFormatError(f"Line {line}: a vote count cannot be negative.")
        if not party:
            raise FileFormatError(f"Line {line}: the party name is empty.")
        if party.lower() in AGAINST_ALL_NAMES:
            against_all += count
        elif party in votes:
            raise FileFormatError(f"Line {line}: {party!r} appears twice.")
        else:
            votes[party] = count
    return votes, against_all


def _number(text: str, line: int, what: str) -> float:
    try:
        return float(text.replace(",", ".").rstrip("%"))
    except ValueError:
        raise FileFormatError(f"Line {line}: {what} {text!r} is not a number.") from None


def read_polls_csv(text: str, default_sample_size: int | None = None) -> list[PollFigure]:
    """Poll figures (shares as fractions 0-1) from POLLS.csv."""
    figures = []
    for line, row in enumerate(_rows(text, ("party", "share")), start=2):
        share = _number(row["share"], line, "the share") / 100.0
        size_text = row.get("sample_size", "")
        margin_text = row.get("margin", "")
        sample_size = int(_number(size_text, line, "the sample size")) if size_text else None
        margin = _number(margin_text, line, "the margin") / 100.0 if margin_text else None
        if sample_size is None and margin is None:
            sample_size = default_sample_size
        if sample_size is None and margin is None:
            raise PollError(
                f"Line {line}: give a sample_size or margin column, or --sample-size for all rows."
            )
        figures.append(PollFigure(row["party"], share, sample_size, margin))
    return figures


def parse_alliance(text: str) -> Alliance:
    """``"A+B:0.8"`` -> Alliance(A keeps all its voters, 80 % of B's follow)."""
    members = []
    for part in text.split("+"):
        name, _, retention_text = part.strip().rpartition(":")
        if not name:
            name, retention_text = retention_text, "1"
        try:
            retention = float(retention_text)
        except ValueError:
            raise FileFormatError(
                f"Alliance {text!r}: {retention_text!r} is not a retention rate (0-1)."
            ) from None
        members.append((name.strip(), retention))
    if len(members) < 2:
        raise FileFormatError(f'Alliance {text!r}: join two or more parties with "+".')
    return Alliance(tuple(members))
