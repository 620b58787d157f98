"""Sealed envelopes: how an online ballot waits for the close without naming its voter.

A cast changes two rows in one commit: the voter roll's row of the member ("has voted") and
the ballot. SQLite's write-ahead log (and PostgreSQL's, and its dead row versions) keep
each commit's pages together, so whoever copies the data folder during voting, after a
crash or before the log is recycled could pair every ballot with the member whose roll row
flipped beside it (issue 10, finding 1: 30 of 30 ballots linked from a WAL, no keys needed).

So a ballot is written sealed: its receipt, its marks and its day are AES-256-GCM encrypted
under a key of its own election (`Election.ballot_key`, itself sealed under the field key),
bound to the election and the code's slot. Nothing in the envelope row is readable without
the keys, and the receipt that will appear in the published box is not in it in the clear.
At the close `open_into_box` opens every envelope, writes the ballots into the box (no slot,
new random keys, random receipt order, one transaction), deletes the envelopes and drops the
election's key: from then on the envelopes that old log frames still hold cannot be opened
by anyone, the server's own keys included. `forget_old_pages` then truncates SQLite's log.
The PostgreSQL side of the analysis is in docs/ballots-threat-model.md.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, transaction

from kenes import db
from kenes.ballots.models import Ballot, BallotEnvelope, Election
from kenes.security.sealing import open_sealed, seal

_NONCE = 12


class EnvelopeError(Exception):
    """An envelope that its election's key does not open: tampered with, or another vote's."""


@dataclass(frozen=True)
class Contents:
    receipt: str
    ranking: list[list[int]]
    cast_on: datetime.date


def _key_context(election_id: int) -> bytes:
    return f"kenes-ballot-key:{election_id}".encode()


def new_ballot_key(election_id: int) -> str:
    """A fresh 256-bit key for one vote, sealed under the field key (stored on the election)."""
    secret = base64.b64encode(os.urandom(32)).decode()
    return seal(secret, context=_key_context(election_id))


def _cipher(election: Election) -> AESGCM:
    if not election.ballot_key:  # an object fetched before the opening: ask once more
        election.ballot_key = (
            Election.objects.filter(pk=election.pk).values_list("ballot_key", flat=True).first()
            or ""
        )
    if not election.ballot_key:
        raise EnvelopeError(f"Election {election.pk} has no ballot key (not open).")
    secret = open_sealed(election.ballot_key, context=_key_context(election.pk))
    return AESGCM(base64.b64decode(secret))


def _bound_to(election_id: int, slot: str) -> bytes:
    return f"{election_id}:{slot}".encode()


def seal_ballot(election: Election, slot: str, contents: Contents) -> bytes:
    body = json.dumps(
        {"r": contents.receipt, "b": contents.ranking, "d": contents.cast_on.isoformat()},
        separators=(",", ":"),
    ).encode()
    nonce = os.urandom(_NONCE)
    return nonce + _cipher(election).encrypt(nonce, body, _bound_to(election.pk, slot))


def open_envelope(cipher: AESGCM, election_id: int, slot: str, sealed: bytes) -> Contents:
    raw = bytes(sealed)
    try:
        body = cipher.decrypt(raw[:_NONCE], raw[_NONCE:], _bound_to(election_id, slot))
    except InvalidTag as exc:
        raise EnvelopeError(f"An envelope of election {election_id} does not open.") from exc
    data = json.loads(body)
    return Contents(data["r"], data["b"], datetime.date.fromisoformat(data["d"]))


def read_envelope(election: Election, slot: str) -> Contents | None:
    """The ballot now in this slot (a returning voter's), or None; only while the vote is open."""
    table = connection.ops.quote_name(BallotEnvelope._meta.db_table)
    rows = db.fetch(  # asked on every ballot page: SQL, prepared (kenes.db)
        f"SELECT sealed FROM {table} WHERE election_id = %s AND slot = %s", [election.pk, slot]
    )
    if not rows:
        return None
    sealed = rows[0][0]
    return open_envelope(_cipher(election), election.pk, slot, sealed)


def envelope_count(election: Election) -> int:
    return BallotEnvelope.objects.filter(election_id=election.pk).count()


def open_into_box(election: Election) -> int:
    """At the close (inside its transaction, election locked): every envelope into the box.

    The box (online and paper ballots already in it) is rewritten in random receipt order
    with new random keys, so neither the rows' order nor their keys say when a ballot
    arrived; then the envelopes are deleted and the election's key dropped. Returns how
    many online ballots went in.
    """
    online: list[Ballot] = []
    if election.ballot_key:
        cipher = _cipher(election)
        for slot, sealed in BallotEnvelope.objects.filter(election_id=election.pk).values_list(
            "slot", "sealed"
        ):
            contents = open_envelope(cipher, election.pk, slot, sealed)
            online.append(
                Ballot(
                    election_id=election.pk,
                    receipt=contents.receipt,
                    ranking=contents.ranking,
                    paper=False,
                    cast_on=contents.cast_on,
                )
            )
    box = online + list(Ballot.objects.filter(election_id=election.pk))
    Ballot.objects.filter(election_id=election.pk).delete()
    BallotEnvelope.objects.filter(election_id=election.pk).delete()
    box.sort(key=lambda ballot: ballot.receipt)  # receipts are random: so is this order
    for ballot in box:
        ballot.id = uuid.uuid4()
    Ballot.objects.bulk_create(box, batch_size=2000)
    election.ballot_key = ""
    election.save(update_fields=["ballot_key"])
    return len(online)


def forget_old_pages() -> None:
    """After the close has committed: let no copy of the data folder keep old pages.

    SQLite: copy the log into the database and truncate it to nothing (secure_delete, set on
    every connection, has already zeroed the deleted envelopes and key in the pages). A
    reader still holding an old snapshot can keep the log from being truncated; the next
    close, or a restart, truncates it. PostgreSQL: VACUUM FULL rewrites the envelopes' and
    the elections' tables into new files, so their dead row versions (the envelopes, the
    vote's sealed key) leave the data directory; the WAL keeps them until its segments are
    recycled (docs/ballots-threat-model.md). Casts of other open votes wait for the rewrite.
    """
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            for model in (BallotEnvelope, Election):
                cursor.execute(f"VACUUM FULL {quote(model._meta.db_table)}")


def after_close() -> None:
    transaction.on_commit(forget_old_pages)
