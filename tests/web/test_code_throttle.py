"""One person on a shared connection cannot lock everyone behind it out of a vote.

Fifty wrong codes from one address (a congress hall's Wi-Fi, behind our proxy), then the
people behind that address type their right codes: every one works, on every page that
takes a code. Wrong codes past the limit get the "too many wrong codes" page and cost no
write.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kenes.participation import throttle
from kenes.participation.models import CodeAttempt
from tests.ballots.conftest import cast_ballots, make_members, open_election
from tests.web.test_agenda_pages import _issue, consultations  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HALL = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}  # via our proxy
WRONG = "AAAAA-BBBBB-CCCCC"
GUESSES = 50


@pytest.fixture
def election(groups, officers):  # type: ignore[no-untyped-def]
    return open_election(make_members(groups["workers"], range(12)), officers["admin"])


def _guess_from_the_hall(url: str, **extra: str) -> list[int]:
    guesser = Client(**HALL)
    return [guesser.post(url, {"code": WRONG, **extra}, **EN).status_code for _ in range(GUESSES)]


@override_settings(KENES_PROXY_COUNT=1)
def test_after_fifty_wrong_codes_from_the_hall_a_right_code_from_it_opens_and_casts(election):
    election, codes = election
    statuses = _guess_from_the_hall(reverse("vote"))
    assert statuses == [400] * throttle.FAILURE_LIMIT + [429] * (GUESSES - throttle.FAILURE_LIMIT)
    assert CodeAttempt.objects.count() == throttle.FAILURE_LIMIT  # no write past the limit

    voter, neighbour, third = (Client(**HALL) for _ in range(3))
    first, second, last = list(codes.values())[:3]
    opened = voter.post(reverse("vote"), {"code": first}, **EN)
    assert opened.status_code == 200 and 'name="election"' in opened.text
    assert neighbour.get(reverse("vote_link", args=[second]), **EN).status_code == 200
    form = {"code": last, "election": str(election.pk), "rank_0": "1"}
    cast = third.post(reverse("vote_cast"), form, **EN)
    assert cast.status_code in {200, 303}, cast.status_code  # receipt, or redirect to it
    assert len(cast_ballots()) == 1
    # A wrong code is still answered "too many", and a forged one on the cast form casts nothing.
    wrong = third.post(reverse("vote_cast"), {**form, "code": WRONG}, **EN)
    assert wrong.status_code == 429 and "Too many wrong codes" in wrong.text
    assert int(wrong["Retry-After"]) > 0
    assert len(cast_ballots()) == 1
    assert CodeAttempt.objects.count() == throttle.FAILURE_LIMIT


@override_settings(KENES_PROXY_COUNT=1)
def test_after_fifty_wrong_codes_a_right_consultation_code_from_the_same_hall_works(
    consultations,  # noqa: F811
    client_for,
):
    codes = _issue(client_for("regional"), consultations["region"])
    statuses = _guess_from_the_hall(reverse("agenda_start"))
    assert statuses[-1] == 429
    member = Client(**HALL)
    page = member.post(reverse("agenda_start"), {"code": codes[0]}, **EN)
    assert page.status_code == 200 and 'name="choice" value="agree"' in page.text
    assert member.get(reverse("agenda_link", args=[codes[1]]), **EN).status_code == 200


@override_settings(KENES_PROXY_COUNT=1)
def test_the_halls_wrong_codes_do_not_count_against_another_address(election):
    _guess_from_the_hall(reverse("vote"))
    elsewhere = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert elsewhere.post(reverse("vote"), {"code": WRONG}, **EN).status_code == 400
