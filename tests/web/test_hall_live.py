"""The hall live on the web: the public state.json (ETag, 304, no cookie), the delegates'
phone page (no account; Kazakh and Russian; a Vote link while a vote is open that takes a
delegate to /vote/ where their congress code casts), and the projector (officers only)."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from kenes.ballots.models import Ballot
from kenes.congress import hall, live, services, speakers
from kenes.congress.models import Delegate
from tests.congress.conftest import make_congress, people  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    live.forget()
    yield
    live.forget()


@pytest.fixture
def in_session(people, officers):  # type: ignore[no-untyped-def]  # noqa: F811
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    for s in seated[:6]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    issued = hall.do_issue_voting_codes(congress, acting_user=admin)
    code_of = {i.member_id: i.code for i in issued}
    item = speakers.do_add_item(congress, title="Программа партии", acting_user=admin)
    speakers.do_make_current(item, acting_user=admin)
    delegates = [Delegate.objects.get(pk=s.delegate.pk) for s in seated]
    speakers.do_ask_for_floor(item, delegates[0], "pro", acting_user=admin)
    speakers.do_next_speaker(item, acting_user=admin)
    return congress, delegates, code_of, admin


def _state_url(congress) -> str:  # type: ignore[no-untyped-def]
    return reverse("hall_state_json", args=[congress.slug])


def test_the_state_is_public_json_with_an_etag_and_no_cookie(in_session):
    congress, *_ = in_session
    response = Client().get(_state_url(congress))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert not response.cookies
    state = json.loads(response.content)
    assert state["item"]["title"] == "Программа партии"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')


def test_a_matching_if_none_match_gets_304_and_a_change_a_new_etag(in_session):
    congress, _delegates, _codes, admin = in_session
    client = Client()
    etag = client.get(_state_url(congress))["ETag"]
    again = client.get(_state_url(congress), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(_state_url(congress), HTTP_IF_NONE_MATCH='"other"').status_code == 200
    vote = hall.do_create_vote(congress, title="Повестка", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    live.forget()  # the window passed
    changed = client.get(_state_url(congress), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert json.loads(changed.content)["vote"]["state"] == "open"


def test_an_unknown_congress_is_404_everywhere(in_session, client_for):
    for name in ("hall_state_json", "hall_phone", "hall_phone_live"):
        assert Client().get(reverse(name, args=["nope"])).status_code == 404
    admin = client_for("admin")
    assert admin.get(reverse("hall_projector", args=["nope"])).status_code == 404


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees, without the language switcher (it names English in English)."""
    assert response.status_code == 200
    body = response.content.decode()
    body = re.sub(r'(?s)<form class="language-form".*?</form>', " ", body)
    body = re.sub(r"(?s)<(script|style|noscript)\b.*?</\1>", " ", body)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body)))


