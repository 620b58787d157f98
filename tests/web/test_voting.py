"""Voting pages: a personal code opens the ballot, the form casts it, wrong codes are throttled."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from kenes.audit import services as audit
from kenes.ballots import counting, services
from kenes.ballots.models import VoterRoll
from kenes.participation import throttle
from tests.ballots.conftest import cast_ballots, make_members, open_election, open_motion

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def members(groups):  # type: ignore[no-untyped-def]
    return make_members(groups["workers"], range(12))


@pytest.fixture
def election(members, officers):  # type: ignore[no-untyped-def]
    return open_election(members, officers["admin"], candidates=4)


def _ballot_form(client: Client, code: str, **headers: str) -> dict[str, str]:
    """GET the personal link and read its hidden fields, as a phone's browser would."""
    response = client.get(reverse("vote_link", args=[code]), **headers)
    assert response.status_code == 200
    html = response.content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]
        for name in ("csrfmiddlewaretoken", "code", "election")
    }


def _cast(client: Client, code: str, marks: dict[str, str], **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("vote_cast"), {**_ballot_form(client, code), **marks}, follow=True, **headers
    )


def _receipt(response) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'id="receipt"[^>]*>([^<]+)<', response.content.decode())
    assert found, "the receipt page shows the receipt"
    return found.group(1).replace(" ", "")


def test_the_no_js_form_casts_a_counted_ballot_with_a_csrf_checked_post(election):
    election, codes = election
    code = next(iter(codes.values()))
    client = Client(enforce_csrf_checks=True)
    response = _cast(client, code, {"rank_2": "1", "rank_0": "2", "rank_1": ""}, **EN)
    assert response.status_code == 200
    receipt = _receipt(response)
    assert cast_ballots() == [(receipt, [[2], [0]])]
    html = response.content.decode()
    assert f"/elections/{election.pk}/box/?receipt={receipt}" in html
    assert "replaces" in html


def test_voting_twice_keeps_only_the_last_ballot_with_a_new_receipt(election):
    election, codes = election
    code = next(iter(codes.values()))
    client = Client()
    first = _receipt(_cast(client, code, {"rank_0": "1"}))
    last = _receipt(_cast(client, code, {"rank_3": "1", "rank_1": "2"}))
    assert first != last
    assert cast_ballots() == [(last, [[3], [1]])]
    assert services.turnout(election) == 1


def test_a_wrong_code_is_refused_and_changes_nothing(election):
    election, codes = election
    client = Client()
    form = _ballot_form(client, next(iter(codes.values())))
    response = client.post(
        reverse("vote_cast"), {**form, "code": "AAAAA-BBBBB-CCCCC", "rank_0": "1"}, **EN
    )
    assert response.status_code == 400
    assert "does not open any vote" in response.content.decode()
    assert len(cast_ballots()) == 0
    assert not VoterRoll.objects.filter(has_voted=True).exists()
    start = client.post(reverse("vote"), {"code": "AAAAA-BBBBB-CCCCC"}, **EN)
    assert start.status_code == 400 and "does not open any vote" in start.content.decode()


