"""The members API answers out-of-range pages and ids with a clear 4xx, never a 500."""

from __future__ import annotations

import io

import pytest

from kenes.audit.models import AuditEntry
from kenes.registry.importing import do_import_members
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, officers):  # type: ignore[no-untyped-def]
    client.force_login(officers["admin"])
    return client


@pytest.mark.parametrize("page", ["0", "-1", "-99999999999999999999"])
def test_a_page_below_one_is_a_400_that_says_pages_start_at_1(api, page):
    response = api.get("/api/v1/members", {"page": page})
    assert response.status_code == 400
    assert "numbered from 1" in response.json()["detail"]


@pytest.mark.parametrize("page", ["2", "9223372036854775808", "1" + "0" * 30])
def test_a_page_past_the_last_is_a_404_that_names_the_last_page(api, groups, page):
    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(3)])),
        filename="w.csv",
        group=groups["workers"],
        acting_user="t",
    )
    response = api.get("/api/v1/members", {"page": page})
    assert response.status_code == 404
    assert "the last page is 1" in response.json()["detail"]
    assert not AuditEntry.objects.filter(action="member.list").exists()


def test_a_page_that_is_not_a_number_is_a_4xx(api):
    assert api.get("/api/v1/members", {"page": "x"}).status_code in (400, 422)


@pytest.mark.parametrize("member_id", ["0", "9223372036854775808", "1" + "0" * 25])
def test_an_impossible_member_id_is_a_404(api, member_id):
    response = api.get(f"/api/v1/members/{member_id}")
    assert response.status_code == 404


def test_the_first_page_of_an_empty_registry_is_empty_not_an_error(api):
    response = api.get("/api/v1/members", {"page": "1"})
    assert response.status_code == 200 and response.json()["members"] == []
