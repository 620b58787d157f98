"""Role × page matrix: what each role gets on every page and action, in one table.

200 = shown, 403 = refused. "worker"/"farmer" are members of the workers group
(Almaty city) and of the farmers group (Karaganda Region); the group
coordinator runs the workers group, the regional coordinator Almaty city.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ("admin", "regional", "group", "auditor", "nobody")
MATRIX = [
    # page                               admin regional group auditor nobody
    ("dashboard", None, (200, 200, 200, 200, 200)),
    ("groups", None, (200, 200, 200, 200, 403)),
    ("group_add", None, (200, 403, 403, 403, 403)),
    ("members", None, (200, 200, 200, 403, 403)),
    ("member_detail", "worker", (200, 200, 200, 403, 403)),
    ("member_detail", "farmer", (200, 403, 403, 403, 403)),
    ("import", None, (200, 403, 200, 403, 403)),
    ("member_add", None, (200, 403, 200, 403, 403)),
    ("readiness", None, (200, 200, 200, 200, 403)),
    ("readiness_dossier", None, (302, 403, 403, 403, 403)),  # GET: back to readiness
    ("delegates", None, (200, 200, 200, 200, 403)),
    ("audit", None, (200, 403, 403, 200, 403)),
    ("officers", None, (200, 403, 403, 403, 403)),
    ("password_change", None, (200, 200, 200, 200, 200)),
    # issue 12: members' correction requests (the group that keeps the record answers them),
    # two people for every bulk read, retention, trustees' countersigning keys
    ("data_requests", None, (200, 403, 200, 403, 403)),
    ("bulk_reads", None, (200, 200, 200, 403, 403)),
    ("bulk_read_settings", None, (200, 403, 403, 403, 403)),
    ("retention", None, (200, 403, 403, 200, 403)),
    ("audit_trustees", None, (200, 403, 403, 200, 403)),
]


@pytest.mark.parametrize("page,obj,expected", MATRIX, ids=[f"{p}-{o}" for p, o, _ in MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_role_page_matrix(client_for, registry, page, obj, expected, role_index):
    url = reverse(page, args=[registry[obj].pk] if obj else [])
    response = client_for(ROLES[role_index]).get(url)
    assert response.status_code == expected[role_index], (ROLES[role_index], url)


def test_names_of_out_of_scope_members_never_appear_in_a_coordinators_list(client_for, registry):
    html = client_for("group").get(reverse("members")).content.decode()
    assert registry["worker"].full_name in html
    assert registry["farmer"].full_name not in html
