"""The demo's congress: an ordinary congress a week ahead, its delegates seated by region
in proportion to the members in good standing (`kenes delegates --by region`), and their
badge codes in var/demo-badges.txt so a newcomer can keep the door."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from kenes.congress.models import Congress
from kenes.congress.services import do_add_delegates, do_create_congress
from kenes.parliament.delegates import apportion_delegates
from kenes.registry.models import Member
from kenes.registry.readiness import good_standing

SEATS = 60
SLUG = "s-2027"


def seed_demo_congress(*, admin: Any, badges_file: Path) -> Congress | None:
    """Once: nothing happens if any congress exists."""
    if Congress.objects.exists():
        return None
    today = timezone.localdate()
    congress = do_create_congress(
        slug=SLUG,
        title="Очередной съезд 2027 года",
        kind="ordinary",
        standing_on=today,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="Алматы, Дворец студентов",
        acting_user=admin,
    )
    seats = apportion_delegates(SEATS, by="region", on=today).delegates
    chosen: list[Member] = []
    for region, n in sorted(seats.items()):
        members = Member.objects.filter(good_standing(today), region_code=region)
        chosen += list(members.exclude(consent_on__isnull=True).order_by("pk")[:n])
    seated = do_add_delegates(congress, chosen, acting_user=admin)
    lines = [f"{s.badge_code}\t{s.delegate.region_code}\n" for s in seated]
    badges_file.write_text("".join(lines), encoding="utf-8")
    return congress
