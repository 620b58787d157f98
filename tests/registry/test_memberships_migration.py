"""The migration that seals group memberships: memberships in the clear before it are in
sealed rosters after it (with what a joining group typed), the membership table is gone,
and a waiting conflict's group is sealed. With custody set up and the server sealed, it
stops with the sealed sentence and writes nothing."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kenes.custody.errors import Sealed
from kenes.registry.models import MergeConflict
from kenes.registry.rosters import open_roster
from tests.custody.conftest import custody  # noqa: F401  (the fixture used below)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("registry", "0009_bulk_read_requests")]
AFTER = [("registry", "0010_sealed_memberships")]


def _migrate(target):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _leaf() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("registry"))


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _memberships_in_the_clear(typed: str):  # type: ignore[no-untyped-def]
    """Memberships as the table held them (what a group typed sealed, as it was)."""
    old = _migrate(BEFORE)
    Group = old.get_model("registry", "ConstituentGroup")
    Member = old.get_model("registry", "Member")
    Membership = old.get_model("registry", "Membership")
    Conflict = old.get_model("registry", "MergeConflict")
    first, later = (Group.objects.create(slug=s, name=s) for s in ("first", "later"))
    a, b, c = (
        Member.objects.create(full_name=n, iin_index=n, region_code="KZ-75")
        for n in ("a", "b", "c")
    )
    Membership.objects.create(member=a, group=first)
    Membership.objects.create(member=b, group=first)
    Membership.objects.create(member=a, group=later, keeps_record=False, entered=typed)
    Membership.objects.create(member=c, group=later)
    Conflict.objects.create(member=b, group=later, entered="{}", differs="full_name")
    return first.pk, later.pk, (a.pk, b.pk, c.pk)


def test_the_migration_seals_existing_memberships_into_rosters():
    typed = json.dumps({"phone": "+77010000001"})
    try:
        first, later, (a, b, c) = _memberships_in_the_clear(typed)
        _migrate(AFTER)
        assert "registry_membership" not in _tables()
        assert open_roster(first).ids == {a, b}
        assert open_roster(first).record_ids() == [a, b]
        roster = open_roster(later)
        assert roster.ids == {a, c} and roster.joined == {a: typed}
        assert not roster.keeps_record(a) and roster.keeps_record(c)
        conflict = MergeConflict.objects.only("member", "group_ref").get()  # as of 0010
        assert conflict.group.pk == later and conflict.member_id == b
        with connection.cursor() as cursor:
            cursor.execute("SELECT sealed, size FROM registry_grouproster ORDER BY group_id")
            stored = cursor.fetchall()
            cursor.execute("SELECT group_ref FROM registry_mergeconflict")
            (ref,) = cursor.fetchone()
        assert [size for _, size in stored] == [2, 2]
        assert all(s.startswith("v1$") and "ids" not in s for s, _ in stored)
        assert ref.startswith("v1$")
    finally:
        MergeConflict.objects.all().delete()
        _leaf()


def test_while_sealed_the_migration_stops_with_the_sentence_and_writes_nothing(custody):  # noqa: F811
    try:
        _memberships_in_the_clear("{}")
        custody.init()  # custody set up, no holder unsealed: the server is sealed
        with pytest.raises(Sealed, match="The server is sealed"):
            _migrate(AFTER)
        tables = _tables()
        assert "registry_membership" in tables and "registry_grouproster" not in tables
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM registry_membership")
            assert cursor.fetchone()[0] == 4
    finally:
        with connection.cursor() as cursor:  # no key needed to migrate empty tables
            cursor.execute("DELETE FROM registry_mergeconflict")
            cursor.execute("DELETE FROM registry_membership")
        _leaf()
