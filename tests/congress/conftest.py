"""Members made by a real import in several regions, and a congress made through the
services."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kenes.congress import services
from kenes.registry.models import Member
from tests.ballots.conftest import make_members

REGIONS = ("Алматы", "Астана", "Шымкент")


@pytest.fixture
def people(groups):  # type: ignore[no-untyped-def]
    """Nine members in good standing, three in each of three regions."""
    for i, region in enumerate(REGIONS):
        make_members(groups["workers"], range(i * 3, i * 3 + 3), region=region)
    Member.objects.update(consent_on=timezone.localdate())  # an import records none
    return list(Member.objects.order_by("pk"))


def make_congress(admin, *, kind="ordinary", slug="s1"):  # type: ignore[no-untyped-def]
    return services.do_create_congress(
        slug=slug,
        title="Очередной съезд",
        kind=kind,
        standing_on=timezone.localdate(),
        starts_at=timezone.now() + datetime.timedelta(days=7),
        acting_user=admin,
    )


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """The services' sentences are asserted as written (the site's default is Russian)."""
    from django.utils import translation

    with translation.override("en"):
        yield
