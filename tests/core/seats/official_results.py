"""Official results from ../shared/data/apportionment (real elections with their official seats)."""

from __future__ import annotations

import ast
import csv
import re
from dataclasses import dataclass

from tests.shared_data import SHARED_DATA

DATA = SHARED_DATA / "apportionment"


@dataclass(frozen=True)
class OfficialResult:
    name: str
    year: int
    votes: dict[str, int]
    seats: dict[str, int]
    against_all: int = 0


def kazakh_results() -> list[OfficialResult]:
    with (DATA / "kazakhstan-majilis" / "majilis.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    years = sorted({int(r["election"]) for r in rows})
    return [
        OfficialResult(
            name=f"kz-majilis-{year}",
            year=year,
            votes={r["party"]: int(r["votes"]) for r in rows if int(r["election"]) == year},
            seats={
                r["party"]: int(r["official_seats"]) for r in rows if int(r["election"]) == year
            },
        )
        for year in years
    ]


def _official_seats(header: str) -> dict[str, int]:
    # "{SPÖ: 65, ÖVP: 52}" -> quote the names to read it as a dict
    quoted = re.sub(r"([{,]\s*)([^:{},]+?)\s*:", r'\1"\2":', header)
    return {str(k): int(v) for k, v in ast.literal_eval(quoted).items()}


def austrian_results() -> list[OfficialResult]:
    results = []
    for path in sorted((DATA / "austria-nationalrat").glob("*.cat")):
        names: dict[int, str] = {}
        votes: dict[str, int] = {}
        seats: dict[str, int] = {}
        year = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# TITLE:"):
                year = int(line.rsplit(" ", 1)[1])
            elif line.startswith("# OFFICIAL RESULTS:"):
                seats = _official_seats(line.split(":", 1)[1].strip())
            elif line.startswith("# ALTERNATIVE NAME"):
                number, name = line[len("# ALTERNATIVE NAME ") :].split(":", 1)
                names[int(number)] = name.strip()
            elif line and not line.startswith("#"):
                count, ranking = line.split(":", 1)
                party = names[int(ranking.strip().split(",", 1)[0])]
                votes[party] = int(count)
        # the ballot order of the file is the tie order; keep the numbering of alternatives
        ordered = {names[i]: votes.get(names[i], 0) for i in sorted(names)}
        results.append(OfficialResult(f"at-nationalrat-{year}", year, ordered, seats))
    return results
