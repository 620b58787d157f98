"""A leaked copy names its source: every file of an approved bulk read carries the
requester's name and login, the request's number and the date (issue 12).

Read as a recipient of the leak would: the XLSX opened with openpyxl (each sheet's first
row and the document's properties), the CSV parsed as CSV, the slips page as text.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kenes.registry import approvals
from kenes.registry.models import ReadRequest
from tests.approvals.conftest import EN, download_forms, issue_codes

pytestmark = pytest.mark.django_db


def _approve_and_fetch(client, files_url, approver):  # type: ignore[no-untyped-def]
    request = ReadRequest.objects.get()
    approvals.do_approve(request.pk, acting_user=approver)
    return request, [client.post(form) for form in download_forms(client, files_url)]


def test_each_sheet_of_the_dossier_and_its_properties_name_the_requester(
    client_of, registry, more_officers
):
    admin = more_officers["admin"]
    admin.first_name, admin.last_name = "Айгерим", "Сапарова"
    admin.save()
    client = client_of("admin")
    files_url = client.post(reverse("readiness_dossier"), {"rules": "kz-2009"}, **EN)
    request, (xlsx,) = _approve_and_fetch(client, files_url["Location"], more_officers["admin2"])
    book = load_workbook(io.BytesIO(xlsx.content))
    today = timezone.localdate().isoformat()
    assert len(book.worksheets) > 1
    for sheet in book.worksheets:
        mark = str(sheet["A1"].value)
        assert "Айгерим Сапарова" in mark and "admin" in mark
        assert f"request No. {request.pk} " in mark  # asked for in English
        assert today in mark
        assert sheet["A2"].value == "№"  # the header follows the watermark
    assert book.properties.creator == "admin"
    assert book.properties.keywords == f"kenes-request-{request.pk}"
    assert "Айгерим Сапарова" in book.properties.description


def test_the_codes_file_and_the_slips_name_the_requester(client_of, consultation, more_officers):
    client = client_of("regional")
    files_url = issue_codes(client, consultation, phones="on")["Location"]
    request, got = _approve_and_fetch(client, files_url, more_officers["regional2"])
    by_name = {r["Content-Disposition"].rsplit(".", 1)[-1].strip('"'): r for r in got}
    rows = list(csv.reader(io.StringIO(by_name["csv"].content.decode("utf-8-sig"))))
    (mark,) = rows[0]
    assert mark.startswith("# ") and "regional" in mark and str(request.pk) in mark
    assert timezone.localdate().isoformat() in mark
    assert rows[1] == ["full_name", "phone", "code", "link"] and len(rows) == 2 + 5
    slips = by_name["html"].content.decode()
    assert slips.count(mark[2:].split(" (")[0]) >= 2  # on the screen and on every printed page
    assert '<meta name="author" content="regional">' in slips


def test_a_file_that_needed_no_approval_has_no_watermark(client_of, consultation):
    client = client_of("regional")
    files_url = issue_codes(client, consultation)["Location"]
    csv_response = next(
        r
        for r in (client.post(f) for f in download_forms(client, files_url))
        if r["Content-Disposition"].endswith('.csv"')
    )
    first = csv_response.content.decode("utf-8-sig").splitlines()[0]
    assert first == '"full_name","code","link"'


def test_the_member_list_file_is_the_scope_watermarked(client_of, registry, more_officers):
    client = client_of("regional")
    asked = client.post(reverse("bulk_read_members"), {"region": "", "status": ""}, **EN)
    assert asked.status_code == 302
    request, (got,) = _approve_and_fetch(client, asked["Location"], more_officers["regional2"])
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("# ") and "regional" in rows[0][0]
    assert rows[1] == ["id", "full_name", "region", "status", "groups"]
    assert {r[2] for r in rows[2:]} == {"KZ-75"}  # the regional coordinator's scope
    assert len(rows) - 2 == request.member_count == 5
