"""Memberships merged before names were compared count as joined: only the first group keeps
the record, so a group that merged someone else's IIN earlier loses sight of their phone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("registry", "0002_import_error_code")]
AFTER = [("registry", "0004_role_scope")]


def _migrate(target):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_the_earliest_membership_keeps_the_record_and_later_ones_joined():
    old = _migrate(BEFORE)
    try:
        Group = old.get_model("registry", "ConstituentGroup")
        Member = old.get_model("registry", "Member")
        Membership = old.get_model("registry", "Membership")
        Role = old.get_model("registry", "Role")
        User = old.get_model("auth", "User")
        first, later = (Group.objects.create(slug=s, name=s) for s in ("first", "later"))
        person = Member.objects.create(full_name="A", iin_index="x", region_code="KZ-75")
        alone = Member.objects.create(full_name="B", iin_index="y", region_code="KZ-75")
        kept = Membership.objects.create(member=person, group=first)
        joined = Membership.objects.create(member=person, group=later)
        only = Membership.objects.create(member=alone, group=later)
        if connection.vendor == "sqlite":  # SQLite let one role be granted twice
            user = User.objects.create(username="twice")
            Role.objects.create(user=user, kind="admin")
            Role.objects.create(user=user, kind="admin")
        new = _migrate(AFTER)
        Membership = new.get_model("registry", "Membership")
        keeps = dict(Membership.objects.values_list("pk", "keeps_record"))
        assert keeps == {kept.pk: True, joined.pk: False, only.pk: True}
        if connection.vendor == "sqlite":
            assert (
                new.get_model("registry", "Role").objects.filter(user__username="twice").count()
                == 1
            )
    finally:
        # every app: going back also unapplied the other apps that depend on it
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
