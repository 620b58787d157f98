"""Casting a ballot with a personal code: the voters' hot path, kept apart and lean.

Casting is not audited per ballot: an entry per vote would time-stamp who voted when
(docs/ballots-threat-model.md); the voter roll records only *that* a member voted. On
PostgreSQL the phase lock, the ballot and the voter roll are ONE statement; elsewhere
three, in one transaction (bench/README.md, bench.ballots_load).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """
    normalised = normalise(code)
    found = codes.find_code(code, [election.purpose]) if normalised else None
    if found is None:
        raise CodeRefused(_("This code does not open this ballot. Check it and type it again."))
    member_id = found[1]
    cleaned = check_ranking(election, ranking)
    receipt = new_receipt()
    ballot = Ballot(
        election_id=election.pk,
        receipt=receipt,
        slot=_slot(election, normalised or ""),
        ranking=cleaned,
        cast_on=timezone.localdate(),
    )
    if connection.vendor == "postgresql":
        cast = _cast_in_one_statement(ballot, member_id)
    else:
        with transaction.atomic():
            cast = _lock_open(election.pk) == phases.OPEN
            if cast:
                _put_ballot(ballot)
                _mark_voted(election.pk, member_id)
    if not cast:
        raise BallotError(
            _("“%(title)s” is not open: ballots are not accepted.") % {"title": election.title}
        )
    return receipt


def _cast_in_one_statement(ballot: Ballot, member_id: int) -> bool:
    """PostgreSQL: the phase lock, the upsert and the voter roll in ONE statement (one round
    trip, its own transaction unless the caller has one); False if the vote is not open.

    The same three steps as the portable path: the election row is read FOR KEY SHARE only
    if it is open (a close, which locks it FOR UPDATE, waits for this statement; a cast that
    waited for a close re-reads the row and finds it closed), the ballot is written only if
    that row was found, and the roll only if the ballot was.
    """
    fields = list(Ballot._meta.concrete_fields)
    values = [f.get_db_prep_save(f.pre_save(ballot, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_one_statement_sql(), [ballot.election_id, phases.OPEN, *values, member_id])
        row = cursor.fetchone()
    return bool(row and row[0])


@functools.cache
def _one_statement_sql() -> str:
    """The statement `_cast_in_one_statement` sends; built once (it names only the schema)."""
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
        f"WITH live AS (SELECT id FROM {election} WHERE id = %s AND phase = %s FOR KEY SHARE), "
        f"put AS (INSERT INTO {quote(Ballot._meta.db_table)} ({columns}) SELECT {typed} "
        f"FROM live ON CONFLICT (election_id, slot) DO UPDATE SET {replaced} "
        "RETURNING election_id), "
        f"marked AS (UPDATE {roll} SET has_voted = TRUE WHERE election_id = (SELECT election_id "
        "FROM put) AND member_id = %s) "
        "SELECT COUNT(*) FROM put"  # PostgreSQL runs every data-modifying CTE, read or not
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
