"""The agenda and its lists of speakers, with the chair's timer.

Order of the floor: points of order first, in the order asked; then everyone else in the
order asked, or, on a balanced list, the first waiting speaker who differs from the last
one by region (delegation) or by sex, when there is one (OpenSlides #3544). Only a delegate
in the hall may ask for the floor. The chair starts the next speaker (which ends the one
speaking) and stops; each speaker's time counts against the per-speaker limit and their
delegation's limit for the item. Times come from the server's clock; the projector shows
what is left (kenes.congress.speakers.timer).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.congress.models import (
    AgendaItem,
    Congress,
    CongressText,
    Delegate,
    Speaker,
    SpeakerKind,
    Status,
)
from kenes.congress.services import CongressError

BALANCES = ("", "region", "sex")


def do_add_item(
    congress: Congress,
    *,
    title: str,
    planned_start: datetime.datetime | None = None,
    planned_minutes: int = 0,
    text: CongressText | None = None,
    seconds_per_speaker: int = 180,
    seconds_per_delegation: int = 0,
    balance_by: str = "",
    acting_user: Any,
) -> AgendaItem:
    if balance_by not in BALANCES:
        raise CongressError(_("A list of speakers is balanced by region or by sex, or not at all."))
    if text is not None and text.congress_id != congress.pk:
        raise CongressError(_("The text belongs to another congress."))
    with transaction.atomic():
        Congress.objects.select_for_update().filter(pk=congress.pk).first()
        last = AgendaItem.objects.filter(congress=congress).aggregate(n=Max("position"))["n"]
        item = AgendaItem.objects.create(
            congress=congress,
            position=(last or 0) + 1,
            title=title,
            planned_start=planned_start,
            planned_minutes=planned_minutes,
            text=text,
            seconds_per_speaker=seconds_per_speaker,
            seconds_per_delegation=seconds_per_delegation,
            balance_by=balance_by,
        )
        audit.record(
            "congress.item_add",
            acting_user=acting_user,
            target_type="congress",
            target_id=congress.pk,
            detail={"item": item.position, "title": title},
        )
    return item


def do_make_current(item: AgendaItem, *, acting_user: Any) -> None:
    """The hall moves to this item (the projector shows it); the one before is done."""
    with transaction.atomic():
        before = AgendaItem.objects.select_for_update().filter(
            congress_id=item.congress_id, current=True
        )
        before.exclude(pk=item.pk).update(current=False, done=True)
        AgendaItem.objects.filter(pk=item.pk).update(current=True, done=False)
        audit.record(
            "congress.item_current",
            acting_user=acting_user,
            target_type="congress",
            target_id=item.congress_id,
            detail={"item": item.position},
        )


def do_ask_for_floor(
    item: AgendaItem, delegate: Delegate, kind: str, *, acting_user: Any
) -> Speaker:
    if kind not in SpeakerKind.values:
        raise CongressError(
            _("Ask for the floor for, against, in the debate or on a point of order.")
        )
    if item.congress.status == Status.CLOSED or item.done:
        raise CongressError(_("This item is over: the list of speakers is closed."))
    with transaction.atomic():
        locked = Delegate.objects.select_for_update().get(pk=delegate.pk)
        if locked.congress_id != item.congress_id or not locked.present:
            raise CongressError(_("Only a delegate in the hall may ask for the floor."))
        waiting = Speaker.objects.filter(
            item=item, delegate=locked, started_at__isnull=True, withdrawn=False
        )
        if waiting.filter(kind=kind).exists():
            raise CongressError(_("This delegate is on the list already."))
        speaker = Speaker.objects.create(
            item=item, delegate=locked, kind=kind, requested_at=timezone.now()
        )
        audit.record(
            "congress.floor_ask",
            acting_user=acting_user,
            target_type="congress",
            target_id=item.congress_id,
            detail={"item": item.position, "delegate": locked.pk, "kind": kind},
        )
    return speaker


def do_withdraw(speaker: Speaker, *, acting_user: Any) -> None:
    with transaction.atomic():
        n = Speaker.objects.filter(pk=speaker.pk, started_at__isnull=True, withdrawn=False).update(
            withdrawn=True
        )
        if n:
            audit.record(
                "congress.floor_withdraw",
                acting_user=acting_user,
                target_type="congress",
                target_id=speaker.item.congress_id,
                detail={"item": speaker.item.position, "delegate": speaker.delegate_id},
            )


def _attribute(speaker: Speaker, balance_by: str) -> str:
    if balance_by == "region":
        return speaker.delegate.region_code
    return speaker.delegate.member.sex or ""


def queue(item: AgendaItem) -> list[Speaker]:
    """The waiting speakers in the order they will be given the floor."""
    waiting = list(
        Speaker.objects.filter(item=item, started_at__isnull=True, withdrawn=False)
        .select_related("delegate", "delegate__member")
        .order_by("requested_at", "pk")
    )
    order = [s for s in waiting if s.kind == SpeakerKind.POINT_OF_ORDER]
    rest = [s for s in waiting if s.kind != SpeakerKind.POINT_OF_ORDER]
    if not item.balance_by:
        return order + rest
    last = (
        Speaker.objects.filter(item=item, started_at__isnull=False)
        .exclude(kind=SpeakerKind.POINT_OF_ORDER)
        .select_related("delegate", "delegate__member")
        .order_by("-started_at", "-pk")
        .first()
    )
    previous = _attribute(last, item.balance_by) if last else None
    balanced: list[Speaker] = []
    while rest:
        pick = next((s for s in rest if _attribute(s, item.balance_by) != previous), rest[0])
        rest.remove(pick)
        balanced.append(pick)
        previous = _attribute(pick, item.balance_by)
    return order + balanced


def _speaking(item: AgendaItem) -> Speaker | None:
    return (
        Speaker.objects.filter(item=item, started_at__isnull=False, ended_at__isnull=True)
        .select_related("delegate", "delegate__member")
        .first()
    )


def do_next_speaker(item: AgendaItem, *, acting_user: Any) -> Speaker | None:
    """End whoever speaks and give the floor to the next in the queue (None: nobody waits)."""
    with transaction.atomic():
        AgendaItem.objects.select_for_update().filter(pk=item.pk).first()
        now = timezone.now()
        Speaker.objects.filter(item=item, started_at__isnull=False, ended_at__isnull=True).update(
            ended_at=now
        )
        waiting = queue(item)
        if not waiting:
            return None
        speaker = waiting[0]
        speaker.started_at = now
        speaker.save(update_fields=["started_at"])
        audit.record(
            "congress.floor_give",
            acting_user=acting_user,
            target_type="congress",
            target_id=item.congress_id,
            detail={"item": item.position, "delegate": speaker.delegate_id, "kind": speaker.kind},
        )
    return speaker


def do_stop_speaker(item: AgendaItem, *, acting_user: Any) -> None:
    with transaction.atomic():
        n = Speaker.objects.filter(
            item=item, started_at__isnull=False, ended_at__isnull=True
        ).update(ended_at=timezone.now())
        if n:
            audit.record(
                "congress.floor_end",
                acting_user=acting_user,
                target_type="congress",
                target_id=item.congress_id,
                detail={"item": item.position},
            )


def delegation_seconds_used(item: AgendaItem, region_code: str, *, now: datetime.datetime) -> int:
    used = 0
    for started, ended in Speaker.objects.filter(
        item=item, delegate__region_code=region_code, started_at__isnull=False
    ).values_list("started_at", "ended_at"):
        used += int(((ended or now) - started).total_seconds())
    return used


@dataclass(frozen=True)
class Timer:
    speaker: Speaker | None
    allowed: int | None  # seconds this speaker may speak; None: no limit
    elapsed: int
    delegation_left: int | None  # seconds the speaker's delegation has left; None: no limit

    @property
    def left(self) -> int | None:
        """Seconds left (negative: over time); None without a limit."""
        return None if self.allowed is None else self.allowed - self.elapsed


def timer(item: AgendaItem, *, now: datetime.datetime | None = None) -> Timer:
    """Who speaks, for how long so far, and what is left of their time and their
    delegation's (the limits of the item; 0 in the item means no limit)."""
    now = now or timezone.now()
    speaker = _speaking(item)
    if speaker is None:
        return Timer(None, None, 0, None)
    assert speaker.started_at is not None
    elapsed = int((now - speaker.started_at).total_seconds())
    allowed: int | None = item.seconds_per_speaker or None
    delegation_left = None
    if item.seconds_per_delegation:
        used = delegation_seconds_used(item, speaker.delegate.region_code, now=now)
        delegation_left = item.seconds_per_delegation - used
        room = item.seconds_per_delegation - (used - elapsed)  # what it had when this began
        allowed = max(0, room if allowed is None else min(allowed, room))
    return Timer(speaker, allowed, elapsed, delegation_left)
