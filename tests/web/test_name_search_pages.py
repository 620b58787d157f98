"""Officers search sealed names on the pages and the API: by part, prefix, case and ё/е,
within their scope only; and a copy of a live server's database file and WAL, taken after
members were imported, searched and edited, holds none of their names."""

from __future__ import annotations

import io
import shutil

import pytest
from django.urls import reverse

from kenes.registry.importing import do_import_members
from tests.conftest import csv_bytes, person, write_csv
from tests.registry.test_commands import kenes

pytestmark = pytest.mark.django_db

# Names a search must find in any spelling, in two regions and two groups.
ALMATY = ["Семёнов Пётр Иванович", "Жақсыбекова Әйгерім Болатқызы"]
KARAGANDA = ["Семенова Ольга Петровна", "Жаксыбеков Ерлан Болатович"]


def _row(n: int, name: str, region: str) -> list[str]:
    row = person(200 + n, region=region)
    row[0] = name
    return row


@pytest.fixture
def named(groups):  # type: ignore[no-untyped-def]
    rows = {"workers": [], "farmers": []}
    for n, name in enumerate(ALMATY):
        rows["workers"].append(_row(n, name, "Алматы"))
    for n, name in enumerate(KARAGANDA, start=10):
        rows["farmers"].append(_row(n, name, "Карагандинская область"))
    for slug, group_rows in rows.items():
        do_import_members(
            io.BytesIO(csv_bytes(group_rows)), filename="x.csv", group=groups[slug], acting_user="t"
        )


def _listed(client, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(reverse("members"), {"q": query})
    assert response.status_code == 200
    return [m.full_name for m in response.context["page"].object_list]


def test_the_members_page_finds_a_part_a_prefix_any_case_and_yo(client_for, named):
    admin = client_for("admin")
    assert _listed(admin, "семенов") == ["Семёнов Пётр Иванович", "Семенова Ольга Петровна"]
    assert _listed(admin, "СЕМЁНОВ иванович") == ["Семёнов Пётр Иванович"]
    assert _listed(admin, "жаксыбек") == ["Жаксыбеков Ерлан Болатович", ALMATY[1]]
    assert _listed(admin, "айгерим") == [ALMATY[1]]
    assert _listed(admin, "Болатович") == ["Жаксыбеков Ерлан Болатович"]
    assert _listed(admin, "Сидоров") == []


@pytest.mark.parametrize("role", ["admin", "regional"])
def test_a_long_result_is_counted_and_paged_the_same(client_for, named, role, monkeypatch):
    """Past the lists read as ids (ID_LIST) and the names intersected in Python
    (LISTED_IDS), the database counts and pages: the page must say the same."""
    from kenes.registry import name_search
    from kenes.web.views import common

    client = client_for(role)
    short = client.get(reverse("members"), {"q": "болат"}).context["page"]
    monkeypatch.setattr(common, "ID_LIST", 0)
    monkeypatch.setattr(name_search, "LISTED_IDS", 0)
    monkeypatch.setattr(name_search, "LISTED_IDS_NATIONAL", 0)
    long = client.get(reverse("members"), {"q": "болат"}).context["page"]
    assert long.paginator.count == short.paginator.count == (2 if role == "admin" else 1)
    assert {m.full_name for m in long.object_list} == {m.full_name for m in short.object_list}


def test_a_coordinator_never_finds_a_name_outside_their_scope(client_for, named):
    for role in ("regional", "group"):  # Almaty city / the workers: the Almaty names only
        client = client_for(role)
        assert _listed(client, "семенов") == ["Семёнов Пётр Иванович"], role
        assert _listed(client, "жаксыбек") == [ALMATY[1]], role
        assert _listed(client, "ольга") == [], role
        page = client.get(reverse("members"), {"q": "семенова ольга"}).content.decode()
        assert "Семенова" not in page


def test_the_api_searches_names_within_scope(client_for, named):
    response = client_for("regional").get("/api/v1/members", {"q": "Семенов"})
    assert response.status_code == 200, response.content
    assert [m["full_name"] for m in response.json()["members"]] == ["Семёнов Пётр Иванович"]
    response = client_for("admin").get("/api/v1/members", {"q": "жаксыбек болат"})
    assert {m["full_name"] for m in response.json()["members"]} == {ALMATY[1], KARAGANDA[1]}


def test_a_group_page_lists_its_members_in_name_order(client_for, named, groups):
    response = client_for("admin").get(reverse("group_detail", args=[groups["workers"].slug]))
    assert [m.full_name for m in response.context["page"].object_list] == [
        "Жақсыбекова Әйгерім Болатқызы",
        "Семёнов Пётр Иванович",
    ]


SEARCH_AND_COPY = """
import shutil
from pathlib import Path
from django.contrib.auth import get_user_model
from django.test import Client
from kenes.registry.models import Member
from kenes.registry.services import do_grant_role, do_update_member
user = get_user_model().objects.create_user("officer", password="a-long-password-1")
do_grant_role(user, "admin", acting_user="test")
client = Client(HTTP_HOST="localhost")
client.force_login(user)
for query in {queries!r}:
    assert client.get("/members/", {{"q": query}}).status_code == 200
member = Member.objects.order_by("pk").first()
do_update_member(member, {{"full_name": {renamed!r}}}, acting_user=user)
# The seizure: the files copied while this process still has the database open.
for path in Path({var!r}).glob("kenes.sqlite3*"):
    shutil.copy(path, Path({copy!r}) / path.name)
"""


def test_a_copy_of_the_live_database_and_wal_holds_no_members_name(tmp_path):
    var, copy = tmp_path / "var", tmp_path / "seized"
    copy.mkdir()
    env = {"KENES_ENV": "development", "KENES_VAR_DIR": str(var)}
    rows = [_row(n, name, "Алматы") for n, name in enumerate(ALMATY + KARAGANDA)]
    listed = write_csv(tmp_path / "list.csv", rows)
    renamed = "Ыбыраев Темірлан Маратұлы"
    script = SEARCH_AND_COPY.format(
        queries=["семенов", "Жақсыбекова Әйгерім", "Пётр"],
        renamed=renamed,
        var=str(var),
        copy=str(copy),
    )
    for args in (
        ["migrate"],
        ["groups", "add", "workers", "--name", "Рабочие"],
        ["members", "import", str(listed), "--group", "workers"],
        ["shell", "-c", script],
    ):
        done = kenes(*args, env=env)
        assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in copy.iterdir())
    assert "kenes.sqlite3" in files
    raw = b"".join((copy / name).read_bytes() for name in files)
    for name in [*ALMATY, *KARAGANDA, renamed]:
        for part in name.split():
            assert part.encode() not in raw, part
            assert part.casefold().encode() not in raw, part
    assert "Рабочие".encode() in raw  # the copy was really read: a group's name is not personal
    shutil.rmtree(var)
