"""The congress pages read in Russian and Kazakh: no English left on them (every text is in
the catalogue), the data file's notes on each rule translated, UNCONFIRMED shown as such."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.test import Client
from django.utils.translation import gettext, override

from kenes.congress import kinds, services
from kenes.registry.models import Member
from kenes.web import data_texts, labels
from tests.congress.conftest import make_congress
from tests.web.test_congress_pages import people  # noqa: F401 - a fixture
from tests.web.test_i18n_forms import _page

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["ru", "kk"]
#: Two Latin words in a row: English left on a Russian or Kazakh page.
ENGLISH_WORDS = re.compile(r"\b[A-Za-z][a-z]+[ ,:;]+[A-Za-z][a-z]+\b")


def _congress_notes() -> set[str]:
    text = (ROOT / "kenes" / "jurisdictions" / "congress-kz.toml").read_text(encoding="utf-8")
    return {
        value
        for kind in tomllib.loads(text)["kinds"]
        for key, value in kind.items()
        if key.endswith("_status") and value
    }


def test_every_note_of_the_congress_kinds_is_in_the_catalogue_list():
    assert _congress_notes() - set(data_texts.DATA_TEXTS) == set()


def _merged(language: str) -> bool:
    with override(language):
        return gettext("Delegates by region") != "Delegates by region"


@pytest.mark.parametrize("language", LANGUAGES)
def test_congress_pages_have_no_english(officers, people, language):  # noqa: F811
    if not _merged(language):
        pytest.skip("the congress pages' translations are not in the catalogue yet")
    admin = officers["admin"]
    with override("en"):  # the kinds first used by an English reader: their names in English
        kinds.ensure_kinds()
    congress = make_congress(admin, kind="founding")
    Member.objects.filter(pk=people[0].pk).update(status="left")  # a flagged delegate
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_check_in(congress, seated[1].badge_code, acting_user=admin)
    client = Client()
    client.force_login(admin)
    slug = congress.slug
    pages = {
        url: _page(client, url, language)
        for url in (
            "/congress/",
            "/congress/new/",
            f"/congress/{slug}/",
            f"/congress/{slug}/door/",
            f"/congress/{slug}/quorum/",
        )
    }
    client.cookies["django_language"] = language
    badges = client.post(
        f"/congress/{slug}/badges/",
        {"region": seated[2].delegate.region_code, "confirm": "on"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    from tests.web.test_i18n_forms import _text

    pages["badges"] = _text(badges)
    for url, text in pages.items():
        found = ENGLISH_WORDS.findall(text)
        assert found == [], f"English on {url} in {language}: {found}"
        assert "UNCONFIRMED" not in text and "OFFICIAL" not in text
    with override(language):
        unconfirmed = labels.data_text("UNCONFIRMED (adult citizens)")
    assert unconfirmed in pages[f"/congress/{slug}/"]
