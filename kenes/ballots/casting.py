"""Casting a ballot with a personal code: the voters' hot path, kept apart and lean.

Casting is not audited per ballot: an entry per vote would time-stamp who voted when
(docs/ballots-threat-model.md); the voter roll records only *that* a member voted, and
with which of their codes. The ballot goes into a sealed envelope (kenes/ballots/envelopes.py)
until the close. On PostgreSQL the code look-up, the phase lock, the voter roll and the
envelope are ONE statement; elsewhere four in one IMMEDIATE transaction, so the code is
read under the write lock (a code reissued meanwhile is seen as revoked).

One counted ballot per member: an envelope per code's slot (a re-cast replaces it), and the
roll row records the code that voted; a cast with any other code of the same member (one
reissued in a race with the first cast) changes nothing and is refused.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes import db
from kenes.ballots import envelopes, phases
from kenes.ballots.models import BallotEnvelope, Election, VoterRoll
from kenes.ballots.services import BallotError, CodeRefused, check_ranking, new_receipt
from kenes.participation import services as codes
from kenes.participation.codes import normalise
from kenes.security.sealing import blind_index, service_index


def _slot(election: Election, normalised: str) -> str:
    """The code's slot: under the service key, so a sealed server takes ballots (a vote
    opened before the key pair keeps its field-key slots, so a re-cast still replaces)."""
    text = f"ballot-slot:{election.pk}:{normalised}"
    return service_index(text) if envelopes.to_key_pair(election) else blind_index(text)


def _now() -> object:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _lock_open(election_id: int) -> str:
    """The phase, read under a lock that a concurrent close must wait for (PostgreSQL); a
    vote past its closing time is not open, even if the worker has not closed it yet."""
    share = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phase FROM ballots_election WHERE id = %s "
            f"AND (closes_at IS NULL OR closes_at > %s){share}",
            [election_id, _now()],
        )
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
    try:
        cleaned = check_ranking(election, ranking)
    except BallotError:
        if codes.find_code(code, [election.purpose]) is None:  # the code first
            raise refused from None
        raise
    if not (election.envelope_public_key or election.ballot_key) and not _has_keys(election.pk):
        raise _not_open(election)  # never opened (a draft): nothing could seal the ballot
    slot = _slot(election, normalised)
    receipt = new_receipt()
    sealed = envelopes.seal_ballot(
        election,
        slot,
        envelopes.Contents(receipt, cleaned, timezone.localdate()),
        normalised_code=normalised,
    )
    if connection.vendor == "postgresql":
        _cast_on_postgresql(election, code, slot, sealed, refused)
        return receipt
    with transaction.atomic():  # IMMEDIATE on SQLite: the write lock before the code is read
        found = codes.find_code(code, [election.purpose])
        if found is None:
            raise refused
        if _lock_open(election.pk) != phases.OPEN:
            raise _not_open(election)
        if not _mark_voted(election.pk, found.voter, found.code_id):
            raise _not_marked(election, found.voter)
        _put_envelope(election.pk, slot, sealed)
    return receipt


def _has_keys(election_id: int) -> bool:
    """Read again: the object in hand may predate the opening."""
    return (
        Election.objects.filter(pk=election_id)
        .exclude(envelope_public_key="", ballot_key="")
        .exists()
    )


def ballot_in(election: Election, code: str) -> envelopes.Contents | None:
    """The ballot this code has in the open vote (for a returning voter), or None."""
    normalised = normalise(code)
    if normalised is None or election.phase != phases.OPEN:
        return None
    return envelopes.read_envelope(
        election, _slot(election, normalised), normalised_code=normalised
    )


def _not_open(election: Election) -> BallotError:
    return BallotError(
        _("“%(title)s” is not open: ballots are not accepted.") % {"title": election.title}
    )


def _not_marked(election: Election, voter: str) -> BallotError:
    """Why the roll refused a live code: its voter is not on this vote's roll (a vote whose
    roll is fixed at the opening, e.g. a congress's delegates in the hall), or already voted
    with another code. Asked only after a refusal: the cast itself stays one statement."""
    if not VoterRoll.objects.filter(election_id=election.pk, voter=voter).exists():
        return BallotError(
            _(
                "Your code is valid, but you are not on the roll of “%(title)s” (its voters "
                "were fixed when it opened). Ask the officers."
            )
            % {"title": election.title}
        )
    return _voted_with_another_code()


def _voted_with_another_code() -> BallotError:
    return BallotError(
        _(
            "A ballot is already in with another of your codes; this code cannot add a second "
            "one. Vote again with the code you first used, or ask the coordinator."
        )
    )


def _cast_on_postgresql(
    election: Election, code: str, slot: str, sealed: bytes, refused: CodeRefused
) -> None:
    """The code look-up, the phase lock, the voter roll and the envelope in ONE statement (one
    round trip, its own transaction unless the caller has one).

    The same steps as the portable path: the election row is read FOR KEY SHARE only if
    the code is live for it and it is open (a close, which locks it FOR UPDATE, waits for
    this statement; a cast that waited for a close re-reads the row and finds it closed);
    the roll row is marked only if it has not voted or voted with this very code (a
    concurrent cast with another code of the member waits for the row and, re-reading it,
    finds it voted with the other code); the envelope is written only if the row was marked.
    """
    voter = codes.live_code_sql(code, election.purpose)
    if voter is None:
        raise refused
    voter_sql, voter_params = voter
    rows = db.fetch(  # prepared once per connection (kenes.db)
        f"WITH voter AS ({voter_sql}), {_cast_sql()}",
        [
            *voter_params,
            election.pk,
            phases.OPEN,
            _now(),
            str(uuid.uuid4()),
            slot,
            sealed,
        ],
    )
    voters, live, put = rows[0] if rows else (0, 0, 0)
    if not voters:
        raise refused
    if not live:
        raise _not_open(election)
    if not put:
        found = codes.find_code(code, [election.purpose])
        raise _not_marked(election, found.voter if found else "")


@functools.cache
def _cast_sql() -> str:
    """The statement after its `voter` part; built once (it names only the schema)."""
    quote = connection.ops.quote_name
    election = quote(Election._meta.db_table)
    roll = quote(VoterRoll._meta.db_table)
    envelope = quote(BallotEnvelope._meta.db_table)
    return (
        f"live AS (SELECT id FROM {election} WHERE id = %s AND phase = %s "
        "AND (closes_at IS NULL OR closes_at > %s) "
        "AND EXISTS (SELECT 1 FROM voter) FOR KEY SHARE), "
        f"marked AS (UPDATE {roll} SET has_voted = TRUE, voted_code = (SELECT id FROM voter) "
        "WHERE election_id = (SELECT id FROM live) AND voter = (SELECT voter FROM voter) "
        "AND (NOT has_voted OR voted_code = (SELECT id FROM voter)) RETURNING 1), "
        f"put AS (INSERT INTO {envelope} (id, election_id, slot, sealed) "
        "SELECT CAST(%s AS uuid), (SELECT id FROM live), %s, CAST(%s AS bytea) "
        "WHERE EXISTS (SELECT 1 FROM marked) "
        "ON CONFLICT (election_id, slot) DO UPDATE SET sealed = EXCLUDED.sealed RETURNING 1) "
        # PostgreSQL runs every data-modifying CTE, read or not
        "SELECT (SELECT COUNT(*) FROM voter), (SELECT COUNT(*) FROM live), "
        "(SELECT COUNT(*) FROM put)"
    )


def _put_envelope(election_id: int, slot: str, sealed: bytes) -> None:
    """INSERT the envelope, or replace the one in its slot: ONE statement, so concurrent casts
    with the same code leave exactly one.
    """
    table = connection.ops.quote_name(BallotEnvelope._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, election_id, slot, sealed) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (election_id, slot) DO UPDATE SET sealed = EXCLUDED.sealed",
            [uuid.uuid4().hex, election_id, slot, sealed],
        )


def _mark_voted(election_id: int, voter: str, code_id: int) -> bool:
    """The roll records that the voter (token) voted, and with which code (no time, no
    ballot).

    False if the member already voted with another code: that code's ballot stays the one.
    """
    table = connection.ops.quote_name(VoterRoll._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET has_voted = %s, voted_code = %s WHERE election_id = %s "
            "AND voter = %s AND (has_voted = %s OR voted_code = %s)",
            [True, code_id, election_id, voter, False, code_id],
        )
        return cursor.rowcount > 0
