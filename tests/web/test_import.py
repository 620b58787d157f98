"""The import flow through the pages: upload → check → report → confirm → import.

tests/settings.py runs background tasks inline (KENES_TASKS=immediate), so the
check has finished by the time the upload redirects.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kenes.registry.batches import do_upload
from kenes.registry.models import ImportBatch, Member
from kenes.registry.rosters import member_ids_of
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _list_with_one_bad_row() -> bytes:
    bad = person(99)
    bad[2] = bad[2][:-1] + str((int(bad[2][-1]) + 1) % 10)  # wrong check digit
    return csv_bytes([person(1), person(2), bad, person(3)])


def _upload(client, group, content: bytes, *, strict: bool = False, **extra):  # type: ignore[no-untyped-def]
    data = {"group": group.pk, "file": SimpleUploadedFile("list.csv", content, "text/csv")}
    if strict:
        data["strict"] = "on"
    return client.post(reverse("import"), data, **extra)


def test_upload_check_report_confirm_import(client_for, groups):
    client = client_for("group")
    response = _upload(client, groups["workers"], _list_with_one_bad_row())
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("import_batch", args=[batch.pk])

    report = client.get(response["Location"], **EN)
    html = report.content.decode()
    assert batch.__class__.objects.get().status == "checked"
    assert report.context["report"]["rows"] == 4
    assert report.context["report"]["invalid"] == 1
    [defect] = report.context["defects"]
    assert (defect["row"], defect["field"], defect["code"]) == (4, "iin", "iin_invalid")
    assert "is not a valid IIN" in html and "iin_invalid" in html
    assert "Confirm import" in html and "Discard" in html
    assert Member.objects.count() == 0  # nothing before confirmation

    confirmed = client.post(reverse("import_confirm", args=[batch.pk]))
    assert confirmed.status_code == 302
    assert Member.objects.count() == 3
    assert len(member_ids_of(groups["workers"].pk)) == 3
    done = client.get(reverse("import_batch", args=[batch.pk]), **EN)
    assert done.context["batch"].status == "imported"
    assert done.context["result"] == {
        "rows": 4,
        "imported": 3,
        "merged": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert reverse("readiness") in done.content.decode()


def test_the_report_is_in_russian_for_a_russian_reader(client_for, groups):
    client = client_for("group")
    location = _upload(client, groups["workers"], _list_with_one_bad_row())["Location"]
    html = client.get(location, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "не является действительным ИИН" in html
    assert "Подтвердить импорт" in html


def test_strict_upload_with_an_invalid_row_offers_no_confirmation(client_for, groups):
    client = client_for("group")
    location = _upload(client, groups["workers"], _list_with_one_bad_row(), strict=True)["Location"]
    page = client.get(location, **EN)
    assert page.context["strict_blocks"]
    assert reverse("import_confirm", args=[page.context["batch"].pk]) not in (page.content.decode())


def test_discard_imports_nothing(client_for, groups):
    client = client_for("group")
    _upload(client, groups["workers"], csv_bytes([person(1)]))
    batch = ImportBatch.objects.get()
    response = client.post(reverse("import_discard", args=[batch.pk]))
    assert response.status_code == 302
    assert ImportBatch.objects.get().status == "discarded"
    assert Member.objects.count() == 0
    assert client.post(reverse("import_confirm", args=[batch.pk])).status_code == 302
    assert Member.objects.count() == 0


def test_an_unreadable_file_fails_with_a_sentence_saying_what_to_do(client_for, groups):
    client = client_for("group")
    location = _upload(client, groups["workers"], b"%PDF-1.4 not a list")["Location"]
    page = client.get(location, **EN)
    assert page.context["batch"].status == "failed"
    assert "Upload a corrected file" in page.content.decode()


def test_too_large_a_file_is_refused_before_anything_is_stored(client_for, groups, settings):
    settings.KENES_MAX_UPLOAD_BYTES = 100
    response = _upload(
        client_for("group"), groups["workers"], csv_bytes([person(1), person(2)]), **EN
    )
    assert response.status_code == 200
    assert "split the list into smaller files" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_coordinator_may_only_import_into_their_own_group(client_for, groups):
    response = _upload(client_for("group"), groups["farmers"], csv_bytes([person(1)]))
    assert response.status_code == 200  # the form refuses the choice
    assert not ImportBatch.objects.exists()
    assert client_for("auditor").get(reverse("import")).status_code == 403
    assert client_for("regional").get(reverse("import")).status_code == 403


def test_only_the_uploader_and_admins_see_a_batch(client_for, groups, officers):
    batch = do_upload(
        csv_bytes([person(1)]),
        filename="l.csv",
        group=groups["workers"],
        strict=False,
        acting_user=officers["group"],
    )
    url = reverse("import_batch", args=[batch.pk])
    assert client_for("group").get(url).status_code == 200
    assert client_for("admin").get(url).status_code == 200
    assert client_for("regional").get(url).status_code == 404
    assert client_for("auditor").post(reverse("import_confirm", args=[batch.pk])).status_code == 404


def test_the_progress_fragment_polls_until_the_work_is_done(client_for, groups, officers):
    batch = do_upload(
        csv_bytes([person(1)]),
        filename="l.csv",
        group=groups["workers"],
        strict=False,
        acting_user=officers["group"],
    )  # not enqueued: waits
    client = client_for("group")
    waiting = client.get(reverse("import_batch_status", args=[batch.pk]), HTTP_HX_REQUEST="true")
    html = waiting.content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    assert "<html" not in html  # a fragment, not a page
    page = client.get(reverse("import_batch", args=[batch.pk])).content.decode()
    assert f'href="{reverse("import_batch", args=[batch.pk])}"' in page  # refresh without JS
    assert '<noscript><meta http-equiv="refresh"' in page  # and by itself (Tor Browser's safest)

    from kenes.registry import tasks

    tasks.check_upload.enqueue(str(batch.pk))
    done = client.get(reverse("import_batch_status", args=[batch.pk])).content.decode()
    assert "hx-trigger" not in done
    assert reverse("import_confirm", args=[batch.pk]) in done
    finished = client.get(reverse("import_batch", args=[batch.pk])).content.decode()
    assert 'http-equiv="refresh"' not in finished


def test_a_long_report_shows_the_first_500_defects_with_a_note(client_for, groups):
    rows = []
    for n in range(600):
        row = person(n)
        row[4] = "Атлантида"
        rows.append(row)
    client = client_for("group")
    location = _upload(client, groups["workers"], csv_bytes(rows))["Location"]
    page = client.get(location, **EN)
    assert page.context["defects_total"] == 600
    assert len(page.context["defects"]) == 500
    assert "Showing the first 500 of 600 defects" in page.content.decode()
