"""One role per user and scope, enforced by the database on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.db import IntegrityError, transaction

from kenes.registry.models import Role
from kenes.registry.services import do_grant_role
from tests.concurrency import run_together


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scope",
    [
        {"kind": "admin"},
        {"kind": "auditor"},
        {"kind": "regional", "region_code": "KZ-75"},
        {"kind": "group", "group": "workers"},
    ],
)
def test_the_database_refuses_the_same_role_twice(groups, scope):
    user = get_user_model().objects.create_user("twice")
    values = dict(scope)
    if "group" in values:
        values["group"] = groups[values["group"]]
    Role.objects.create(user=user, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Role.objects.create(user=user, **values)
    assert Role.objects.filter(user=user).count() == 1


def test_no_model_check_warns_that_a_constraint_is_not_enforced():
    found = [m for m in checks.run_checks(tags=[checks.Tags.models]) if m.id == "models.W047"]
    assert found == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    os.environ.get("KENES_TEST_DB") != "postgres",
    reason="concurrency is tested on PostgreSQL (make test runs it there)",
)
def test_granting_one_role_from_many_threads_at_once_leaves_one_role(groups):
    user = get_user_model().objects.create_user("raced")

    def grant() -> Role:
        return do_grant_role(user, "admin", acting_user="t")

    results, errors = run_together([grant] * 8)
    assert not errors, errors
    assert Role.objects.filter(user=user).count() == 1
    assert len({r.pk for r in results}) == 1
