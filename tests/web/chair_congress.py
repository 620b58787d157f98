"""A small open congress for the chair's console tests (tests/web/test_chair*.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from kenes.congress import services
from kenes.registry.models import Member
from tests.ballots.conftest import make_members

REGIONS = ("Алматы", "Астана", "Шымкент")


@pytest.fixture
def seated(groups, officers):  # type: ignore[no-untyped-def]
    """An ordinary congress, open, with nine delegates (three regions); six in the hall."""
    for i, region in enumerate(REGIONS):
        make_members(groups["workers"], range(i * 3, i * 3 + 3), region=region)
    Member.objects.update(consent_on=timezone.localdate())
    admin = officers["admin"]
    congress = services.do_create_congress(
        slug="s1",
        title="Очередной съезд",
        kind="ordinary",
        standing_on=timezone.localdate(),
        acting_user=admin,
    )
    seats = services.do_add_delegates(congress, Member.objects.order_by("pk"), acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seats[:6]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    return congress, seats


def admin_client(officers) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(officers["admin"])
    return client
