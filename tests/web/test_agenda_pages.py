"""Consultation pages: who may open what, members voting without an account, the programme.

The regional coordinator runs Almaty city (KZ-75), the group coordinator the workers group;
"worker" lives in Almaty, "farmer" in Karaganda Region (the farmers group).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kenes.agenda import moderation, services
from kenes.agenda.models import Consultation, OpinionVote, Plank, Statement, StatementStatus
from kenes.ballots.models import Election
from kenes.participation import throttle
from tests.web.handout import codes_csv_text

pytestmark = pytest.mark.django_db

ROLES = ("admin", "regional", "group", "auditor", "nobody")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRM = {"confirm": "on"}


def _create(officers, title, **electorate):  # type: ignore[no-untyped-def]
    consultation = services.do_create_consultation(
        title,
        question="За что должна бороться партия?",
        cutoff_on=timezone.localdate(),
        acting_user=officers["admin"],
        **electorate,
    )
    moderation.do_add_seed_statements(
        consultation, ["Честные суды", "Прозрачный бюджет"], acting_user=officers["admin"]
    )
    return consultation


@pytest.fixture
def consultations(registry, groups, officers):  # type: ignore[no-untyped-def]
    return {
        "region": _create(officers, "Almaty consultation", region_code="KZ-75"),
        "group": _create(officers, "Workers consultation", group=groups["workers"]),
        "other_group": _create(officers, "Farmers consultation", group=groups["farmers"]),
        "party": _create(officers, "Party consultation"),
    }


# Who may open an officers' page of each consultation (VIEW) and change it (MANAGE).
VIEW = {
    "region": {"admin", "regional", "auditor"},
    "group": {"admin", "group", "auditor"},
    "other_group": {"admin", "auditor"},
    "party": {"admin", "auditor"},
}
MANAGE = {scope: allowed - {"auditor"} for scope, allowed in VIEW.items()}
VIEW_PAGES = ("agenda_detail", "agenda_moderation", "agenda_programme")
MANAGE_POSTS = ("agenda_recompute", "agenda_seed", "agenda_codes", "agenda_phase", "agenda_ratify")


@pytest.mark.parametrize("role", ROLES)
def test_role_by_page_matrix(role, consultations, client_for):
    client = client_for(role)
    listed = client.get(reverse("agenda_list"), **EN)
    assert listed.status_code == (403 if role == "nobody" else 200)
    for scope, consultation in consultations.items():
        if role != "nobody":
            assert (consultation.title in listed.text) is (role in VIEW[scope]), (role, scope)
        for name in VIEW_PAGES:
            response = client.get(reverse(name, args=[consultation.pk]), **EN)
            assert response.status_code == (200 if role in VIEW[scope] else 403), (name, scope)
        for name in MANAGE_POSTS:
            response = client.post(reverse(name, args=[consultation.pk]), {}, **EN)
            expected = {302, 200} if role in MANAGE[scope] else {403}
            assert response.status_code in expected, (role, name, scope)
    create = client.get(reverse("agenda_create"), **EN)
    assert create.status_code == (200 if role in {"admin", "regional", "group"} else 403)


def test_officers_pages_need_a_login(consultations):
    anonymous = Client()
    for name in VIEW_PAGES:
        response = anonymous.get(reverse(name, args=[consultations["party"].pk]))
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert anonymous.get(reverse("agenda_list")).status_code == 302


def test_a_moderation_post_by_an_auditor_is_refused_and_changes_nothing(consultations, client_for):
    statement = Statement.objects.filter(consultation=consultations["party"]).first()
    response = client_for("auditor").post(
        reverse("agenda_moderation", args=[consultations["party"].pk]),
        {"statement": statement.pk, "action": "hide", "reason": "нет"},
    )
    assert response.status_code == 403
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED


def test_creating_a_consultation_with_seed_statements(registry, client_for, groups):
    client = client_for("group")
    response = client.post(
        reverse("agenda_create"),
        {
            "title": "Что важно рабочим",
            "question": "За что бороться?",
            "electorate": f"group:{groups['workers'].pk}",
            "cutoff_on": timezone.localdate().isoformat(),
            "moderation": "on",
            "statements": "Зарплаты вовремя\n\nБезопасный труд\n",
        },
        **EN,
    )
    consultation = Consultation.objects.get(title="Что важно рабочим")
    assert response.status_code == 302
    assert consultation.group == groups["workers"] and consultation.moderation
    assert [s.text for s in consultation.statements.all()] == [
        "Зарплаты вовремя",
        "Безопасный труд",
    ]


def test_a_group_coordinator_cannot_create_a_party_wide_consultation(registry, client_for):
    response = client_for("group").post(
        reverse("agenda_create"),
        {"title": "x", "question": "y", "electorate": "party", "cutoff_on": "2026-01-01"},
        **EN,
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not Consultation.objects.filter(title="x").exists()


def _issue(client, consultation):  # type: ignore[no-untyped-def]
    response = client.post(reverse("agenda_codes", args=[consultation.pk]), CONFIRM, **EN)
    content, slips = codes_csv_text(client, response)
    assert "full_name" in content
    return re.findall(r"<code>([0-9A-Z-]{17})</code>", unescape(slips))


def test_a_member_votes_through_the_pages_without_javascript(consultations, client_for):
    consultation = consultations["region"]
    codes = _issue(client_for("regional"), consultation)
    assert len(codes) == 5  # workers in Almaty city (KZ-75), "both" included
    member = Client()
    page = member.get(reverse("agenda_link", args=[codes[0]]), **EN)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert 'name="choice" value="agree"' in page.text
    for _ in range(2):
        statement = re.search(r'name="statement" value="(\d+)"', page.text).group(1)
        page = member.post(
            reverse("agenda_vote"),
            {
                "code": codes[0],
                "consultation": consultation.pk,
                "statement": statement,
                "choice": "disagree",
            },
            **EN,
        )
        assert page.status_code == 200
    assert "You have voted on everything" in page.text
    assert list(OpinionVote.objects.values_list("value", flat=True)) == [-1, -1]


def test_a_member_adds_a_statement_that_waits_for_approval(consultations, client_for):
    consultation = consultations["party"]
    codes = _issue(client_for("admin"), consultation)
    member = Client()
    form = member.post(
        reverse("agenda_add_statement"), {"code": codes[0], "consultation": consultation.pk}, **EN
    )
    assert 'name="text"' in form.text
    done = member.post(
        reverse("agenda_add_statement"),
        {"code": codes[0], "consultation": consultation.pk, "text": "Бесплатная медицина"},
        **EN,
    )
    assert "once a coordinator approves it" in done.text
    added = Statement.objects.get(text="Бесплатная медицина")
    assert added.status == StatementStatus.PENDING
    queue = client_for("admin").get(reverse("agenda_moderation", args=[consultation.pk]), **EN)
    assert "Бесплатная медицина" in queue.text
    client_for("admin").post(
        reverse("agenda_moderation", args=[consultation.pk]),
        {"statement": added.pk, "action": "approve"},
    )
    added.refresh_from_db()
    assert added.status == StatementStatus.APPROVED


def test_adding_a_statement_in_the_vote_phase_is_refused_on_the_page(consultations, client_for):
    consultation = consultations["party"]
    codes = _issue(client_for("admin"), consultation)
    services.do_move_phase(consultation, "vote", acting_user="test")
    response = Client().post(
        reverse("agenda_add_statement"),
        {"code": codes[0], "consultation": consultation.pk, "text": "Новое"},
        **EN,
    )
    assert response.status_code == 409
    assert not Statement.objects.filter(text="Новое").exists()


def test_wrong_codes_are_throttled(consultations):
    member = Client()
    for _ in range(throttle.FAILURE_LIMIT):
        assert (
            member.post(reverse("agenda_start"), {"code": "AAAAA-AAAAA-AAAAA"}).status_code == 400
        )
    assert member.post(reverse("agenda_start"), {"code": "AAAAA-AAAAA-AAAAA"}).status_code == 429


def test_members_pages_are_translated(consultations):
    for language, word in (("ru", "код"), ("kk", "код")):
        page = Client().get(reverse("agenda_start"), HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200 and word in page.text.lower()


def test_the_programme_goes_to_a_ratification_motion_with_the_planks_text(
    consultations, client_for
):
    consultation = consultations["party"]
    admin = client_for("admin")
    first, second = consultation.statements.all()
    url = reverse("agenda_programme", args=[consultation.pk])
    for title, text, statement in (
        ("Суды", "Независимые суды.", first),
        ("Бюджет", "Открытый бюджет.", second),
    ):
        response = admin.post(url, {"title": title, "text": text, "statements": [statement.pk]})
        assert response.status_code == 302
    down = Plank.objects.get(title="Суды")
    admin.post(reverse("agenda_plank_move", args=[consultation.pk, down.pk]), {"direction": "down"})
    assert [p.title for p in Plank.objects.filter(consultation=consultation)] == ["Бюджет", "Суды"]
    response = admin.post(reverse("agenda_ratify", args=[consultation.pk]), CONFIRM)
    consultation.refresh_from_db()
    election = Election.objects.get(pk=consultation.ratification_election_id)
    assert response.status_code == 302 and response["Location"].endswith(
        f"/elections/{election.pk}/"
    )
    assert election.kind == "motion" and election.phase == "draft"
    assert election.description == "1. Бюджет\nОткрытый бюджет.\n\n2. Суды\nНезависимые суды."
    # Sent once: a second press creates nothing.
    admin.post(reverse("agenda_ratify", args=[consultation.pk]), CONFIRM)
    assert Election.objects.filter(kind="motion").count() == 1


def test_the_detail_page_shows_the_last_analysis_with_its_time(consultations, client_for):
    from kenes.agenda.analysis import do_recompute

    consultation = consultations["party"]
    do_recompute(consultation.pk)
    page = client_for("auditor").get(reverse("agenda_detail", args=[consultation.pk]), **EN)
    assert "Last computed" in page.text
    assert "Recompute now" not in page.text  # the auditor changes nothing
