"""Sealed envelopes: how an online ballot waits for the close without naming its voter.

A cast changes two rows in one commit: the voter roll's row of the member ("has voted") and
the ballot. SQLite's write-ahead log (and PostgreSQL's, and its dead row versions) keep
each commit's pages together, so whoever copies the data folder during voting, after a
crash or before the log is recycled could pair every ballot with the member whose roll row
flipped beside it (issue 10, finding 1: 30 of 30 ballots linked from a WAL, no keys needed).

So a ballot is written sealed: its receipt, its marks and its day are encrypted to the
X25519 public key of its own election (`Election.envelope_public_key`; ephemeral X25519,
HKDF-SHA256, AES-256-GCM, as HPKE's base mode), bound to the election and the code's slot.
Casting needs no secret, so members vote while the server is sealed; the private key is
sealed under the field key (`Election.envelope_private_key`, custody) and only the close
needs it. Beside the ballot, the envelope holds its day once more under a key derived from
the voter's own code, so a returning voter is told "your ballot of <day> is in" while
sealed too. (Votes opened before the key pair keep an AES key of their own,
`Election.ballot_key`, sealed under the field key, until they close.) Nothing in the
envelope row is readable without the keys (the day: without the code), and the receipt
that will appear in the published box is not in it in the clear.
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
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import connection, transaction

from kenes import db
from kenes.ballots.models import Ballot, BallotEnvelope, Election
from kenes.security.sealing import open_sealed, seal

_NONCE = 12
_POINT = 32
_VERSION = b"\x02"  # envelopes to the election's public key; the old ones have no version
_RAW = serialization.Encoding.Raw


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


def _private_context(election_id: int) -> bytes:
    return f"kenes-election-envelope:{election_id}".encode()


def new_envelope_keys(election_id: int) -> tuple[str, str]:
    """A fresh X25519 key pair for one vote: (public key in base64, to keep in the clear;
    private key sealed under the field key). Needs the server unsealed, as the opening does."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    sealed = seal(base64.b64encode(raw).decode(), context=_private_context(election_id))
    return base64.b64encode(public).decode(), sealed


def _public_key(election: Election) -> bytes:
    return base64.b64decode(election.envelope_public_key)


def _private_key(election: Election) -> X25519PrivateKey:
    """The vote's private key: needs the field key (raises `Sealed` while sealed)."""
    secret = open_sealed(election.envelope_private_key, context=_private_context(election.pk))
    return X25519PrivateKey.from_private_bytes(base64.b64decode(secret))


def _envelope_cipher(shared: bytes, ephemeral: bytes, public: bytes, election_id: int) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + public,
        info=f"kenes-ballot-envelope-v2:{election_id}".encode(),
    ).derive(shared)
    return AESGCM(key)


def _note_cipher(election_id: int, slot: str, normalised_code: str) -> AESGCM:
    """A key only the voter's code gives: the day of their ballot, for their return."""
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=slot.encode(),
        info=f"kenes-ballot-note-v2:{election_id}".encode(),
    ).derive(normalised_code.encode())
    return AESGCM(key)


def to_key_pair(election: Election) -> bool:
    if not election.envelope_public_key and not election.ballot_key:
        # an object fetched before the opening: ask once more
        row = (
            Election.objects.filter(pk=election.pk)
            .values_list("envelope_public_key", "ballot_key")
            .first()
        )
        election.envelope_public_key, election.ballot_key = row or ("", "")
    if election.envelope_public_key:
        return True
    if election.ballot_key:
        return False
    raise EnvelopeError(f"Election {election.pk} has no envelope key (not open).")


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


def _body(contents: Contents) -> bytes:
    return json.dumps(
        {"r": contents.receipt, "b": contents.ranking, "d": contents.cast_on.isoformat()},
        separators=(",", ":"),
    ).encode()


def seal_ballot(
    election: Election, slot: str, contents: Contents, *, normalised_code: str = ""
) -> bytes:
    """The envelope of one ballot. To the election's public key (no secret needed), with the
    day once more under a key from the voter's code (`normalised_code`, for their return)."""
    bound = _bound_to(election.pk, slot)
    if not to_key_pair(election):  # a vote opened before the key pair
        nonce = os.urandom(_NONCE)
        return nonce + _cipher(election).encrypt(nonce, _body(contents), bound)
    public = _public_key(election)
    ephemeral = X25519PrivateKey.generate()
    point = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    nonce = os.urandom(_NONCE)
    ballot = _envelope_cipher(shared, point, public, election.pk).encrypt(
        nonce, _body(contents), bound
    )
    note_nonce = os.urandom(_NONCE)
    note = _note_cipher(election.pk, slot, normalised_code).encrypt(
        note_nonce, contents.cast_on.isoformat().encode(), bound
    )
    return b"".join(
        [_VERSION, point, nonce, len(ballot).to_bytes(4, "big"), ballot, note_nonce, note]
    )


