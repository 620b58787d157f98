"""What was published is checked against the chain's head recorded at publication.

When an election's results are published, its ballot box's head (digest) goes into the
publication's audit entry, and `do_anchor` records, beside it, that entry's number in the
chain (`seq`) and hash: the head the box was published at. Right after, a receipt is signed
(kenes.audit.receipts.sign_for_event), so a server signature covers that entry.

`check_published` (run by `kenes audit verify`, check "published") then proves, for every
published box, that the box still hashes to its digest, that the chain still holds the
recorded entry at that number, and that every stored receipt signed since is still extended
by the chain (`check_stored_receipts`, check "receipts", does this for all receipts). Whoever
holds the database and changes a ballot, then the box's head, the publication's entry, every
later hash and this record to match, still cannot re-sign the receipt signed at
publication: the chain no longer ends in its head at its number.

The audit app imports no other app: an app registers how to compute the current digest of
what it published (`register_digest`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services
from kenes.audit.models import Anchor, AuditEntry, ChainHead, Receipt, SigningKey
from kenes.audit.receipts import ReceiptProblem, _b64decode, canonical_text
from kenes.audit.verifiers import CheckResult

_digests: dict[str, tuple[Callable[[str], str | None], Callable[[str], str]]] = {}


def register_digest(
    kind: str, digest_of: Callable[[str], str | None], describe: Callable[[str], str]
) -> None:
    """`digest_of(target_id)`: what the published thing hashes to now (None: gone);
    `describe(target_id)`: its name in a sentence (an election's title)."""
    _digests[kind] = (digest_of, describe)


def do_anchor(kind: str, target_id: Any, digest: str) -> Anchor:
    """Record the chain's head as it is now, in the publication's transaction, right after
    its audit entry (which must record `digest`)."""
    if not connection.in_atomic_block:
        raise RuntimeError("do_anchor must run inside the transaction of the publication")
    head = ChainHead.objects.select_for_update().get(pk=1)
    last = AuditEntry.objects.order_by("-id").first()
    if last is None or last.hash != head.last_hash or digest not in _values(last.detail):
        raise RuntimeError("the publication's audit entry must be the chain's last entry")
    return Anchor.objects.create(
        kind=kind,
        target_id=str(target_id),
        digest=digest,
        seq=head.count,
        entry_hash=head.last_hash,
        recorded_at=timezone.now(),
    )


def anchor_of(kind: str, target_id: Any) -> Anchor | None:
    return Anchor.objects.filter(kind=kind, target_id=str(target_id)).first()


def _values(detail: Any) -> list[Any]:
    return list(detail.values()) if isinstance(detail, dict) else []


@dataclass(frozen=True)
class _Walk:
    """The chain's entries at the asked positions (1-based), as far as it links intact."""

    at: dict[int, AuditEntry]
    length: int  # entries that link intact from the start
    broken_at: int | None  # id of the first entry that does not fit


def _walk(positions: Iterable[int]) -> _Walk:
    wanted = set(positions)
    found: dict[int, AuditEntry] = {}
    prev = services.GENESIS
    position = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or services.entry_hash(entry) != entry.hash:
            return _Walk(found, position, entry.id)
        position += 1
        prev = entry.hash
        if position in wanted:
            found[position] = entry
    return _Walk(found, position, None)


def _hash_at(walk: _Walk, seq: int) -> str | None:
    if seq == 0:
        return services.GENESIS
    entry = walk.at.get(seq)
    return entry.hash if entry is not None else None


def _genuine(receipt: Receipt, keys: set[tuple[str, str]]) -> bool:
    if (receipt.public_key, receipt.server_id) not in keys:
        return False
    text = canonical_text(
        server_id=receipt.server_id, seq=receipt.seq, head=receipt.head, time=_time(receipt)
    )
    try:
        public = Ed25519PublicKey.from_public_bytes(_b64decode(receipt.public_key))
        public.verify(_b64decode(receipt.signature), text)
    except (InvalidSignature, ReceiptProblem, ValueError):
        return False
    return True


def _receipt_problem(receipt: Receipt, walk: _Walk) -> str:
    if walk.broken_at is not None and receipt.seq > walk.length:
        return _(
            "The chain breaks at entry %(entry)s, before the head the receipt of %(time)s "
            "signed (see `kenes audit verify`)."
        ) % {"entry": walk.broken_at, "time": _time(receipt)}
    if receipt.seq > walk.length:
        return _(
            "The chain has %(count)s entries, fewer than the %(seq)s the receipt of %(time)s "
            "signed: entries were removed."
        ) % {"count": walk.length, "seq": receipt.seq, "time": _time(receipt)}
    if _hash_at(walk, receipt.seq) != receipt.head:
        return _(
            "Entry number %(seq)s of the chain is not the head the receipt of %(time)s signed: "
            "the chain was rewritten at or before it."
        ) % {"seq": receipt.seq, "time": _time(receipt)}
    return ""


def _time(receipt: Receipt) -> str:
    return receipt.signed_at.astimezone(UTC).replace(microsecond=0).isoformat()


def check_stored_receipts() -> CheckResult:
    """Every receipt the server stored: signed by a key it holds, and extended by the chain.

    An adversary with the database can delete receipts (keep copies outside: minutes) but
    cannot forge one, nor keep one valid while rewriting the chain before its head."""
    receipts = list(Receipt.objects.order_by("seq", "id"))
    keys = set(SigningKey.objects.values_list("public_key", "server_id"))
    walk = _walk(r.seq for r in receipts)
    problems: list[str] = []
    for receipt in receipts:
        if not _genuine(receipt, keys):
            problems.append(
                _(
                    "The stored receipt of %(time)s (entry %(seq)s) is not signed by this "
                    "server's key: it was edited or forged."
                )
                % {"time": _time(receipt), "seq": receipt.seq}
            )
            continue
        problem = _receipt_problem(receipt, walk)
        if problem:
            problems.append(problem)
    return CheckResult(checked=len(receipts), problems=problems)


@dataclass(frozen=True)
class PublishedCheck:
    kind: str
    target_id: str
    digest: str
    seq: int
    entry_hash: str
    receipt_seq: int | None  # the first stored receipt that covers the entry, if any
    problem: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target_id": self.target_id,
            "digest": self.digest,
            "seq": self.seq,
            "entry_hash": self.entry_hash,
            "receipt_seq": self.receipt_seq,
            "problem": self.problem,
        }


