"""The migration that seals names: names stored in the clear before it are sealed after it,
found through the name index, and nothing of them is left readable in the member table.
With custody set up and the server sealed, it stops with the sealed sentence and writes
nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kenes.custody.errors import Sealed
from kenes.registry.models import Member
from kenes.registry.name_search import with_name
from tests.custody.conftest import custody  # noqa: F401  (the fixture used below)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("registry", "0007_trustee_role")]
AFTER = [("registry", "0008_sealed_names")]
NAMES = ["Семёнов Пётр Иванович", "Нұрланов Қайрат Серікұлы"]


def _migrate(target):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _leaf() -> None:
    # every app: going back also unapplied the other apps that depend on it
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _stored_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM registry_member ORDER BY id")
        return [value for (value,) in cursor.fetchall()]


def _members_in_the_clear():  # type: ignore[no-untyped-def]
    old = _migrate(BEFORE)
    OldMember = old.get_model("registry", "Member")
    for n, name in enumerate(NAMES):
        OldMember.objects.create(full_name=name, iin_index=f"i{n}", region_code="KZ-75")
    assert _stored_names() == NAMES


def test_the_migration_seals_existing_names_and_indexes_them():
    try:
        _members_in_the_clear()
        _migrate(AFTER)
        stored = _stored_names()
        assert all(value.startswith("v1$") for value in stored)
        assert not any(part in value for value in stored for n in NAMES for part in n.split())
        assert [m.full_name for m in Member.objects.order_by("pk")] == NAMES
        assert {m.full_name for m in with_name(Member.objects.all(), "семенов петр")} == {NAMES[0]}
        assert {m.full_name for m in with_name(Member.objects.all(), "кайрат")} == {NAMES[1]}
        _migrate(BEFORE)  # and back: the names in the clear again
        assert _stored_names() == NAMES
    finally:
        _leaf()


def test_while_sealed_the_migration_stops_with_the_sentence_and_writes_nothing(custody):  # noqa: F811
    try:
        _members_in_the_clear()
        custody.init()  # custody set up, no holder unsealed: the server is sealed
        with pytest.raises(Sealed, match="The server is sealed"):
            _migrate(AFTER)
        assert _stored_names() == NAMES
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert "registry_membernametoken" not in tables
    finally:
        with connection.cursor() as cursor:  # no key needed to migrate an empty table
            cursor.execute("DELETE FROM registry_member")
        _leaf()
