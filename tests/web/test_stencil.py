"""The ballot and receipt pages drawn once and filled in per request (kenes.web.stencil).

What must hold: each voter sees their own code, path, CSRF token and receipt, never
another's; the drawn page is byte for byte what the template engine writes; anything the
page shows that changes (the language, a candidate's statement) gives a new page; text
stored by a user cannot act as a hole.
"""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from kenes.ballots import voting
from kenes.ballots.models import Candidate, Election
from kenes.web import stencil
from tests.ballots.conftest import make_members, open_election

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_pages():  # type: ignore[no-untyped-def]
    stencil.forget_all()
    yield
    stencil.forget_all()


@pytest.fixture
def election(groups, officers):  # type: ignore[no-untyped-def]
    members = make_members(groups["workers"], range(6))
    return open_election(members, officers["admin"], candidates=3)


def _page(client: Client, code: str, language: str = "ru") -> str:
    response = client.get(reverse("vote_link", args=[code]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_each_voter_gets_their_own_code_path_and_token(election):
    election, codes = election
    first, second = list(codes.values())[:2]
    a, b = Client(), Client()
    page_a, page_b = _page(a, first), _page(b, second)
    for page, mine, theirs in ((page_a, first, second), (page_b, second, first)):
        assert f'name="code" value="{mine}"' in page
        assert f'name="next" type="hidden" value="/vote/{mine}/"' in page
        assert theirs not in page
        assert "kh" + stencil._SALT not in page  # no marker left unfilled
    # Each page carries a token that passes the CSRF check for its own client.
    token_a = TOKEN.findall(page_a)
    assert len(token_a) == 2 and token_a[0] != TOKEN.findall(page_b)[0]
    strict = Client(enforce_csrf_checks=True)
    page = _page(strict, first)
    response = strict.post(
        reverse("vote_cast"),
        {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1),  # type: ignore[union-attr]
            "code": first,
            "election": str(election.pk),
            "rank_1": "1",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert 'id="receipt"' in response.content.decode()


def test_the_filled_page_is_what_the_template_engine_writes(election):
    election, codes = election
    code = next(iter(codes.values()))
    request = RequestFactory().get(reverse("vote_link", args=[code]))
    election = Election.objects.get(pk=election.pk)
    lines = voting.ballot_lines(election)
    context = {
        "election": election,
        "style": voting.ballot_style(election),
        "lines": lines,
        "n": str(len(lines)),
        "choice": "",
        "error": "",
        "returned": False,
    }
    with translation.override("kk"):
        for _ in range(2):  # drawn, then served from the drawn parts
            filled = stencil.render_filled(
                request,
                "web/vote/ballot.html",
                lambda: context,
                key=("test", election.pk),
                holes={"code": code},
            ).content.decode()
            plain = render_to_string(
                "web/vote/ballot.html",
                {**context, "code": code, "csrf_token": get_token(request)},
                request,
            )
            assert TOKEN.sub("", filled) == TOKEN.sub("", plain)


def test_the_language_and_a_changed_statement_give_a_new_page(election):
    election, codes = election
    code = next(iter(codes.values()))
    client = Client()
    russian, kazakh = _page(client, code, "ru"), _page(client, code, "kk")
    assert "Засчитывается только последний" in russian
    assert "Тек соңғы берген бюллетеньіңіз" in kazakh and "Засчитывается" not in kazakh
    Candidate.objects.filter(election=election, position=0).update(statement="A changed statement")
    assert "A changed statement" in _page(client, code, "ru")


def test_a_title_holding_a_marker_is_shown_as_written(election):
    election, codes = election
    code = next(iter(codes.values()))
    forged = "khcodehk kh0000000000000000codehk"
    Election.objects.filter(pk=election.pk).update(title=forged)
    page = _page(Client(), code)
    assert forged in page
    assert page.count(code) == 2  # the hidden field and the language form's path only