def published_checks() -> list[PublishedCheck]:
    """Each anchored publication against the chain and the stored receipts."""
    anchors = list(Anchor.objects.order_by("id"))
    receipts = list(Receipt.objects.order_by("seq", "id"))
    keys = set(SigningKey.objects.values_list("public_key", "server_id"))
    walk = _walk([a.seq for a in anchors] + [r.seq for r in receipts])
    genuine = [r for r in receipts if _genuine(r, keys)]
    return [_check_anchor(anchor, walk, genuine) for anchor in anchors]


def _check_anchor(anchor: Anchor, walk: _Walk, receipts: list[Receipt]) -> PublishedCheck:
    covering = [r for r in receipts if r.seq >= anchor.seq]
    found = {
        "kind": anchor.kind,
        "target_id": anchor.target_id,
        "digest": anchor.digest,
        "seq": anchor.seq,
        "entry_hash": anchor.entry_hash,
        "receipt_seq": covering[0].seq if covering else None,
    }
    digest_of, describe = _digests.get(anchor.kind, (lambda _t: None, lambda t: t))
    name = describe(anchor.target_id)
    now = digest_of(anchor.target_id)
    entry = walk.at.get(anchor.seq)
    if now != anchor.digest:
        problem = _(
            "%(name)s has changed since it was published: at publication it hashed to "
            "%(recorded)s (chain entry %(seq)s), now to %(now)s."
        ) % {
            "name": name,
            "recorded": anchor.digest[:16],
            "seq": anchor.seq,
            "now": (now or _("nothing"))[:16],
        }
    elif entry is None or entry.hash != anchor.entry_hash:
        problem = _(
            "The chain no longer holds, at entry %(seq)s, the publication of %(name)s recorded "
            "with it: the chain was rewritten or cut back."
        ) % {"seq": anchor.seq, "name": name}
    elif anchor.digest not in _values(entry.detail):
        problem = _(
            "The chain's entry %(seq)s does not record the digest %(name)s was published with."
        ) % {"seq": anchor.seq, "name": name}
    else:
        problem = ""
        for receipt in covering:
            if _receipt_problem(receipt, walk):
                problem = _(
                    "%(name)s, or its publication in the chain, was changed after the receipt of "
                    "%(time)s signed it: the chain no longer ends in that receipt's head at "
                    "entry %(seq)s."
                ) % {"name": name, "time": _time(receipt), "seq": receipt.seq}
                break
    return PublishedCheck(**found, problem=problem)


def check_published() -> CheckResult:
    checks = published_checks()
    return CheckResult(checked=len(checks), problems=[c.problem for c in checks if c.problem])
