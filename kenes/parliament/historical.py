"""Past elections replayed under another period's rules ("2021 under the 2023 rules").

Kenes ships the official Kazakh results as package data (kenes/parliament/data/
majilis-results.json, with SOURCE.txt copied from the shared data's SOURCE.md), so replays
need nothing outside the package. A replay allocates the official votes with a preset's
rules (kenes.core.seats.presets); under the rules of its own period it gives the official
seats, which the tests check.

A second way in: results the user types or uploads (CSV ``party,votes[,official_seats]``),
checked line by line (`read_results`) and replayed the same way (`own_result`); nothing is
stored. Without official seats, the "official" side is the result as counted under the rules
the election was held under.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from django.utils.translation import gettext as _

from kenes.core.seats import SeatRules, SeatRulesError, load_seat_rules, rules_for_election
from kenes.core.seats.methods import ApportionmentError
from kenes.core.seats.polls import AGAINST_ALL_NAMES

RESULT_COLUMNS = ("party", "votes", "official_seats")
MAX_LISTS = 100


class HistoricalError(Exception):
    """Refused typed-in results, with a sentence naming the line and what to do."""


@dataclass(frozen=True)
class PastElection:
    id: str
    jurisdiction: str
    year: int
    votes: dict[str, int]  # in the order of the data file, which settles ties
    official_seats: dict[str, int]
    against_all: int = 0

    @property
    def original_rules(self) -> SeatRules:
        return rules_for_election(self.jurisdiction, self.year)


@dataclass(frozen=True)
class OwnResult:
    """Results the user gave: "official" seats are theirs, or counted under `original_rules`."""

    votes: dict[str, int]  # in the order given, which settles ties
    official_seats: dict[str, int]
    against_all: int
    original_rules: SeatRules
    counted: bool  # True when no official seats were given
    counted_seats: dict[str, int]  # the same votes under `original_rules`, as Kenes models them

    @property
    def matches_rules(self) -> bool:
        """Do the given official seats agree with the held-under rules as Kenes models them?"""
        return self.counted_seats == self.official_seats


@dataclass(frozen=True)
class Replay:
    election: PastElection | OwnResult
    rules: SeatRules
    seats: dict[str, int]
    passed: tuple[str, ...]
    runner_up: str | None

    @property
    def differs(self) -> bool:
        return any(self.seats.get(p, 0) != n for p, n in self.election.official_seats.items())


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    text = (
        resources.files("kenes.parliament.data")
        .joinpath("majilis-results.json")
        .read_text(encoding="utf-8")
    )
    return dict(json.loads(text))


def sources() -> list[str]:
    return list(_data()["sources"])  # type: ignore[call-overload]


def past_elections() -> list[PastElection]:
    """Every shipped election, oldest first."""
    found = []
    for entry in _data()["elections"]:  # type: ignore[attr-defined]
        found.append(
            PastElection(
                id=entry["id"],
                jurisdiction=entry["jurisdiction"],
                year=int(entry["year"]),
                votes={row["party"]: int(row["votes"]) for row in entry["lists"]},
                official_seats={row["party"]: int(row["official_seats"]) for row in entry["lists"]},
            )
        )
    return sorted(found, key=lambda e: e.year)


def past_election(election_id: str) -> PastElection | None:
    return next((e for e in past_elections() if e.id == election_id), None)


def replay(election: PastElection, rules_id: str) -> Replay:
    """The official votes allocated under `rules_id` (raises SeatRulesError if unknown)."""
    rules = load_seat_rules(rules_id)
    allocation = rules.allocate(election.votes, against_all=election.against_all)
    return Replay(
        election=election,
        rules=rules,
        seats=dict(allocation.seats),
        passed=tuple(allocation.passed),
        runner_up=allocation.runner_up,
    )


def csv_lines(text: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each non-blank CSV line; line 1 may be a header.

    A first line naming the first column (e.g. ``party,votes``) sets the columns; otherwise
    `columns` apply in order and line 1 is data. Line numbers count from 1, as an editor does.
    """
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    for values in reader:
        line = reader.line_num
        cells = [v.strip() for v in values]
        if not any(cells):
            continue
        if header is None:
            named = [c.lower().replace(" ", "_") for c in cells]
            header = list(columns)
            if named and named[0] == columns[0]:
                unknown = [c for c in named if c not in columns]
                if unknown or columns[1] not in named:
                    raise HistoricalError(
                        _("Line %(n)s: the columns are %(columns)s.")
                        % {"n": line, "columns": ",".join(columns)}
                    )
                header = named
                continue
        if len(cells) > len(header):
            raise HistoricalError(
                _("Line %(n)s: too many values; the columns are %(columns)s.")
                % {"n": line, "columns": ",".join(header)}
            )
        yield line, dict(zip(header, cells, strict=False))


