"""Officers' forms take what a browser sends in any language and refuse the rest with a
sentence (issue 10, findings 14 and 22).

- The "New election" / "New consultation" pages in Russian and Kazakh: the date input must
  hold an ISO date (a localized "03.12.2026" is not a date to the browser, which then shows
  an empty field and the form fails); submitting the page as rendered creates the vote.
- A 25-digit number of seats, seed or member id, a date in year 1 or 9999, and statements
  with control characters are refused by the form with a sentence, and nothing is created.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from kenes.agenda.models import Consultation, Statement
from kenes.ballots.models import Candidate, Election
from kenes.parliament.models import Scenario

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HUGE = "9" * 25
CONTROL = "Честные суды\x00\x1b[31m\x85"


def _rendered_form(html: str) -> dict[str, str]:
    """What a browser submits from the page as rendered: inputs' values, checked boxes,
    selected options (or the first), textareas."""
    form = html[html.index('<form method="post"') :]
    form = form[: form.index("</form>")]
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind_value = kind.group(1) if kind else "text"
        value = re.search(r'value="([^"]*)"', tag)
        if kind_value in ("checkbox", "radio"):
            if "checked" in tag:
                data[name.group(1)] = value.group(1) if value else "on"
        else:
            data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        options = re.findall(r'<option value="([^"]*)"([^>]*)>', body)
        chosen = [v for v, attrs in options if "selected" in attrs] or [
            v for v, _attrs in options if v
        ]
        data[name] = chosen[0]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = unescape(body).lstrip("\n")
    return data


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_new_consultation_page_submits_its_default_date_in_every_language(
    client_for, registry, language
):
    client = client_for("admin")
    page = client.get(reverse("agenda_create"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    data = _rendered_form(page)
    assert data["cutoff_on"] == timezone.localdate().isoformat()
    data.update(title=f"Опрос {language}", question="За что бороться?")
    response = client.post(reverse("agenda_create"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Consultation.objects.get(title=f"Опрос {language}").cutoff_on == timezone.localdate()


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_new_election_page_submits_its_default_date_in_every_language(
    client_for, registry, language
):
    client = client_for("admin")
    page = client.get(reverse("election_add"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    data = _rendered_form(page)
    assert data["cutoff_on"] == timezone.localdate().isoformat()
    data.update(title=f"Выборы {language}")
    response = client.post(reverse("election_add"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Election.objects.get(title=f"Выборы {language}").cutoff_on == timezone.localdate()


def _new_election(client, **changes):  # type: ignore[no-untyped-def]
    data = {
        "title": "Council",
        "kind": "election",
        "electorate": "party",
        "cutoff_on": timezone.localdate().isoformat(),
        "method": "stv",
        "stv_rules": "scottish",
        "seats": "1",
        "quorum_percent": "0",
        "majority": "simple",
        "base": "yes_no",
    }
    return client.post(reverse("election_add"), data | changes, **EN)


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"seats": HUGE}, "An election fills at most 1000 seats."),
        ({"seats": "0"}, "An election fills at least one seat."),
        ({"cutoff_on": "0001-01-01"}, "Choose a cut-off date between"),
        ({"cutoff_on": "9999-12-31"}, "Choose a cut-off date between"),
        ({"cutoff_on": "1991-12-15"}, "Choose a cut-off date between"),
        ({"title": "Council\x07"}, "invisible control characters (U+0007)"),
    ],
)
def test_a_new_election_out_of_bounds_is_refused_with_a_sentence(
    client_for, registry, changes, sentence
):
    response = _new_election(client_for("admin"), **changes)
    assert response.status_code == 200
    assert sentence in unescape(response.content.decode())
    assert not Election.objects.exists()


def test_the_bounds_let_a_real_election_through(client_for, registry):
    assert _new_election(client_for("admin"), cutoff_on="1991-12-16").status_code == 302
    assert _new_election(client_for("admin"), cutoff_on="01.05.2026").status_code == 302


def test_a_consultation_with_control_characters_or_year_9999_is_refused(client_for, registry):
    client = client_for("admin")
    for changes in ({"statements": CONTROL}, {"cutoff_on": "9999-12-31"}):
        data = {
            "title": "Опрос",
            "question": "За что бороться?",
            "electorate": "party",
            "cutoff_on": timezone.localdate().isoformat(),
            "statements": "Честные суды",
        } | changes
        response = client.post(reverse("agenda_create"), data, **EN)
        assert response.status_code == 200
        assert not Consultation.objects.exists()
    assert "invisible control characters" in unescape(
        client.post(
            reverse("agenda_create"),
            {"title": "x", "question": "y", "electorate": "party", "statements": CONTROL},
            **EN,
        ).content.decode()
    )


def test_seed_statements_and_a_candidate_statement_with_control_characters_are_refused(
    client_for, registry, officers
):
    from kenes.agenda import services as agenda
    from kenes.ballots import services as ballots

    client = client_for("admin")
    consultation = agenda.do_create_consultation(
        "Опрос", question="?", cutoff_on=timezone.localdate(), acting_user=officers["admin"]
    )
    response = client.post(
        reverse("agenda_seed", args=[consultation.pk]), {"statements": CONTROL}, follow=True, **EN
    )
    assert "invisible control characters" in unescape(response.content.decode())
    assert not Statement.objects.filter(consultation=consultation).exists()

    election = ballots.do_create_election(
        "Council", cutoff_on=timezone.localdate(), acting_user=officers["admin"]
    )
    response = client.post(
        reverse("election_candidates", args=[election.pk]),
        {"member": registry["worker"].pk, "statement": "Я за\x00 честность"},
        follow=True,
        **EN,
    )
    assert "invisible control characters (U+0000)" in unescape(response.content.decode())
    assert not Candidate.objects.exists()
    for member in (HUGE, "-1"):
        response = client.post(
            reverse("election_candidates", args=[election.pk]), {"member": member}, **EN
        )
        assert response.status_code == 302
        response = client.post(
            reverse("election_reissue", args=[election.pk]), {"member": member}, **EN
        )
        assert response.status_code == 302


def test_a_member_statement_with_control_characters_is_refused():
    from kenes.agenda.services import AgendaError, check_statement_text

    with pytest.raises(AgendaError, match="control characters"):
        check_statement_text("Честные суды\x1b[2J")
    assert check_statement_text("Честные\tсуды\n") == "Честные суды"


@pytest.mark.parametrize("seed", [HUGE, "-1"])
def test_a_scenario_seed_of_25_digits_is_refused_with_a_sentence(client_for, seed):
    response = client_for("group").post(
        reverse("scenario_add"),
        {
            "title": "Alone",
            "rules_id": "kz-majilis-2023",
            "draws": "1000",
            "seed": seed,
            "party_0": "A",
            "share_0": "60",
            "party_1": "B",
            "share_1": "30",
        },
        **EN,
    )
    assert response.status_code == 200
    assert "The seed is a whole number" in unescape(response.content.decode())
    assert not Scenario.objects.exists()
