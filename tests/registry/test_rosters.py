"""Rosters: a group's members, sealed; filters by many ids; a roster moved to another
group does not open."""

from __future__ import annotations

import io

import pytest
from cryptography.exceptions import InvalidTag

from kenes.registry.importing import do_import_members
from kenes.registry.models import GroupRoster, Member
from kenes.registry.rosters import ids_in, open_roster
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db


def test_a_long_id_list_filters_as_one_parameter(groups):
    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(3)])),
        filename="x.csv",
        group=groups["workers"],
        acting_user="t",
    )
    real = set(Member.objects.values_list("pk", flat=True))
    wanted = set(range(10_000, 50_000)) | {min(real)}  # far past any parameter limit
    assert list(Member.objects.filter(ids_in(wanted)).values_list("pk", flat=True)) == [min(real)]
    assert set(Member.objects.filter(ids_in(real)).values_list("pk", flat=True)) == real


def test_a_roster_copied_onto_another_group_does_not_open(groups):
    do_import_members(
        io.BytesIO(csv_bytes([person(1)])),
        filename="x.csv",
        group=groups["workers"],
        acting_user="t",
    )
    workers, farmers = groups["workers"].pk, groups["farmers"].pk
    sealed = GroupRoster.objects.get(group_id=workers).sealed
    GroupRoster.objects.create(group_id=farmers, sealed=sealed, size=1)
    assert len(open_roster(workers).ids) == 1
    with pytest.raises(InvalidTag):  # the group id is the seal's associated data
        open_roster(farmers)
