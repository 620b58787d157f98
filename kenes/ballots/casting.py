"""Casting a ballot with a personal code: the voters' hot path, kept apart and lean.

Casting is not audited per ballot: an entry per vote would time-stamp who voted when
(docs/ballots-threat-model.md); the voter roll records only *that* a member voted. On
PostgreSQL the code look-up, the phase lock, the ballot and the voter roll are ONE
statement; elsewhere the look-up, then three in one transaction (bench/README.md,
bench.ballots_load).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes import db
from kenes.ballots import phases
from kenes.ballots.models import Ballot, Election, VoterRoll
from kenes.ballots.services import BallotError, CodeRefused, check_ranking, new_receipt
from kenes.participation import services as codes
from kenes.participation.codes import normalise
from kenes.security.sealing import blind_index


def _slot(election: Election, normalised: str) -> str:
    return blind_index(f"ballot-slot:{election.pk}:{normalised}")


def _lock_open(election_id: int) -> str:
    """The phase, read under a lock that a concurrent close must wait for (PostgreSQL)."""
    share = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phase FROM ballots_election WHERE id = %s{share}", [election_id])
        row = cursor.fetchone()
    return row[0] if row else ""


def do_cast(election: Election, code: str, ranking: Sequence[Sequence[int]]) -> str:
    """Cast (or re-cast) a ballot with a personal code; returns the new receipt.

    Only the last ballot of a code counts: it replaces the earlier one in one statement
    (INSERT ... ON CONFLICT on the code's slot), so concurrent casts leave exactly one.
    A wrong code is refused (CodeRefused) before anything is said about the marks.
    """
    refused = CodeRefused(_("This code does not open this ballot. Check it and type it again."))
    normalised = normalise(code)
    if normalised is None:
        raise refused
    if connection.vendor == "postgresql":
        return _cast_on_postgresql(election, code, normalised, ranking, refused)
    found = codes.find_code(code, [election.purpose])
    if found is None:
        raise refused
    ballot = _ballot(election, normalised, check_ranking(election, ranking))
    with transaction.atomic():
        cast = _lock_open(election.pk) == phases.OPEN
        if cast:
            _put_ballot(ballot)
            _mark_voted(election.pk, found[1])
    if not cast:
        raise _not_open(election)
    return ballot.receipt


def _ballot(election: Election, normalised: str, ranking: list[list[int]]) -> Ballot:
    return Ballot(
        election_id=election.pk,
        receipt=new_receipt(),
        slot=_slot(election, normalised),
        ranking=ranking,
        cast_on=timezone.localdate(),
    )


def _not_open(election: Election) -> BallotError:
    return BallotError(
        _("“%(title)s” is not open: ballots are not accepted.") % {"title": election.title}
    )


def _cast_on_postgresql(
    election: Election,
    code: str,
    normalised: str,
    ranking: Sequence[Sequence[int]],
    refused: CodeRefused,
) -> str:
    """The code look-up, the phase lock, the upsert and the voter roll in ONE statement (one
    round trip, its own transaction unless the caller has one).

    The same steps as the portable path: the election row is read FOR KEY SHARE only if
    the code is live for it and it is open (a close, which locks it FOR UPDATE, waits for
    this statement; a cast that waited for a close re-reads the row and finds it closed),
    the ballot is written only if that row was found, and the roll only if the ballot was.
    """
    try:
        cleaned = check_ranking(election, ranking)
    except BallotError:
        if codes.find_code(code, [election.purpose]) is None:  # the code first, as elsewhere
            raise refused from None
        raise
    ballot = _ballot(election, normalised, cleaned)
    voter = codes.member_of_code_sql(code, election.purpose)
    if voter is None:
        raise refused
    voter_sql, voter_params = voter
    fields = list(Ballot._meta.concrete_fields)
    values = [f.get_db_prep_save(f.pre_save(ballot, add=True), connection) for f in fields]
    rows = db.fetch(  # prepared once per connection (kenes.db)
        f"WITH voter AS ({voter_sql}), {_cast_sql()}",
        [*voter_params, ballot.election_id, phases.OPEN, *values],
    )
    voters, cast = rows[0] if rows else (0, 0)
    if not voters:
        raise refused
    if not cast:
        raise _not_open(election)
    return ballot.receipt


@functools.cache
def _cast_sql() -> str:
    """The statement after its `voter` part; built once (it names only the schema)."""
    quote = connection.ops.quote_name
    fields = list(Ballot._meta.concrete_fields)
    columns = ", ".join(quote(f.column) for f in fields)
    typed = ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in fields)
    replaced = ", ".join(
        f"{quote(c)} = EXCLUDED.{quote(c)}" for c in ("receipt", "ranking", "cast_on")
    )
    election = quote(Election._meta.db_table)
    roll = quote(VoterRoll._meta.db_table)
    return (
        f"live AS (SELECT id FROM {election} WHERE id = %s AND phase = %s "
        "AND EXISTS (SELECT 1 FROM voter) FOR KEY SHARE), "
        f"put AS (INSERT INTO {quote(Ballot._meta.db_table)} ({columns}) SELECT {typed} "
        f"FROM live ON CONFLICT (election_id, slot) DO UPDATE SET {replaced} "
        "RETURNING election_id), "
        f"marked AS (UPDATE {roll} SET has_voted = TRUE WHERE election_id = (SELECT election_id "
        "FROM put) AND member_id = (SELECT member_id FROM voter)) "
        # PostgreSQL runs every data-modifying CTE, read or not
        "SELECT (SELECT COUNT(*) FROM voter), (SELECT COUNT(*) FROM put)"
    )


def _put_ballot(ballot: Ballot) -> None:
    """INSERT the ballot, or replace the one in its slot: ONE statement, so concurrent casts
    with the same code leave exactly one ballot (the upsert `bulk_create(update_conflicts=)`
    writes, without building it through the ORM on every cast).
    """
    fields = list(Ballot._meta.concrete_fields)
    table = connection.ops.quote_name(Ballot._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    replaced = ", ".join(
        f"{connection.ops.quote_name(c)} = EXCLUDED.{connection.ops.quote_name(c)}"
        for c in ("receipt", "ranking", "cast_on")
    )
    values = [f.get_db_prep_save(f.pre_save(ballot, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT (election_id, slot) DO UPDATE SET {replaced}",
            values,
        )


def _mark_voted(election_id: int, member_id: int) -> None:
    """The voter roll records that the member voted (and nothing else: no time, no ballot)."""
    table = connection.ops.quote_name(VoterRoll._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET has_voted = %s WHERE election_id = %s AND member_id = %s",
            [True, election_id, member_id],
        )