def _latin_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", text)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_phone_page_has_no_english_in_kazakh_and_russian(in_session, language):
    congress, _delegates, _codes, admin = in_session
    vote = hall.do_create_vote(congress, title="Повестка дня", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    client = Client()
    client.cookies["django_language"] = language
    for name in ("hall_phone", "hall_phone_live"):
        text = _text(client.get(reverse(name, args=[congress.slug]), HTTP_ACCEPT_LANGUAGE=language))
        assert _latin_words(text) == [], (name, text)
        assert "Программа партии" in text and "Повестка дня" in text
    hall.do_close_vote(vote, acting_user=admin)
    live.forget()
    text = _text(client.get(reverse("hall_phone", args=[congress.slug])))
    assert _latin_words(text) == [], text


def test_the_phone_page_links_to_the_vote_only_while_a_secret_vote_is_open(in_session):
    congress, _delegates, _codes, admin = in_session
    client = Client()
    page = client.get(reverse("hall_phone", args=[congress.slug]), HTTP_ACCEPT_LANGUAGE="en")
    vote_href = f'class="hall-vote__go" href="{reverse("vote")}"'
    assert vote_href not in page.content.decode()
    html = page.content.decode()
    assert 'hx-get="/hall/s1/live/"' in html and 'hx-trigger="every 2s"' in html
    assert '<meta http-equiv="refresh"' in html  # inside <noscript>
    vote = hall.do_create_vote(congress, title="Повестка", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    live.forget()
    live_part = client.get(reverse("hall_phone_live", args=[congress.slug]))
    assert vote_href in live_part.content.decode()


def test_a_delegate_follows_the_vote_link_and_casts_with_the_congress_code(in_session):
    congress, delegates, code_of, admin = in_session
    vote = hall.do_create_vote(congress, title="Принять программу", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    phone = Client(enforce_csrf_checks=True)
    page = phone.get(reverse("hall_phone", args=[congress.slug])).content.decode()
    href = re.search(r'class="hall-vote__go" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    start = phone.get(href)
    assert start.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.content.decode())
    code = code_of[delegates[2].member_id]
    ballot = phone.post(href, {"csrfmiddlewaretoken": token.group(1), "code": code})  # type: ignore[union-attr]
    assert ballot.status_code == 200
    form = ballot.content.decode()
    fields = {
        name: re.search(rf'name="{name}" value="([^"]*)"', form).group(1)  # type: ignore[union-attr]
        for name in ("csrfmiddlewaretoken", "code", "election")
    }
    assert fields["election"] == str(vote.election_id)
    done = phone.post(reverse("vote_cast"), {**fields, "choice": "yes"}, follow=True)
    assert done.status_code == 200 and 'id="receipt"' in done.content.decode()
    hall.do_close_vote(vote, acting_user=admin)  # sealed envelopes go into the box here
    assert Ballot.objects.filter(election=vote.election).count() == 1
    live.forget()
    result = json.loads(Client().get(_state_url(congress)).content)["last_result"]
    assert (result["for"], result["against"], result["outcome"]) == (1, 0, "carried")


@pytest.mark.parametrize("name", ["hall_projector", "hall_projector_live"])
def test_the_projector_needs_an_officer(in_session, client_for, name):
    congress, *_ = in_session
    url = reverse(name, args=[congress.slug])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    assert client_for("nobody").get(url).status_code == 403
    for role in ("admin", "regional", "group", "auditor"):
        assert client_for(role).get(url).status_code == 200, role


def test_the_projector_shows_the_item_the_speaker_the_quorum_and_polls_each_second(
    in_session, client_for
):
    congress, delegates, _codes, _admin = in_session
    html = client_for("admin").get(reverse("hall_projector", args=[congress.slug])).content
    page = html.decode()
    assert "Программа партии" in page
    assert delegates[0].member.full_name in page
    assert "6 / 9" in page
    assert 'hx-trigger="every 1s"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from another host


def test_the_live_partial_answers_304_when_unchanged(in_session):
    congress, *_ = in_session
    client = Client()
    url = reverse("hall_phone_live", args=[congress.slug])
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="kk")
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="kk", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other = client.get(url, HTTP_ACCEPT_LANGUAGE="ru", HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200  # another language, another text


def test_a_signed_out_projector_reloads_instead_of_swapping_the_login_page_in(in_session):
    congress, *_ = in_session
    url = reverse("hall_projector_live", args=[congress.slug])
    response = Client().get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and response["HX-Refresh"] == "true"
    assert response.content == b""


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_projector_has_no_english_in_kazakh_and_russian(in_session, client_for, language):
    congress, _delegates, _codes, admin = in_session
    client = client_for("admin")
    client.cookies["django_language"] = language
    url = reverse("hall_projector", args=[congress.slug])
    speaking = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
    assert _latin_words(speaking) == [], speaking
    vote = hall.do_create_vote(congress, title="Повестка дня", acting_user=admin)
    hall.do_open_vote(vote, acting_user=admin)
    live.forget()
    voting = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
    assert _latin_words(voting) == [], voting
    hall.do_close_vote(vote, acting_user=admin)
    live.forget()
    result = _text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
    assert _latin_words(result) == [], result
