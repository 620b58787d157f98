"""Role × action matrix: no role sees another's members, the auditor sees no personal data."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied

from kenes.registry.dossier import export_dossier
from kenes.registry.importing import do_import_members
from kenes.registry.scoping import Action, can, members_for
from kenes.registry.services import get_member_for_viewing
from tests.conftest import csv_bytes, person
from tests.named import member_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(groups, officers):
    """Workers in Almaty and Karaganda; farmers in Almaty and Kostanay; one person in both."""
    lists = {
        "workers": [
            person(1, region="Алматы"),
            person(2, region="Карагандинская область"),
            person(9, region="Алматы"),
        ],
        "farmers": [
            person(3, region="Алматы"),
            person(4, region="Костанайская область"),
            person(9, region="Алматы"),
        ],
    }
    for slug, rows in lists.items():
        do_import_members(
            io.BytesIO(csv_bytes(rows)),
            filename=f"{slug}.csv",
            group=groups[slug],
            acting_user="test",
        )
    return {row[0]: member_named(row[0]).pk for rows in lists.values() for row in rows}


def _names(user) -> set[str]:
    return set(members_for(user).values_list("full_name", flat=True))


def test_admin_sees_every_member(registry, officers):
    assert _names(officers["admin"]) == set(registry)


def test_regional_coordinator_sees_only_their_region(registry, officers):
    assert _names(officers["regional"]) == {person(1)[0], person(3)[0], person(9)[0]}


def test_group_coordinator_sees_only_their_group_and_each_person_once(registry, officers):
    visible = members_for(officers["group"])
    assert set(visible.values_list("full_name", flat=True)) == {person(n)[0] for n in (1, 2, 9)}
    assert visible.count() == 3


@pytest.mark.parametrize("role", ["auditor", "nobody"])
def test_auditor_and_roleless_users_see_no_member(registry, officers, role):
    assert _names(officers[role]) == set()


MATRIX = {
    # action:               admin  regional group  auditor nobody
    Action.VIEW_AGGREGATES: (True, True, True, True, False),
    Action.LIST_MEMBERS: (True, True, True, False, False),
    Action.IMPORT_MEMBERS: (True, False, True, False, False),
    Action.EXPORT_DOSSIER: (True, False, False, False, False),
    Action.VIEW_AUDIT_LOG: (True, False, False, True, False),
    Action.MANAGE_ROLES: (True, False, False, False, False),
}
ROLES = ("admin", "regional", "group", "auditor", "nobody")


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("index", range(len(ROLES)))
def test_role_action_matrix(officers, action, index):
    assert can(officers[ROLES[index]], action) is MATRIX[action][index]


def test_group_coordinator_may_import_only_into_their_group(officers, groups):
    assert can(officers["group"], Action.IMPORT_MEMBERS, groups["workers"])
    assert not can(officers["group"], Action.IMPORT_MEMBERS, groups["farmers"])


@pytest.mark.parametrize("role", ["regional", "group", "auditor", "nobody"])
def test_viewing_a_member_outside_the_scope_is_denied(registry, officers, role):
    outsider = registry[person(4)[0]]  # a farmer in Kostanay: nobody's but the admin's
    with pytest.raises(PermissionDenied):
        get_member_for_viewing(outsider, acting_user=officers[role])


@pytest.mark.parametrize("role", ["regional", "group", "auditor", "nobody"])
def test_only_admins_export_the_dossier(registry, officers, role):
    with pytest.raises(PermissionDenied):
        export_dossier(acting_user=officers[role])


def test_anonymous_sees_nothing(registry):
    from django.contrib.auth.models import AnonymousUser

    assert members_for(AnonymousUser()).count() == 0
    assert not any(can(AnonymousUser(), a) for a in Action)