def _count(value: str, where: str, *, seats: bool = False) -> int:
    """A whole non-negative number; spaces and commas may group thousands (1 234 567)."""
    text = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(",", "")
    if not (text.isascii() and text.isdigit()):
        message = (
            _("%(where)s: the seat count %(value)s is not a whole number.")
            if seats
            else _("%(where)s: the vote count %(value)s is not a whole number.")
        )
        raise HistoricalError(message % {"where": where, "value": value})
    return int(text)


def decode_upload(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HistoricalError(_("The file is not UTF-8 text; save it as CSV (UTF-8).")) from None


def read_results(text: str) -> tuple[dict[str, int], dict[str, int] | None, int]:
    """CSV ``party,votes[,official_seats]`` -> (votes, official seats or None, against all).

    A line whose party is "against all" gives the against-all count instead of a list. Official
    seats are given for all lists or none (a blank counts as 0 when some line gives them).
    """
    votes: dict[str, int] = {}
    seats: dict[str, int] = {}
    against_all = 0
    for line, row in csv_lines(text, RESULT_COLUMNS):
        where = _("Line %(n)s") % {"n": line}
        party = row.get("party", "")
        if not party:
            raise HistoricalError(_("%(where)s: give the party's name.") % {"where": where})
        if not row.get("votes"):
            raise HistoricalError(_("%(where)s: give the party's votes.") % {"where": where})
        count = _count(row["votes"], where)
        if party.lower() in AGAINST_ALL_NAMES:
            against_all += count
            continue
        if party in votes:
            raise HistoricalError(
                _("%(where)s: %(party)s is listed twice.") % {"where": where, "party": party}
            )
        votes[party] = count
        if row.get("official_seats"):
            seats[party] = _count(row["official_seats"], where, seats=True)
    if not votes:
        raise HistoricalError(_("Give at least one party's votes."))
    if len(votes) > MAX_LISTS:
        raise HistoricalError(_("At most %(n)s lists.") % {"n": MAX_LISTS})
    return votes, ({p: seats.get(p, 0) for p in votes} if seats else None), against_all


def own_result(
    votes: dict[str, int], official: dict[str, int] | None, against_all: int, held_rules_id: str
) -> OwnResult:
    """The user's results, counted under the rules they were held under (for comparison)."""
    rules = _rules(held_rules_id)
    counted = _allocate(rules, votes, against_all)
    return OwnResult(
        votes=votes,
        official_seats=official if official is not None else counted,
        against_all=against_all,
        original_rules=rules,
        counted=official is None,
        counted_seats=counted,
    )


def replay_own(result: OwnResult, rules_id: str) -> Replay:
    """`replay` for typed-in results, refusing with a sentence instead of raising core errors."""
    rules = _rules(rules_id)
    try:
        return replay(result, rules.id)
    except ApportionmentError:
        raise _no_seats(rules) from None


def _rules(rules_id: str) -> SeatRules:
    try:
        return load_seat_rules(rules_id)
    except SeatRulesError:
        raise HistoricalError(_("Pick seat rules from the list.")) from None


def _no_seats(rules: SeatRules) -> HistoricalError:
    return HistoricalError(
        _("Under “%(rules)s” no seats can be allocated from these votes: no list passes.")
        % {"rules": rules.name}
    )


def _allocate(rules: SeatRules, votes: dict[str, int], against_all: int) -> dict[str, int]:
    try:
        return dict(rules.allocate(votes, against_all=against_all).seats)
    except ApportionmentError:
        raise _no_seats(rules) from None
