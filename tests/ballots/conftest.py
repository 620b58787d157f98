"""Members made by a real import, and elections built through the services."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from kenes.ballots import services
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member
from tests.conftest import csv_bytes, person


def make_members(group, numbers, **kwargs):  # type: ignore[no-untyped-def]
    content = csv_bytes([person(n, **kwargs) for n in numbers])
    do_import_members(io.BytesIO(content), filename="m.csv", group=group, acting_user="test")
    return list(Member.objects.order_by("pk"))


@pytest.fixture
def members(groups):  # type: ignore[no-untyped-def]
    return make_members(groups["workers"], range(12))


def open_election(members, admin, *, candidates=4, seats=1, method="stv", **kwargs):  # type: ignore[no-untyped-def]
    election = services.do_create_election(
        "Совет",
        method=method,
        seats=seats,
        cutoff_on=timezone.localdate(),
        acting_user=admin,
        **kwargs,
    )
    for m in members[:candidates]:
        services.do_add_candidate(election, m, statement="За честные выборы", acting_user=admin)
    issued = services.do_open(election, acting_user=admin)
    election.refresh_from_db()
    return election, {i.member_id: i.code for i in issued}


def open_motion(members, admin, **kwargs):  # type: ignore[no-untyped-def]
    election = services.do_create_election(
        "Резолюция", kind="motion", cutoff_on=timezone.localdate(), acting_user=admin, **kwargs
    )
    issued = services.do_open(election, acting_user=admin)
    election.refresh_from_db()
    return election, [i.code for i in issued]


def cast_ballots():  # type: ignore[no-untyped-def]
    """(receipt, ranking) of every online ballot now in a sealed envelope, opened as the close
    opens them (kenes.ballots.envelopes), sorted by receipt."""
    from kenes.ballots import envelopes
    from kenes.ballots.models import BallotEnvelope, Election

    found = []
    for election in Election.objects.filter(pk__in=BallotEnvelope.objects.values("election")):
        found.extend((c.receipt, c.ranking) for _, c in envelopes.opened(election))
    return sorted(found)
