"""Audit receipts: the chain's head, signed by the server, to be kept outside it.

A receipt says "at `time`, the audit chain of server `server_id` had `seq` entries, the
last of which hashes to `head`", signed with the server's Ed25519 audit key over a
canonical text (`canonical_text`). Kept in minutes (printed, `kenes audit receipt --html`)
or as the JSON `kenes audit receipt --json` prints, it later proves with
`kenes audit verify --against FILE` that the chain still contains that head at that
sequence and extends it: whoever rewrites an entry before the head, even recomputing
every later hash so the chain looks intact, no longer matches the receipt.

The private half of the signing key is sealed under the field key (kenes.security): a
receipt can only be signed while the server is unsealed; the public half is stored in
the clear, printed on every receipt and by `kenes audit public-key`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services
from kenes.audit.models import AuditEntry, ChainHead, Receipt, SigningKey
from kenes.security.keys import Sealed, current_key
from kenes.security.sealing import open_sealed, seal, sealed_key_id

logger = logging.getLogger("kenes.audit")

FORMAT = "kenes-audit-receipt-v1"
_KEY_CONTEXT = b"kenes audit signing key v1"
_FIELDS = ("format", "server_id", "seq", "head", "time", "public_key", "signature")


class ReceiptProblem(ValueError):
    """A receipt file that cannot be read as a receipt (a sentence)."""


@dataclass(frozen=True)
class ReceiptData:
    server_id: str
    seq: int
    head: str
    time: str  # ISO 8601, UTC, seconds
    public_key: str  # urlsafe base64 of the 32 raw bytes
    signature: str  # urlsafe base64 of the 64-byte Ed25519 signature
    # trustees' countersignatures (kenes.audit.trustees): name, public_key, key_fingerprint,
    # signature; not part of the text the server signs
    countersignatures: tuple[dict[str, Any], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "server_id": self.server_id,
            "seq": self.seq,
            "head": self.head,
            "time": self.time,
            "public_key": self.public_key,
            "key_fingerprint": key_fingerprint(self.public_key),
            "signature": self.signature,
            "countersignatures": [dict(item) for item in self.countersignatures],
        }


def canonical_text(*, server_id: str, seq: int, head: str, time: str) -> bytes:
    """What is signed: one line per field, in this order, UTF-8, ending in a newline."""
    return (f"{FORMAT}\nserver: {server_id}\nseq: {seq}\nhead: {head}\ntime: {time}\n").encode()


def key_fingerprint(public_key: str) -> str:
    """SHA-256 of the raw public key, first 32 hex digits in groups of 4 (read aloud)."""
    digest = hashlib.sha256(_b64decode(public_key)).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ReceiptProblem(_("A key or signature in the receipt is not base64.")) from exc


# The signing key --------------------------------------------------------------------------


def server_key() -> SigningKey | None:
    """The server's current audit signing key (its public half needs no unsealing)."""
    return SigningKey.objects.order_by("-id").first()


def _private_key(row: SigningKey) -> Ed25519PrivateKey:
    raw = _b64decode(open_sealed(row.sealed_private_key, context=_KEY_CONTEXT))
    return Ed25519PrivateKey.from_private_bytes(raw)


def _create_key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return SigningKey.objects.create(
        created_at=timezone.now(),
        server_id=secrets.token_hex(8),
        public_key=_b64(raw_public),
        sealed_private_key=seal(_b64(raw_private), context=_KEY_CONTEXT),
    )


def _reseal_if_old(row: SigningKey, private: Ed25519PrivateKey) -> None:
    """After `kenes rotate-keys` the next receipt re-seals the private key under the newest
    field key, so the old field key can be dropped without losing the signing key."""
    newest = current_key()
    if sealed_key_id(row.sealed_private_key) == newest.key_id:
        return
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    row.sealed_private_key = seal(_b64(raw), key=newest, context=_KEY_CONTEXT)
    row.save(update_fields=["sealed_private_key"])


# Signing ----------------------------------------------------------------------------------


class ChainBroken(RuntimeError):
    pass


