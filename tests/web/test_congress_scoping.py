"""Congress pages: each role against each action (kenes.registry.scoping), and which
delegates' names a regional coordinator is shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kenes.congress import services
from kenes.registry.scoping import Action, can, delegate_regions_seen_by
from tests.congress.conftest import make_congress
from tests.web.test_congress_pages import people  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

ROLES = ("admin", "regional", "group", "auditor", "nobody")
MATRIX = {
    # action:               admin  regional group  auditor nobody
    Action.SEE_CONGRESS: (True, True, False, False, False),
    Action.MANAGE_CONGRESS: (True, False, False, False, False),
    Action.KEEP_DOOR: (True, True, False, False, False),
    Action.PRINT_BADGES: (True, False, False, False, False),  # no region named
}


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("index", range(len(ROLES)))
def test_congress_role_action_matrix(officers, action, index):
    assert can(officers[ROLES[index]], action) is MATRIX[action][index]


def test_badges_are_printed_by_the_regions_coordinator_only(officers):
    assert can(officers["regional"], Action.PRINT_BADGES, "KZ-75")  # their region, Almaty city
    assert not can(officers["regional"], Action.PRINT_BADGES, "KZ-71")
    assert not can(officers["group"], Action.PRINT_BADGES, "KZ-75")
    assert can(officers["admin"], Action.PRINT_BADGES, "KZ-71")


PAGES = [
    # page               admin regional group auditor nobody
    ("congresses", (200, 200, 403, 403, 403)),
    ("congress_add", (200, 403, 403, 403, 403)),
    ("congress_detail", (200, 200, 403, 403, 403)),
    ("congress_door", (200, 200, 403, 403, 403)),
    ("congress_quorum", (200, 200, 403, 403, 403)),
]


@pytest.mark.parametrize("page,expected", PAGES, ids=[p for p, _ in PAGES])
@pytest.mark.parametrize("index", range(len(ROLES)), ids=ROLES)
def test_congress_role_page_matrix(officers, page, expected, index):
    congress = make_congress(officers["admin"])
    client = Client()
    client.force_login(officers[ROLES[index]])
    args = [] if page in ("congresses", "congress_add") else [congress.slug]
    assert client.get(reverse(page, args=args)).status_code == expected[index]


def test_a_regional_coordinator_sees_their_regions_delegates_by_name_and_others_as_counts(
    officers,
    people,  # noqa: F811
):
    congress = make_congress(officers["admin"])
    services.do_add_delegates(congress, people, acting_user=officers["admin"])
    assert delegate_regions_seen_by(officers["regional"]) == {"KZ-75"}
    assert delegate_regions_seen_by(officers["admin"]) is None
    client = Client()
    client.force_login(officers["regional"])
    page = client.get(reverse("congress_detail", args=[congress.slug])).content.decode()
    own = [m for m in people if m.region_code == "KZ-75"]
    others = [m for m in people if m.region_code != "KZ-75"]
    assert len(own) == 3 and len(others) == 6
    assert all(m.full_name in page for m in own)
    assert not any(m.full_name in page for m in others)
    admin = Client()
    admin.force_login(officers["admin"])
    everyone = admin.get(reverse("congress_detail", args=[congress.slug])).content.decode()
    assert all(m.full_name in everyone for m in people)