def _split(sealed: bytes) -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """(ephemeral point, nonce, ballot, note nonce, note) of a version-2 envelope."""
    point, rest = sealed[1 : 1 + _POINT], sealed[1 + _POINT :]
    nonce, size, rest = (
        rest[:_NONCE],
        int.from_bytes(rest[_NONCE : _NONCE + 4], "big"),
        rest[_NONCE + 4 :],
    )
    return point, nonce, rest[:size], rest[size : size + _NONCE], rest[size + _NONCE :]


def open_with_private(
    private: X25519PrivateKey, election_id: int, slot: str, sealed: bytes
) -> Contents:
    """Open a version-2 envelope with the vote's private key (the close)."""
    raw = bytes(sealed)
    if raw[:1] != _VERSION:
        raise EnvelopeError(f"An envelope of election {election_id} is not sealed to its key.")
    point, nonce, ballot, _, _ = _split(raw)
    public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(point))
        body = _envelope_cipher(shared, point, public, election_id).decrypt(
            nonce, ballot, _bound_to(election_id, slot)
        )
    except (InvalidTag, ValueError) as exc:
        raise EnvelopeError(f"An envelope of election {election_id} does not open.") from exc
    return _contents(body)


def _contents(body: bytes) -> Contents:
    data = json.loads(body)
    return Contents(data["r"], data["b"], datetime.date.fromisoformat(data["d"]))


def day_for_code(election_id: int, slot: str, normalised_code: str, sealed: bytes) -> datetime.date:
    """The day of the ballot in a version-2 envelope, read with the voter's code."""
    raw = bytes(sealed)
    _, _, _, note_nonce, note = _split(raw)
    try:
        day = _note_cipher(election_id, slot, normalised_code).decrypt(
            note_nonce, note, _bound_to(election_id, slot)
        )
    except InvalidTag as exc:
        raise EnvelopeError(f"An envelope of election {election_id} does not open.") from exc
    return datetime.date.fromisoformat(day.decode())


def open_envelope(cipher: AESGCM, election_id: int, slot: str, sealed: bytes) -> Contents:
    raw = bytes(sealed)
    try:
        body = cipher.decrypt(raw[:_NONCE], raw[_NONCE:], _bound_to(election_id, slot))
    except InvalidTag as exc:
        raise EnvelopeError(f"An envelope of election {election_id} does not open.") from exc
    return _contents(body)


def read_envelope(election: Election, slot: str, *, normalised_code: str = "") -> Contents | None:
    """The ballot now in this slot (a returning voter's), or None; only while the vote is open.

    For a vote sealed to a key pair only its day is known here (read with the voter's code:
    no server key is needed): the receipt and the marks come back empty.
    """
    table = connection.ops.quote_name(BallotEnvelope._meta.db_table)
    rows = db.fetch(  # asked on every ballot page: SQL, prepared (kenes.db)
        f"SELECT sealed FROM {table} WHERE election_id = %s AND slot = %s", [election.pk, slot]
    )
    if not rows:
        return None
    sealed = rows[0][0]
    if to_key_pair(election):
        day = day_for_code(election.pk, slot, normalised_code, sealed)
        return Contents("", [], day)
    return open_envelope(_cipher(election), election.pk, slot, sealed)


def envelope_count(election: Election) -> int:
    return BallotEnvelope.objects.filter(election_id=election.pk).count()


def opened(election: Election) -> list[tuple[str, Contents]]:
    """(slot, contents) of every envelope of the vote, opened (the close; tests that look
    inside). Needs the vote's private key, so the server unsealed: sealed, raises `Sealed`."""
    found: list[tuple[str, Contents]] = []
    rows = BallotEnvelope.objects.filter(election_id=election.pk).values_list("slot", "sealed")
    if election.envelope_private_key:
        private = _private_key(election)
        for slot, sealed in rows:
            found.append((slot, open_with_private(private, election.pk, slot, sealed)))
    elif election.ballot_key:
        cipher = _cipher(election)
        for slot, sealed in rows:
            found.append((slot, open_envelope(cipher, election.pk, slot, sealed)))
    return found


def open_into_box(election: Election) -> int:
    """At the close (inside its transaction, election locked): every envelope into the box.

    The box (online and paper ballots already in it) is rewritten in random receipt order
    with new random keys, so neither the rows' order nor their keys say when a ballot
    arrived; then the envelopes are deleted and the election's key dropped. Returns how
    many online ballots went in. Needs the vote's private key, so the server unsealed: sealed,
    it raises `Sealed` and the caller's transaction changes nothing.
    """
    online = [
        Ballot(
            election_id=election.pk,
            receipt=contents.receipt,
            ranking=contents.ranking,
            paper=False,
            cast_on=contents.cast_on,
        )
        for _slot, contents in opened(election)
    ]
    box = online + list(Ballot.objects.filter(election_id=election.pk))
    Ballot.objects.filter(election_id=election.pk).delete()
    BallotEnvelope.objects.filter(election_id=election.pk).delete()
    box.sort(key=lambda ballot: ballot.receipt)  # receipts are random: so is this order
    for ballot in box:
        ballot.id = uuid.uuid4()
    Ballot.objects.bulk_create(box, batch_size=2000)
    election.ballot_key = ""
    election.envelope_private_key = ""
    election.save(update_fields=["ballot_key", "envelope_private_key"])
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