@transaction.atomic
def do_sign_receipt(*, acting_user: Any, occasion: str = "", quick: bool = False) -> Receipt:
    """Sign the chain's current head and store the receipt (needs the server unsealed).

    Raises `Sealed` (nothing stored) while the field keys are in the trustees' hands, and
    `ChainBroken` when `kenes audit verify` would fail: a broken head is never signed. The
    receipt is recorded in the chain itself (entry `audit.receipt`, after the head it signs).

    `quick`: check only the entries after the head of the latest receipt this key signed,
    if the chain still holds that head at its number (publication, in the officer's request:
    a few entries instead of the whole chain); the worker and `kenes audit receipt` check
    the whole chain.
    """
    row = server_key()
    private = _private_key(row) if row is not None else None  # Sealed here, before any write
    if row is None:
        row = _create_key()  # seal() needs the field key too: Sealed before anything is saved
        private = _private_key(row)
    assert private is not None
    _reseal_if_old(row, private)
    # Writers lock the chain head; holding it, the head cannot move while it is signed.
    ChainHead.objects.select_for_update().filter(pk=1).first()
    start = _last_signed_head(row)  # ChainBroken if the chain no longer holds it
    verification = services.verify(after=start if quick else None)
    if not verification.intact:
        raise ChainBroken(
            _(
                "The audit chain is broken at entry %(entry)s: no receipt is signed until "
                "`kenes audit verify` is clean."
            )
            % {"entry": verification.first_bad_id}
        )
    signed_at = timezone.now().astimezone(UTC).replace(microsecond=0).isoformat()
    text = canonical_text(
        server_id=row.server_id, seq=verification.entries, head=verification.head, time=signed_at
    )
    receipt = Receipt.objects.create(
        seq=verification.entries,
        head=verification.head,
        signed_at=datetime.fromisoformat(signed_at),
        server_id=row.server_id,
        public_key=row.public_key,
        signature=_b64(private.sign(text)),
    )
    services.record(
        "audit.receipt",
        acting_user=acting_user,
        target_type="receipt",
        target_id=receipt.pk,
        detail={
            "seq": receipt.seq,
            "head": receipt.head,
            "signature": receipt.signature,
            **({"occasion": occasion} if occasion else {}),
        },
    )
    return receipt


def sign_for_event(*, acting_user: Any, occasion: str) -> Receipt | None:
    """A receipt at an event that minutes record (an election's results published), so the
    head that includes the event is signed at once rather than at the worker's next round.

    Never fails the event: while sealed (or with a broken chain) nothing is signed, the
    reason is logged, and the worker's next due receipt covers the event."""
    try:
        return do_sign_receipt(acting_user=acting_user, occasion=occasion, quick=True)
    except Sealed:
        logger.info(
            "No receipt for %s: the server is sealed; the next one will cover it.", occasion
        )
    except (ChainBroken, ImproperlyConfigured) as exc:
        logger.error("No receipt for %s: %s", occasion, exc)
    return None


def _last_signed_head(row: SigningKey) -> tuple[int, int, str] | None:
    """(entries, entry id, hash) of the head the latest genuine receipt of `row` signed; None
    if there is none. `ChainBroken` if the chain no longer holds that head at its number."""
    last = (
        Receipt.objects.filter(public_key=row.public_key, server_id=row.server_id)
        .order_by("-seq", "-id")
        .first()
    )
    if last is None or last.seq == 0:
        return None
    time = last.signed_at.astimezone(UTC).replace(microsecond=0).isoformat()
    text = canonical_text(server_id=last.server_id, seq=last.seq, head=last.head, time=time)
    try:
        Ed25519PublicKey.from_public_bytes(_b64decode(row.public_key)).verify(
            _b64decode(last.signature), text
        )
    except (InvalidSignature, ReceiptProblem):
        return None
    at = AuditEntry.objects.order_by("id").values_list("id", "hash")[last.seq - 1 : last.seq]
    found = list(at)
    if not found or found[0][1] != last.head:
        # never sign over a chain rewritten since a receipt: that would launder the rewrite
        raise ChainBroken(
            _(
                "The audit chain no longer holds, at entry %(seq)s, the head the receipt of "
                "%(time)s signed: no receipt is signed until this is explained (see "
                "`kenes audit verify`)."
            )
            % {"seq": last.seq, "time": time}
        )
    return last.seq, found[0][0], last.head


def receipt_data(receipt: Receipt) -> ReceiptData:
    """The receipt as its file holds it, with the trustees' countersignatures attached so far."""
    rows = receipt.countersignatures.select_related("trustee").order_by("trustee_id")
    return ReceiptData(
        server_id=receipt.server_id,
        seq=receipt.seq,
        head=receipt.head,
        time=receipt.signed_at.astimezone(UTC).replace(microsecond=0).isoformat(),
        public_key=receipt.public_key,
        signature=receipt.signature,
        countersignatures=tuple(
            {
                "name": row.trustee.name,
                "public_key": row.trustee.public_key,
                "key_fingerprint": key_fingerprint(row.trustee.public_key),
                "signature": row.signature,
            }
            for row in rows
        ),
    )


def sign_if_due() -> Receipt | None:
    """The worker's step: a receipt when the last one is KENES_AUDIT_RECEIPT_HOURS old.

    Quietly nothing while sealed (the next housekeeping round tries again)."""
    hours = float(settings.KENES_AUDIT_RECEIPT_HOURS)
    if hours <= 0:
        return None
    last = Receipt.objects.order_by("-signed_at").first()
    if last is not None and timezone.now() - last.signed_at < timedelta(hours=hours):
        return None
    try:
        return do_sign_receipt(acting_user="worker")
    except Sealed:
        logger.debug("Audit receipt not signed: the server is sealed; trying again later.")
    except (ChainBroken, ImproperlyConfigured) as exc:
        logger.error("Audit receipt not signed: %s", exc)
    return None


