"""What a voter's code opens, and how the ballot form becomes a ranking.

The form is the same with or without JavaScript (kenes/web/static/kenes/ranking.js only
writes numbers into the same inputs), so reading it is one pure function here, tested
without a browser. The ranking it returns is what `casting.do_cast` stores: a list of
positions, each a list of candidate positions (0-based), best first.

How each counting method reads a ballot (kenes.core.tally.methods):
- plurality counts the first choice only, and a ballot with several candidates equal
  first counts for nobody: so the form offers one choice (`pick`);
- approval counts every marked candidate once, whatever the order: so the form offers
  one box per candidate (`approve_<position>`) and the ranking is one group of equals;
- the ranked methods (STV, IRV, Schulze, ranked pairs) read the order: the form asks for
  numbers (`rank_<position>`); a blank means "not ranked";
- a motion: `choice` is yes, no or abstain ([[0]], [[1]], [[2]]).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes import db
from kenes.ballots import phases, services
from kenes.ballots.models import MOTION_OPTIONS, Candidate, Election
from kenes.participation import services as codes
from kenes.participation import throttle

RANK = "rank"
PICK = "pick"
APPROVE = "approve"
MOTION = "motion"


CandidateRow = tuple[int, str, str]  # position, name, statement


class MarkError(ValueError):
    """A ballot form that cannot be read, with a sentence (in the voter's language)."""


def find_open_ballot(code: str, *, address: str | None = None) -> Election | None:
    """The open election or motion this personal code opens, or None.

    Codes are issued per purpose (one election), so at most one open election matches.
    Nothing here says whether the code belonged to a closed or another election. With the
    client's `address`, its throttle is asked in the same statement as the open elections,
    and a throttled address gets `throttle.Throttled` before the code is looked up.
    The elections come with their candidates (`candidate_rows` then asks nothing more).
    """
    elections = _voter_elections("e.phase = %s", [phases.OPEN], rows=True, address=address)
    open_now = {e.purpose: e for e in elections}
    found = codes.find_code(code, open_now)
    return open_now[found.purpose] if found else None


def election_to_cast(election_id: int, *, address: str | None = None) -> Election | None:
    """The election a cast names, its candidates' names already known, or None.

    ONE query (the election joined to its candidates, and the throttle of `address` if
    given, raising `throttle.Throttled`): the cast needs the number of options to read the
    form and `services.options` to check the ranking; both then ask no more.
    """
    if not 0 < election_id < 2**63:  # out of the column's range: no such election
        election_id = 0  # no row has it; the throttle is still asked
    found = _voter_elections("e.id = %s", [election_id], address=address)
    return found[0] if found else None


# What the voter pages and the cast read of an election; any other field is deferred (read
# on first use). All of them plain text or numbers: no converter is needed on any database.
_VOTER_FIELDS = (
    "id",
    "title",
    "description",
    "kind",
    "method",
    "seats",
    "phase",
    "ballot_key",
    "envelope_public_key",
    "code_purpose",
)


def _voter_elections(
    condition: str, params: list[Any], *, rows: bool = False, address: str | None = None
) -> list[Election]:
    """Elections matching `condition` (on alias `e`) with their candidates, in ONE statement.

    Every ballot asks, so it is SQL. The candidates' names are kept as the election's
    options (`services.options`); with `rows`, their statements too (`candidate_rows`).
    With `address`, the throttle's count rides along (`throttle.failures_sql`).
    """
    quote = connection.ops.quote_name
    columns = ", ".join(f"e.{quote(name)}" for name in _VOTER_FIELDS)
    now = timezone.now()
    failures, failure_params = (
        throttle.failures_sql(address, now) if address is not None else ("0", [])
    )
    sql = (
        f'SELECT {failures}, {columns}, c."position", c.name, '
        f"{'c.statement' if rows else 'NULL'} FROM (SELECT 1 AS one) AS base "
        f"LEFT JOIN {quote(Election._meta.db_table)} e ON {condition} "
        f"LEFT JOIN {quote(Candidate._meta.db_table)} c ON c.election_id = e.id "
        'ORDER BY e.id, c."position"'
    )
    found = db.fetch(sql, [*failure_params, *params])
    if address is not None and (minutes := throttle.minutes_to_wait(address, found[0][0], now=now)):
        raise throttle.Throttled(minutes)
    n = len(_VOTER_FIELDS) + 1
    elections: dict[int, Election] = {}
    candidates: dict[int, list[CandidateRow]] = {}
    for row in found:
        pk = row[1]
        if pk is None:  # no election matched: the one row of the throttle's count
            continue
        if pk not in elections:
            elections[pk] = Election.from_db(connection.alias, _VOTER_FIELDS, row[1:n])
            candidates[pk] = []
        if row[n] is not None:
            candidates[pk].append((row[n], row[n + 1], row[n + 2]))
    for pk, election in elections.items():
        services.remember_options(election, [name for _, name, _ in candidates[pk]])
        if rows and election.phase != phases.DRAFT:
            election._candidate_rows = tuple(candidates[pk])  # type: ignore[attr-defined]
    return list(elections.values())


def code_opens(election: Election, code: str) -> bool:
    """Does this personal code open this (open) election?"""
    return election.phase == phases.OPEN and (
        codes.resolve_code(election.purpose, code) is not None
    )


def ballot_style(election: Election) -> str:
    """Which form the ballot shows: RANK, PICK, APPROVE or MOTION (see the module doc)."""
    if election.is_motion:
        return MOTION
    if election.method == "plurality":
        return PICK
    if election.method == "approval":
        return APPROVE
    return RANK


def _position(text: str, n: int) -> int:
    try:
        position = int(text)
    except (TypeError, ValueError):
        raise MarkError(_("Choose one of the candidates on the ballot.")) from None
    if not 0 <= position < n:
        raise MarkError(_("Choose one of the candidates on the ballot."))
    return position


def _ranked(data: Mapping[str, Any], n: int) -> list[list[int]]:
    numbers: dict[int, int] = {}
    for position in range(n):
        text = str(data.get(f"rank_{position}", "") or "").strip()
        if not text:
            continue
        try:
            number = int(text)
        except ValueError:
            raise MarkError(
                _(
                    "Write whole numbers 1, 2, 3 and so on next to the candidates, "
                    "or leave a box empty."
                )
            ) from None
        if number < 1:
            raise MarkError(_("Numbers start at 1: write 1 next to your first choice."))
        numbers[position] = number
    seen: dict[int, int] = {}
    for position, number in numbers.items():
        if number in seen:
            raise MarkError(
                _(
                    "You wrote the number %(number)s next to two candidates. Give each "
                    "candidate a different number, or leave a box empty."
                )
                % {"number": number}
            )
        seen[number] = position
    # Gaps are closed: 1, 3, 4 mean first, second, third.
    return [[position] for number, position in sorted(seen.items())]


def ranking_from_form(style: str, n: int, data: Mapping[str, Any]) -> list[list[int]]:
    """The ranking a filled-in ballot form states, for `n` options; MarkError if unreadable.

    RANK: `rank_<position>` hold distinct positive whole numbers or blanks; equal numbers
    are refused (a tie would not be counted as the voter meant); gaps are closed.
    PICK: `pick` is one position. APPROVE: `approve_<position>` present = approved, all
    approved candidates form one group of equals. MOTION: `choice` is yes, no or abstain.
    At least one mark is needed.
    """
    if style == MOTION:
        choice = str(data.get("choice", "") or "")
        if choice not in MOTION_OPTIONS:
            raise MarkError(_("Choose yes, no or abstain."))
        return [[MOTION_OPTIONS.index(choice)]]
    if style == PICK:
        if not data.get("pick"):
            raise MarkError(_("Choose one candidate."))
        return [[_position(str(data["pick"]), n)]]
    if style == APPROVE:
        approved = [p for p in range(n) if data.get(f"approve_{p}")]
        if not approved:
            raise MarkError(_("Tick at least one candidate you approve of."))
        return [approved]
    ranking = _ranked(data, n)
    if not ranking:
        raise MarkError(_("Write 1 next to your first choice (and 2, 3 and so on if you wish)."))
    return ranking


@dataclass(frozen=True)
class BallotLine:
    """One candidate on the ballot page, with the voter's mark kept after an error.

    `key` is the position as text: the form's field suffix, compared with what was posted.
    """

    position: int
    key: str
    name: str
    statement: str
    rank: str
    picked: bool
    approved: bool


def candidate_rows(election: Election) -> tuple[CandidateRow, ...]:
    """The candidates in ballot order as (position, name, statement): one query, or none
    if the election was fetched with them (`find_open_ballot`; fixed once it is open)."""
    kept: tuple[CandidateRow, ...] | None = getattr(election, "_candidate_rows", None)
    if kept is not None:
        return kept
    table = connection.ops.quote_name(Candidate._meta.db_table)
    with connection.cursor() as cursor:  # every ballot page asks: SQL, not an ORM build
        cursor.execute(
            f'SELECT "position", name, statement FROM {table} WHERE election_id = %s '
            'ORDER BY "position"',
            [election.pk],
        )
        return tuple(cursor.fetchall())


def ballot_lines(
    election: Election,
    data: Mapping[str, Any] | None = None,
    rows: tuple[CandidateRow, ...] | None = None,
) -> list[BallotLine]:
    """The candidates in ballot order, each with the mark the voter gave it (if any)."""
    data = data or {}
    pick = str(data.get("pick", ""))
    lines = []
    for p, name, statement in candidate_rows(election) if rows is None else rows:
        key = str(p)
        lines.append(
            BallotLine(
                position=p,
                key=key,
                name=name,
                statement=statement,
                rank=str(data.get(f"rank_{p}", "") or "").strip()[:6],
                picked=pick == key,
                approved=bool(data.get(f"approve_{p}")),
            )
        )
    return lines
