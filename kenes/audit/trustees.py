"""Trustees countersign audit receipts with keys the server never holds.

Each trustee makes an Ed25519 key on their own machine (`kenes audit trustee-key new --out
FILE`: the private key goes to FILE, encrypted with the trustee's passphrase unless
`--no-passphrase` is given (kenes.security.passphrase); the public key is printed); the
national admin registers the public key under the trustee's name (`kenes audit trustee
add`, or the trustees page). A trustee checks a receipt offline and countersigns it
(`kenes audit countersign RECEIPT.json --key FILE` prints a countersignature file), which is
attached on the server (`kenes audit attach-countersignature FILE`, or the trustees page):
only a signature by a registered key over that very receipt is accepted.

What a trustee signs (`countersign_text`) is the receipt's own signed text followed by the
server's signature, so a countersignature vouches for one receipt of one server and cannot
be moved to another. Someone who holds the database and the server's signing key (an
unsealed server, seized) can sign a receipt for a rewritten chain, but cannot make the
trustees' countersignatures for it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services
from kenes.audit.models import Countersignature, Receipt, Trustee
from kenes.audit.receipts import (
    ReceiptData,
    ReceiptProblem,
    _b64,
    _b64decode,
    canonical_text,
    key_fingerprint,
    parse,
    receipt_data,
)
from kenes.security import passphrase as passphrases
from kenes.security.passphrase import PassphraseProblem

FORMAT = "kenes-audit-countersignature-v1"


class TrusteeProblem(ValueError):
    """A key, a countersignature or a registration that is refused (a sentence)."""


def countersign_text(data: ReceiptData) -> bytes:
    """What a trustee signs: the receipt's signed text, then the server's signature."""
    text = canonical_text(server_id=data.server_id, seq=data.seq, head=data.head, time=data.time)
    return f"{FORMAT}\n".encode() + text + f"signature: {data.signature}\n".encode()


# On the trustee's machine ------------------------------------------------------------------


def new_key_file(path: Path, passphrase: str | None = None) -> str:
    """Write a new private key (PKCS#8 PEM, readable by the owner only) to `path`, which must
    not exist; return the public key (urlsafe base64) for the national admin to register.

    With a `passphrase` the PEM is written only inside an age passphrase file (scrypt,
    ChaCha20-Poly1305: kenes.security.passphrase); the passphrase itself is never written."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    if passphrase is not None:
        try:
            passphrases.check_new(passphrase)
        except PassphraseProblem as exc:
            raise TrusteeProblem(str(exc)) from exc
        pem = passphrases.encrypt(pem, passphrase)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise _exists(path) from exc
    except OSError as exc:
        raise TrusteeProblem(
            _("%(path)s cannot be written (%(error)s).") % {"path": path, "error": exc.strerror}
        ) from exc
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    return public_key_text(private.public_key())


def _exists(path: Path) -> TrusteeProblem:
    return TrusteeProblem(
        _("%(path)s already exists: a trustee key is never overwritten. Choose another file.")
        % {"path": path}
    )


def check_new_key_path(path: Path) -> None:
    """Refuse an existing file before the passphrase is asked (it is checked again, without
    a race, when the file is created)."""
    if path.exists() or path.is_symlink():
        raise _exists(path)


def public_key_text(public: Ed25519PublicKey) -> str:
    return _b64(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def read_key_file(path: Path, passphrase: Callable[[], str] | None = None) -> Ed25519PrivateKey:
    """The private key in `path`: a clear PEM as before, or one inside an age passphrase
    file, for which `passphrase()` is asked (only then). A wrong passphrase is a sentence."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrusteeProblem(
            _("The key file %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": exc.strerror}
        ) from exc
    if passphrases.is_encrypted(data):
        if passphrase is None:
            raise TrusteeProblem(
                _("The key file %(path)s is protected by a passphrase.") % {"path": path}
            )
        try:
            given = passphrase()
        except PassphraseProblem as exc:  # none could be read: its own sentence
            raise TrusteeProblem(str(exc)) from exc
        try:
            data = passphrases.decrypt(data, given)
        except PassphraseProblem as exc:
            raise TrusteeProblem(
                _(
                    "The passphrase does not open the key file %(path)s (or the file was "
                    "edited). Nothing was countersigned."
                )
                % {"path": path}
            ) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise TrusteeProblem(
            _("%(path)s is not a trustee key made by `kenes audit trustee-key new`.")
            % {"path": path}
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise TrusteeProblem(_("%(path)s is not an Ed25519 key.") % {"path": path})
    return key


def countersign(receipt: ReceiptData, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The countersignature file for `receipt`, after checking the server's signature on it
    (a trustee never vouches for a receipt whose own signature is wrong)."""
    server = Ed25519PublicKey.from_public_bytes(_b64decode(receipt.public_key))
    text = canonical_text(
        server_id=receipt.server_id, seq=receipt.seq, head=receipt.head, time=receipt.time
    )
    try:
        server.verify(_b64decode(receipt.signature), text)
    except InvalidSignature as exc:
        raise TrusteeProblem(
            _(
                "The receipt's signature does not match its content: it was edited or is not a "
                "receipt. Nothing was countersigned."
            )
        ) from exc
    public = public_key_text(key.public_key())
    return {
        "format": FORMAT,
        "receipt": {
            "server_id": receipt.server_id,
            "seq": receipt.seq,
            "head": receipt.head,
            "time": receipt.time,
            "public_key": receipt.public_key,
            "signature": receipt.signature,
        },
        "public_key": public,
        "key_fingerprint": key_fingerprint(public),
        "signature": _b64(key.sign(countersign_text(receipt))),
    }


# On the server ----------------------------------------------------------------------------


def _public_key(text: str) -> Ed25519PublicKey:
    text = text.strip()
    try:
        raw = _b64decode(text)
    except ReceiptProblem as exc:
        raise TrusteeProblem(
            _("The public key is not base64 (copy it as `kenes audit trustee-key new` printed it).")
        ) from exc
    if len(raw) != 32:
        raise TrusteeProblem(_("The public key is not an Ed25519 key (32 bytes)."))
    return Ed25519PublicKey.from_public_bytes(raw)


def check_registration(name: str, public_key: str) -> str:
    """The public key as stored, or `TrusteeProblem`."""
    if not name.strip():
        raise TrusteeProblem(_("Give the trustee's name as it will be printed on receipts."))
    if len(name.strip()) > 150:
        raise TrusteeProblem(_("The trustee's name is longer than 150 characters."))
    key = public_key_text(_public_key(public_key))
    if Trustee.objects.filter(public_key=key).exists():
        raise TrusteeProblem(
            _("This key (fingerprint %(fingerprint)s) is already registered.")
            % {"fingerprint": key_fingerprint(key)}
        )
    return key


def do_register_trustee(name: str, public_key: str, *, acting_user: Any) -> Trustee:
    """Register a trustee's public key (the national admin; audited)."""
    key = check_registration(name, public_key)
    try:
        with transaction.atomic():
            trustee = Trustee.objects.create(
                name=" ".join(name.split()), public_key=key, registered_at=timezone.now()
            )
            services.record(
                "audit.trustee_registered",
                acting_user=acting_user,
                target_type="trustee",
                target_id=trustee.pk,
                detail={"trustee": trustee.name, "key_fingerprint": key_fingerprint(key)},
            )
    except IntegrityError as exc:  # registered at the same moment by someone else
        raise TrusteeProblem(
            _("This key (fingerprint %(fingerprint)s) is already registered.")
            % {"fingerprint": key_fingerprint(key)}
        ) from exc
    return trustee


def find_trustee(fingerprint_or_id: str) -> Trustee:
    wanted = fingerprint_or_id.replace(" ", "").lower()
    for trustee in Trustee.objects.all():
        if str(trustee.pk) == wanted or key_fingerprint(trustee.public_key).replace(
            " ", ""
        ).startswith(wanted or "-"):
            return trustee
    raise TrusteeProblem(
        _(
            "No trustee key has the number or fingerprint %(wanted)s "
            "(see `kenes audit trustee list`)."
        )
        % {"wanted": fingerprint_or_id}
    )


def do_retire_trustee(trustee: Trustee, *, acting_user: Any) -> Trustee:
    """A trustee who leaves: their key countersigns nothing new; what it signed stays valid."""
    with transaction.atomic():
        trustee = Trustee.objects.select_for_update().get(pk=trustee.pk)
        if trustee.retired_at is not None:
            raise TrusteeProblem(
                _("The key of %(name)s was already retired.") % {"name": trustee.name}
            )
        trustee.retired_at = timezone.now()
        trustee.save(update_fields=["retired_at"])
        services.record(
            "audit.trustee_retired",
            acting_user=acting_user,
            target_type="trustee",
            target_id=trustee.pk,
            detail={
                "trustee": trustee.name,
                "key_fingerprint": key_fingerprint(trustee.public_key),
            },
        )
    return trustee


def active_trustees() -> list[Trustee]:
    return list(Trustee.objects.filter(retired_at__isnull=True))


def _parse_countersignature(payload: Any) -> tuple[ReceiptData, str, str]:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise TrusteeProblem(
            _("The file is not a countersignature (made by `kenes audit countersign`).")
        )
    receipt = payload.get("receipt")
    key, signature = payload.get("public_key"), payload.get("signature")
    if not isinstance(key, str) or not isinstance(signature, str):
        raise TrusteeProblem(_("The countersignature lacks its public key or its signature."))
    try:
        data = parse({"format": "kenes-audit-receipt-v1", **(receipt or {})})
    except (ReceiptProblem, TypeError) as exc:
        raise TrusteeProblem(
            _("The receipt inside the countersignature cannot be read: %(error)s") % {"error": exc}
        ) from exc
    return data, key, signature


def do_attach_countersignature(payload: Any, *, acting_user: Any) -> tuple[Countersignature, bool]:
    """Attach a trustee's countersignature to the server's receipt; (row, newly attached).

    Refused, with nothing stored, unless the receipt is one this server signed, the key is
    a registered (not retired) trustee's and the signature is that key's over that receipt.
    """
    data, key, signature = _parse_countersignature(payload)
    receipt = Receipt.objects.filter(
        server_id=data.server_id,
        seq=data.seq,
        head=data.head,
        signature=data.signature,
        public_key=data.public_key,
    ).first()
    if receipt is None:
        raise TrusteeProblem(
            _(
                "This server signed no receipt with entry %(seq)s and head %(head)s: the "
                "countersignature belongs to another receipt or another server."
            )
            % {"seq": data.seq, "head": data.head[:16]}
        )
    key = public_key_text(_public_key(key))
    trustee = Trustee.objects.filter(public_key=key).first()
    if trustee is None or trustee.retired_at is not None:
        raise TrusteeProblem(
            _(
                "The countersignature is made with a key that is not a registered trustee's "
                "(fingerprint %(fingerprint)s): the national admin registers each trustee's "
                "public key first."
            )
            % {"fingerprint": key_fingerprint(key)}
        )
    if not signature_valid(key, signature, data):
        raise TrusteeProblem(
            _(
                "The countersignature of %(name)s does not match the receipt: the file was "
                "edited. Nothing was attached."
            )
            % {"name": trustee.name}
        )
    with transaction.atomic():
        row, created = Countersignature.objects.get_or_create(
            receipt=receipt,
            trustee=trustee,
            defaults={"signature": signature, "attached_at": timezone.now()},
        )
        if created:
            services.record(
                "audit.countersign",
                acting_user=acting_user,
                target_type="receipt",
                target_id=receipt.pk,
                detail={
                    "seq": receipt.seq,
                    "trustee": trustee.name,
                    "key_fingerprint": key_fingerprint(key),
                },
            )
    return row, created


def signature_valid(public_key: str, signature: str, data: ReceiptData) -> bool:
    try:
        _public_key(public_key).verify(_b64decode(signature), countersign_text(data))
    except (InvalidSignature, ReceiptProblem, TrusteeProblem):
        return False
    return True


@dataclass(frozen=True)
class CountersignatureCheck:
    """One trustee's countersignature on a receipt file: valid, invalid (the signature does
    not match the receipt), unregistered (no registered trustee holds the key) or missing
    (a registered trustee's countersignature is not in the file)."""

    name: str
    key_fingerprint: str
    status: str
    problem: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "key_fingerprint": self.key_fingerprint,
            "status": self.status,
            "problem": self.problem,
        }


def check_countersignatures(data: ReceiptData) -> list[CountersignatureCheck]:
    """Every countersignature in the receipt file against the registered keys, then every
    trustee in office at the receipt's time whose countersignature the file lacks (an
    invalid one is reported as invalid, not also as missing)."""
    registered = {t.public_key: t for t in Trustee.objects.all()}
    found: list[CountersignatureCheck] = []
    signed: set[str] = set()
    for item in data.countersignatures:
        key = str(item.get("public_key", ""))
        try:
            key = public_key_text(_public_key(key))
            fingerprint = key_fingerprint(key)
        except (TrusteeProblem, ReceiptProblem):
            fingerprint = ""
        trustee = registered.get(key)
        name = trustee.name if trustee is not None else str(item.get("name", ""))
        signed.add(key)  # present: valid or not, it is not missing
        if trustee is None:
            found.append(
                CountersignatureCheck(
                    name,
                    fingerprint,
                    "unregistered",
                    _(
                        "The countersignature of “%(name)s” is made with a key no registered "
                        "trustee holds (fingerprint %(fingerprint)s)."
                    )
                    % {"name": name, "fingerprint": fingerprint or "?"},
                )
            )
        elif not signature_valid(key, str(item.get("signature", "")), data):
            found.append(
                CountersignatureCheck(
                    name,
                    fingerprint,
                    "invalid",
                    _(
                        "The countersignature of %(name)s does not match the receipt: the "
                        "receipt or the countersignature was edited."
                    )
                    % {"name": name},
                )
            )
        else:
            found.append(CountersignatureCheck(name, fingerprint, "valid"))
    at = datetime.fromisoformat(data.time)
    # registered by the receipt's time (which is cut to the second), not retired before it
    in_office = Trustee.objects.filter(registered_at__lt=at + timedelta(seconds=1)).filter(
        Q(retired_at__isnull=True) | Q(retired_at__gt=at)
    )
    for trustee in in_office:
        if trustee.public_key not in signed:
            found.append(
                CountersignatureCheck(
                    trustee.name,
                    key_fingerprint(trustee.public_key),
                    "missing",
                    _("%(name)s has not countersigned this receipt.") % {"name": trustee.name},
                )
            )
    return found


def read_json(path: Path) -> Any:
    """A receipt or countersignature file; `TrusteeProblem` with a sentence otherwise."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TrusteeProblem(
            _("The file %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": exc.strerror}
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise TrusteeProblem(_("The file %(path)s is not JSON.") % {"path": path}) from exc


def all_trustees() -> list[Trustee]:
    """Every registered key, in office or retired (for the trustees page)."""
    return list(Trustee.objects.order_by("retired_at", "id"))


def recent_receipts(limit: int = 10) -> list[tuple[Receipt, ReceiptData]]:
    """The newest stored receipts, each with its file's content (countersignatures too)."""
    rows = Receipt.objects.order_by("-seq", "-id")[:limit]
    return [(row, receipt_data(row)) for row in rows]


def stored_receipt(seq: int) -> ReceiptData | None:
    row = Receipt.objects.filter(seq=seq).order_by("-id").first()
    return receipt_data(row) if row is not None else None


def attached_sentence(row: Countersignature, created: bool) -> str:
    """What the command and the page say after `do_attach_countersignature`."""
    values = {"name": row.trustee.name, "seq": row.receipt.seq}
    if created:
        return (
            _("Attached the countersignature of %(name)s to the receipt of entry %(seq)s.") % values
        )
    return (
        _("The countersignature of %(name)s was already attached to the receipt of entry %(seq)s.")
        % values
    )
