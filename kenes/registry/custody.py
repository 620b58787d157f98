"""Custody from the officers' side: the state of the keys, *Seal now*, each trustee's share
towards an unseal, and the audit rows for every step.

The key holder (kenes.custody.holder) has no database, and kenes.custody sits below the
audit log in the layers: the rows are written here, by the page's services and, for the
commands (`kenes seal`, `kenes unseal`, `kenes custody init`), by the receiver of
kenes.custody.signals.custody_event.

The change happens in the holder, not in the database, so a row cannot share its
transaction: the holder acts first and the row follows at once. A seal must never wait for
the database (duress); a row that fails to be written is said to the operator. No row ever
holds a share or a word of one: only who entered a share, how many are in and how many are
needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import receiver

from kenes.audit import services as audit
from kenes.custody import client, store
from kenes.custody.errors import CustodyProblem
from kenes.custody.signals import custody_event

SEAL = "custody.seal"
UNSEAL = "custody.unseal"
ENTERED = "custody.entered"  # one trustee's share counted towards an unseal
REFUSED = "custody.refused"  # a share that did not count (unreadable, another set, twice)
INIT = "custody.init"
TARGET = "custody"


@dataclass(frozen=True)
class Step:
    """When custody last changed this way, and who did it (from the audit log)."""

    at: Any
    actor: str
    trustees: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustodyState:
    set_up: bool
    running: bool = False
    sealed: bool = False
    threshold: int | None = None
    trustees: int | None = None
    entered: int = 0
    entered_by: tuple[str, ...] = ()  # usernames of the trustees whose share is in
    expires_in: int | None = None  # seconds before the shares entered are forgotten
    last_seal: Step | None = None
    last_unseal: Step | None = None


@dataclass(frozen=True)
class EnteredShare:
    """What became of one trustee's share: never the share itself."""

    ok: bool
    counted: bool = False
    sealed: bool = True
    unsealed_now: bool = False
    entered: int = 0
    threshold: int = 0
    trustees: int = 0
    code: str = ""  # why it was refused (kenes.core.custody.errors.CustodyError codes, ...)
    params: dict[str, Any] = field(default_factory=dict)
    sentence: str = ""  # the holder's English sentence, for logs and commands


def _usernames(ids: list[str]) -> tuple[str, ...]:
    pks = [int(i) for i in ids if i.isdigit()]
    names = dict(get_user_model().objects.filter(pk__in=pks).values_list("pk", "username"))
    return tuple(names.get(int(i), i) if i.isdigit() else i for i in ids)


def _last(action: str) -> Step | None:
    entry = audit.entries_newest_first(action).filter(action=action).first()
    if entry is None:
        return None
    trustees = entry.detail.get("trustees") if isinstance(entry.detail, dict) else None
    return Step(entry.at, entry.actor, tuple(trustees or ()))


def custody_state() -> CustodyState:
    """Sealed or not, k of n, the shares entered so far, and the last seal and unseal."""
    if not store.is_set_up():
        return CustodyState(set_up=False)
    record = store.read_record()
    answer = client.holder_status()
    return CustodyState(
        set_up=True,
        running=bool(answer.get("running")),
        sealed=bool(answer.get("sealed", True)),
        threshold=record.threshold,
        trustees=record.trustees,
        entered=int(answer.get("entered") or 0),
        entered_by=_usernames(list(answer.get("entered_by") or [])),
        expires_in=answer.get("expires_in"),
        last_seal=_last(SEAL),
        last_unseal=_last(UNSEAL),
    )


def trustee_id(user: Any) -> str:
    """How the holder tells trustees apart: one share per account."""
    return str(user.pk)


def do_seal(*, acting_user: Any) -> None:
    """*Seal now*: the keys are dropped in the holder and every worker, then the row."""
    was_sealed = client.holder_status().get("sealed", True)
    client.seal()
    with transaction.atomic():
        audit.record(
            SEAL,
            acting_user=acting_user,
            target_type=TARGET,
            detail={"origin": "website", "previously": "sealed" if was_sealed else "unsealed"},
        )


def do_enter_share(text: str, *, acting_user: Any) -> EnteredShare:
    """One trustee's share, from their own account: counted once; k of them unseal.

    A share that does not count changes nothing but leaves a row (who tried, when).
    """
    if not store.is_set_up():
        return EnteredShare(ok=False, code="not_set_up")
    record = store.read_record()
    try:
        answer = client.enter_share(text, trustee=trustee_id(acting_user))
    except CustodyProblem as exc:
        return EnteredShare(ok=False, code="holder_unavailable", sentence=str(exc))
    result = EnteredShare(
        ok=bool(answer.get("ok")),
        counted=bool(answer.get("counted")),
        sealed=bool(answer.get("sealed", True)),
        unsealed_now=bool(answer.get("ok")) and "unsealed_by" in answer,
        entered=int(answer.get("entered") or 0),
        threshold=record.threshold,
        trustees=record.trustees,
        code=str(answer.get("code") or ""),
        params=dict(answer.get("params") or {}),
        sentence=str(answer.get("error") or ""),
    )
    counts = {"entered": result.entered, "needed": record.threshold}
    with transaction.atomic():
        if not result.ok:
            audit.record(REFUSED, acting_user=acting_user, target_type=TARGET, detail=counts)
        elif result.counted:
            if result.unsealed_now:
                counts["entered"] = record.threshold
            audit.record(ENTERED, acting_user=acting_user, target_type=TARGET, detail=counts)
        if result.unsealed_now:
            audit.record(
                UNSEAL,
                acting_user=acting_user,
                target_type=TARGET,
                detail={
                    "origin": "website",
                    "trustees": list(_usernames(list(answer["unsealed_by"]))),
                },
            )
    return result


@receiver(custody_event)
def record_command(sender: str, *, action: str, detail: dict[str, Any], **_: Any) -> None:
    """A row for what a custody command did (`kenes seal`, `kenes unseal`, `custody init`)."""
    with transaction.atomic():
        audit.record(
            f"custody.{action}", acting_user=sender, target_type=TARGET, detail=dict(detail)
        )