# Checking ---------------------------------------------------------------------------------


def parse(payload: Any) -> ReceiptData:
    """A receipt as `kenes audit receipt --json` prints it; `ReceiptProblem` otherwise."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ReceiptProblem(
            _("The file is not an audit receipt (printed by `kenes audit receipt --json`).")
        )
    missing = [name for name in _FIELDS if name not in payload]
    if missing:
        raise ReceiptProblem(_("The receipt lacks %(fields)s.") % {"fields": ", ".join(missing)})
    seq = payload["seq"]
    texts = [payload[name] for name in _FIELDS if name != "seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ReceiptProblem(_("The receipt's sequence number is not a whole number."))
    if not all(isinstance(t, str) for t in texts):
        raise ReceiptProblem(_("A field of the receipt is not text."))
    head = payload["head"]
    if len(head) != 64 or any(c not in "0123456789abcdef" for c in head):
        raise ReceiptProblem(_("The receipt's head is not a SHA-256 hash."))
    try:
        datetime.fromisoformat(payload["time"])
    except ValueError as exc:
        raise ReceiptProblem(_("The receipt's time is not a date and time.")) from exc
    if len(_b64decode(payload["public_key"])) != 32:
        raise ReceiptProblem(_("The receipt's public key is not an Ed25519 key."))
    if len(_b64decode(payload["signature"])) != 64:
        raise ReceiptProblem(_("The receipt's signature is not an Ed25519 signature."))
    countersignatures = payload.get("countersignatures", [])
    if not isinstance(countersignatures, list) or not all(
        isinstance(item, dict) and all(isinstance(v, str) for v in item.values())
        for item in countersignatures
    ):
        raise ReceiptProblem(
            _("The receipt's countersignatures are not a list of trustees' signatures.")
        )
    return ReceiptData(
        server_id=payload["server_id"],
        seq=seq,
        head=head,
        time=payload["time"],
        public_key=payload["public_key"],
        signature=payload["signature"],
        countersignatures=tuple(countersignatures),
    )


@dataclass(frozen=True)
class ReceiptCheck:
    """`genuine`: signed by the server's key; `extended`: the chain holds the head at seq
    and every entry after it links to it. `problem` is a sentence when either is false."""

    genuine: bool
    extended: bool
    seq: int
    head: str
    time: str
    key_fingerprint: str
    problem: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "genuine": self.genuine,
            "extended": self.extended,
            "seq": self.seq,
            "head": self.head,
            "time": self.time,
            "key_fingerprint": self.key_fingerprint,
            "problem": self.problem,
        }


def check_receipt(data: ReceiptData) -> ReceiptCheck:
    """Is the receipt genuine (signature, server's key), and does the chain extend it?"""
    found = {
        "seq": data.seq,
        "head": data.head,
        "time": data.time,
        "key_fingerprint": key_fingerprint(data.public_key),
    }
    public = Ed25519PublicKey.from_public_bytes(_b64decode(data.public_key))
    text = canonical_text(server_id=data.server_id, seq=data.seq, head=data.head, time=data.time)
    try:
        public.verify(_b64decode(data.signature), text)
    except InvalidSignature:
        return ReceiptCheck(
            False,
            False,
            **found,
            problem=_(
                "The receipt's signature does not match its content: the receipt was edited "
                "or is not a receipt."
            ),
        )
    known = SigningKey.objects.filter(public_key=data.public_key, server_id=data.server_id)
    if not known.exists():
        return ReceiptCheck(
            False,
            False,
            **found,
            problem=_(
                "The receipt was signed by a key this server does not hold (fingerprint "
                "%(fingerprint)s); compare it with `kenes audit public-key`."
            )
            % {"fingerprint": found["key_fingerprint"]},
        )
    problem = _chain_extends(data.seq, data.head)
    return ReceiptCheck(True, not problem, **found, problem=problem)


def _chain_extends(seq: int, head: str) -> str:
    """'' when every entry fits its hash and link, and entry number `seq` hashes to `head`
    (so the chain holds the signed head and every later entry extends it)."""
    prev = services.GENESIS
    position = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or services.entry_hash(entry) != entry.hash:
            return _(
                "The chain does not extend the receipt's head: entry %(entry)s does not fit "
                "the entries before it (see `kenes audit verify`)."
            ) % {"entry": entry.id}
        if position == seq and prev != head:
            break
        prev = entry.hash
        position += 1
    if position < seq:
        return _(
            "The chain has %(count)s entries, fewer than the %(seq)s the receipt records: "
            "entries were removed."
        ) % {"count": position, "seq": seq}
    if position == seq and prev != head:
        return _(
            "Entry number %(seq)s of the chain is not the head the receipt records: the "
            "chain was rewritten at or before it."
        ) % {"seq": seq}
    return ""
