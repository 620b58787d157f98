"""Long outputs are files made in the background, handed out once (issue 10, finding 20).

Opening a vote no longer renders every code and slip into the answer: the codes are sealed
into files made by the worker, the page of those files can be reloaded, each file is
downloaded once, and no personal code is ever in the database in the clear — before the
worker runs, after it, after the download. The dossier is made the same way and holds what
it held when it was made in the request.
"""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from kenes.audit.models import AuditEntry
from kenes.ballots import services
from kenes.participation import handouts
from kenes.participation.models import PersonalCode
from kenes.registry.dossier import export_dossier, make_dossier_file
from kenes.registry.models import PreparedFile
from tests.web.handout import approve_as_another_admin, downloads
from tests.web.test_election_pages import CONFIRM, _workers, elections  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\b")


def _database_text() -> str:
    """Every text value of every table, as a copy of the database would show it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks += [str(v) for row in cursor.fetchall() for v in row if v is not None]
    return "\n".join(chunks)


def _open(client, election, registry, **asked):  # type: ignore[no-untyped-def]
    for member in _workers(registry):
        services.do_add_candidate(election, member, acting_user="test")
    return client.post(reverse("election_open", args=[election.pk]), {**CONFIRM, **asked})


def test_opening_answers_with_a_redirect_and_the_files_page_can_be_reloaded(
    client_for,
    elections,  # noqa: F811
    registry,
):
    election = elections["group"]
    client = client_for("group")
    response = _open(client, election, registry)
    assert response.status_code == 302 and not CODE.search(response.content.decode())
    pages = [client.get(response["Location"]) for _ in range(3)]  # reloads issue nothing
    for page in pages:
        assert page.status_code == 200 and not CODE.search(page.content.decode())
    assert PersonalCode.objects.filter(purpose=election.purpose).count() == 5
    assert AuditEntry.objects.filter(action="codes.issue", target_id=election.purpose).count() == 1
    files = downloads(client, response)
    assert len(CODE.findall(files["csv"].content.decode("utf-8-sig"))) == 5 * 2  # code, link


@override_settings(TASKS=DATABASE_TASKS)
def test_no_code_is_ever_in_the_database_in_the_clear_and_each_file_goes_once(
    client_for,
    elections,  # noqa: F811
    registry,
):
    election = elections["group"]
    client = client_for("group")
    response = _open(client, election, registry)
    queued = _database_text()  # the worker has not run yet: codes sealed, waiting
    files = list(PreparedFile.objects.filter(owner__username="group"))
    assert {f.status for f in files} == {"pending"}
    page = client.get(response["Location"])
    assert '<meta http-equiv="refresh"' in page.content.decode()  # reloads itself meanwhile
    for item in files:  # what the worker does
        maker = handouts.make_slips_file if item.kind == "codes_slips" else handouts.make_codes_file
        maker.call(str(item.pk))
    made = _database_text()
    assert {f.source for f in PreparedFile.objects.all()} == {None}  # sealed codes dropped
    got = downloads(client, response)
    codes = set(CODE.findall(got["csv"].content.decode("utf-8-sig")))
    assert len(codes) == 5 and codes == set(CODE.findall(got["slips"].content.decode()))
    after = _database_text()
    for code in codes:
        for text in (queued, made, after):
            assert code not in text and code.replace("-", "") not in text
    assert {f.content for f in PreparedFile.objects.all()} == {None}  # deleted once fetched
    again = client.post(
        reverse("prepared_file_download", args=[files[0].bundle, files[0].pk]), follow=True
    )
    assert again.status_code == 200 and "Content-Disposition" not in again
    assert not CODE.search(again.content.decode())


def test_another_officer_cannot_see_or_take_the_files(client_for, elections, registry):  # noqa: F811
    election = elections["region"]
    response = _open(client_for("regional"), election, registry)
    item = PreparedFile.objects.get(kind="codes_csv")
    other = client_for("admin")
    assert other.get(response["Location"]).status_code == 404
    url = reverse("prepared_file_download", args=[item.bundle, item.pk])
    assert other.post(url).status_code == 404
    assert PreparedFile.objects.get(pk=item.pk).status == "ready"


def test_a_file_that_cannot_be_made_says_so_and_keeps_no_code(client_for, elections, registry):  # noqa: F811
    election = elections["group"]
    client = client_for("group")
    with override_settings(TASKS=DATABASE_TASKS):
        response = _open(client, election, registry)
    item = PreparedFile.objects.get(kind="codes_slips")
    PreparedFile.objects.filter(pk=item.pk).update(source="{not json")  # a broken source
    handouts.make_slips_file.call(str(item.pk))
    item.refresh_from_db()
    assert item.status == "failed" and item.source is None and item.content is None
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "could not be made" in page.content.decode()


def _cells(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content))
    return [[c for c in row] for s in book.worksheets for row in s.iter_rows(values_only=True)]


def test_the_dossier_is_made_in_the_background_with_the_same_content(
    client_for, registry, officers
):
    client = client_for("admin")
    with override_settings(TASKS=DATABASE_TASKS):
        asked = client.post(reverse("readiness_dossier"), {"rules": "kz-2009"})
    assert asked.status_code == 302
    assert not AuditEntry.objects.filter(action="dossier.export").exists()  # nothing read yet
    item = PreparedFile.objects.get(kind="dossier")
    with override_settings(TASKS=DATABASE_TASKS):
        approve_as_another_admin(item.bundle)  # queued, not made: the worker makes it
    make_dossier_file.call(str(item.pk))
    made = downloads(client, asked)["xlsx"]
    direct = export_dossier(acting_user=officers["admin"], rule_id="kz-2009")
    # The same cells, but for each sheet's first row: the watermark naming the requester.
    book = load_workbook(io.BytesIO(made.content))
    unmarked = [list(s.iter_rows(values_only=True))[1:] for s in book.worksheets]
    assert [list(row) for rows in unmarked for row in rows] == _cells(direct)
    exports = AuditEntry.objects.filter(action="dossier.export", target_id="kz-2009")
    assert exports.count() == 2  # the background one as the admin, and the direct one
    assert {e.actor_id for e in exports} == {officers["admin"].pk}