def test_the_code_page_opens_the_ballot_directly_with_the_code_hidden(election):
    election, codes = election
    code = next(iter(codes.values()))
    response = Client().post(reverse("vote"), {"code": code.lower().replace("-", " ")}, **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="election" value="{election.pk}"' in html
    assert 'name="rank_3"' in html and "За честные выборы" in html
    assert "only the last ballot you cast counts" in html.lower()


def test_the_personal_link_opens_the_ballot_with_its_description_and_the_ranking_script(election):
    election, codes = election
    type(election).objects.filter(pk=election.pk).update(description="Первый абзац.\n\nВторой.")
    response = Client().get(reverse("vote_link", args=[next(iter(codes.values()))]), **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert election.title in html
    assert "<p>Первый абзац.</p>" in html and "<p>Второй.</p>" in html
    assert re.search(r'<script src="[^"]*/kenes/ranking\.js" defer>', html)
    assert 'type="number" inputmode="numeric" min="1" max="4"' in html


def test_a_closed_election_refuses_and_links_to_the_result(election, officers):
    election, codes = election
    client = Client()
    form = _ballot_form(client, next(iter(codes.values())))
    services.do_close(election, acting_user=officers["admin"])
    response = client.post(reverse("vote_cast"), {**form, "rank_0": "1"}, **EN)
    assert response.status_code == 409
    assert reverse("election_result", args=[election.pk]) in response.content.decode()
    assert len(cast_ballots()) == 0


def test_equal_numbers_are_refused_and_the_marks_are_kept(election):
    election, codes = election
    response = _cast(Client(), next(iter(codes.values())), {"rank_0": "2", "rank_1": "2"}, **EN)
    html = response.content.decode()
    assert response.status_code == 400
    assert "the number 2 next to two candidates" in html
    assert 'name="rank_1" value="2"' in html
    assert len(cast_ballots()) == 0


def test_gaps_in_the_numbers_are_closed(election):
    election, codes = election
    _cast(Client(), next(iter(codes.values())), {"rank_1": "1", "rank_3": "3", "rank_0": "4"})
    assert [r for _, r in cast_ballots()] == [[[1], [3], [0]]]


def test_a_motion_is_voted_yes_no_or_abstain(members, officers):
    motion, codes = open_motion(members, officers["admin"])
    client = Client()
    for code, choice in zip(codes[:3], ["yes", "yes", "abstain"], strict=True):
        assert _cast(client, code, {"choice": choice}).status_code == 200
    assert _cast(client, codes[3], {"choice": "maybe"}).status_code == 400
    services.do_close(motion, acting_user=officers["admin"])
    assert counting.tally(motion)["votes"] == {"yes": 2, "no": 0, "abstain": 1}


def test_plurality_counts_the_one_pick(members, officers):
    election, codes = open_election(members, officers["admin"], method="plurality")
    client = Client()
    html = client.get(reverse("vote_link", args=[next(iter(codes.values()))])).content.decode()
    assert 'type="radio" name="pick" value="3"' in html
    for code, pick in zip(list(codes.values())[:3], ["3", "3", "1"], strict=True):
        assert _cast(client, code, {"pick": pick}).status_code == 200
    services.do_close(election, acting_user=officers["admin"])
    result = counting.tally(election)
    assert result["winners"] == [services.options(election)[3]]


def test_approval_counts_every_ticked_candidate_once(members, officers):
    election, codes = open_election(members, officers["admin"], method="approval")
    client = Client()
    votes = [{"approve_0": "1", "approve_2": "1"}, {"approve_2": "1"}, {"approve_1": "1"}]
    for code, marks in zip(list(codes.values())[:3], votes, strict=True):
        assert _cast(client, code, marks).status_code == 200
    assert sorted(r for _, r in cast_ballots()) == [[[0, 2]], [[1]], [[2]]]
    assert _cast(client, list(codes.values())[3], {}).status_code == 400
    services.do_close(election, acting_user=officers["admin"])
    result = counting.tally(election)
    assert result["winners"] == [services.options(election)[2]]


def test_past_the_limit_wrong_codes_get_the_too_many_page_and_a_valid_code_still_works(election):
    election, codes = election
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(throttle.FAILURE_LIMIT):
        assert attacker.post(reverse("vote"), {"code": "AAAAA-BBBBB-CCCCC"}).status_code == 400
    throttled = attacker.post(reverse("vote"), {"code": "AAAAA-BBBBB-CCCCD"}, **EN)
    assert throttled.status_code == 429
    assert "Too many wrong codes" in throttled.content.decode()
    form = {"code": "AAAAA-BBBBB-CCCCD", "election": str(election.pk), "rank_0": "1"}
    assert attacker.post(reverse("vote_cast"), form).status_code == 429
    assert not cast_ballots()
    code = next(iter(codes.values()))  # tests/web/test_code_throttle.py: every page
    assert attacker.post(reverse("vote"), {"code": code}).status_code == 200


def test_vote_pages_are_not_cached_and_load_nothing_from_another_host(election):
    election, codes = election
    code = next(iter(codes.values()))
    client = Client()
    pages = [
        client.get(reverse("vote")),
        client.post(reverse("vote"), {"code": "nonsense"}),
        client.get(reverse("vote_link", args=[code])),
        _cast(client, code, {"rank_0": "1"}),
    ]
    for response in pages:
        assert "no-store" in response["Cache-Control"]
        # same-origin, not no-referrer: under no-referrer browsers POST with `Origin: null`,
        # which the CSRF check refuses (kenes/web/views/vote.py).
        assert response["Referrer-Policy"] == "same-origin"
        html = response.content.decode()
        assert not re.search(r"(src|href|action)=\"(https?:)?//", html), html
        assert 'style="' not in html and "<script>" not in html


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("ru", "Засчитывается только последний"), ("kk", "Тек соңғы берген бюллетеньіңіз")],
)
def test_the_ballot_page_renders_in_russian_and_kazakh(election, language, phrase):
    election, codes = election
    client = Client()
    client.post(reverse("set_language"), {"language": language, "next": "/vote/"})
    response = client.get(reverse("vote_link", args=[next(iter(codes.values()))]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert phrase in html
    assert "Only the last ballot you cast counts" not in html


def test_casting_writes_no_audit_entry(election):
    election, codes = election
    before = audit.entries_newest_first().count()
    _cast(Client(), next(iter(codes.values())), {"rank_0": "1"})
    assert len(cast_ballots()) == 1
    assert audit.entries_newest_first().count() == before


def test_reloading_the_receipt_page_shows_the_receipt_again_and_casts_nothing(election):
    """Finding 12: POST, redirect, GET. A reload repeats the GET, never the cast."""
    election, codes = election
    code = next(iter(codes.values()))
    client = Client()
    posted = client.post(reverse("vote_cast"), {**_ballot_form(client, code), "rank_1": "1"})
    assert posted.status_code == 303 and posted["Location"] == reverse("vote_receipt")
    assert "kenes_receipt" in posted.cookies and posted.cookies["kenes_receipt"]["httponly"]
    shown = _receipt(client.get(reverse("vote_receipt")))
    for _ in range(3):
        assert _receipt(client.get(reverse("vote_receipt"))) == shown
    assert cast_ballots() == [(shown, [[1]])]
    assert shown not in posted["Location"]  # the receipt never travels in an address


def test_the_receipt_page_without_a_fresh_cast_and_a_get_of_the_cast_address_are_friendly(
    election,
):
    with override("en"):
        empty = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("vote_receipt"))
        assert empty.status_code == 404 and "No receipt to show" in empty.content.decode()
        forged = Client()
        forged.cookies["kenes_receipt"] = "1:AAAAABBBBBCCCCCDDDDD"  # not signed by the server
        assert forged.get(reverse("vote_receipt")).status_code == 404
        page = Client().get(reverse("vote_cast"))
        assert page.status_code == 302 and page["Location"] == reverse("vote")


def test_a_returning_voter_is_told_their_ballot_is_in_and_that_voting_again_replaces_it(
    election,
):
    election, codes = election
    code = next(iter(codes.values()))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with override("en"):
        first = client.get(reverse("vote_link", args=[code])).content.decode()
        assert "Your ballot is in" not in first
        _cast(client, code, {"rank_0": "1"})
        again = client.get(reverse("vote_link", args=[code])).content.decode()
        assert "Your ballot is in: you voted on" in again and "replaces" in again
        other = client.get(reverse("vote_link", args=[list(codes.values())[1]])).content.decode()
        assert "Your ballot is in" not in other
