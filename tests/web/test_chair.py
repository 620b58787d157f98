"""The chair's console through the Django client over the real congress services: who may
use it, a congress from its agenda to a protocol signed by two accounts, and every POST
that changes something sent twice doing it once."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from kenes.audit.models import AuditEntry
from kenes.ballots import casting
from kenes.ballots import services as ballots
from kenes.congress import hall, services
from kenes.congress import speakers as sp
from kenes.congress.models import (
    AgendaItem,
    HallVote,
    NamedChoice,
    ProtocolSignature,
    Speaker,
)
from kenes.registry.services import do_grant_role
from tests.web import chair_congress
from tests.web.chair_congress import admin_client
from tests.web.handout import codes_csv_text

pytestmark = pytest.mark.django_db

seated = chair_congress.seated


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- scoping ----------------------------------------------------------------------------

PAGES = [
    "/chair/s1/",
    "/chair/s1/timer/",
    "/chair/s1/votes/",
    "/chair/s1/codes/",
    "/chair/s1/proxies/",
    "/chair/s1/texts/",
    "/chair/s1/protocol/",
    "/chair/s1/protocol.pdf",
]
POSTS = [
    "/chair/s1/items/add/",
    "/chair/s1/items/1/current/",
    "/chair/s1/speakers/add/",
    "/chair/s1/speakers/next/",
    "/chair/s1/speakers/stop/",
    "/chair/s1/speakers/1/withdraw/",
    "/chair/s1/votes/",
    "/chair/s1/votes/1/open/",
    "/chair/s1/votes/1/close/",
    "/chair/s1/votes/1/named/",
    "/chair/s1/votes/1/paper/",
    "/chair/s1/codes/issue/",
    "/chair/s1/codes/reissue/",
    "/chair/s1/proxies/",
    "/chair/s1/proxies/1/revoke/",
    "/chair/s1/texts/",
    "/chair/s1/texts/1/order/",
    "/chair/s1/texts/1/merge-adopted/",
    "/chair/s1/texts/1/amendments/1/recommend/",
    "/chair/s1/texts/1/amendments/1/merge/",
    "/chair/s1/texts/1/amendments/1/decide/",
    "/chair/s1/protocol/sign/",
]


@pytest.mark.parametrize("role", ["group", "regional", "auditor", "nobody"])
def test_only_a_national_admin_chairs_a_congress_every_other_role_gets_403(
    seated, client_for, role
):
    congress, _seats = seated
    item = sp.do_add_item(congress, title="Пункт", acting_user="test")
    client = client_for(role)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    for url in POSTS:
        assert client.post(url.replace("/1/", f"/{item.pk}/", 1)).status_code == 403, url
    assert AgendaItem.objects.count() == 1  # nothing was changed
    assert Speaker.objects.count() == 0


def test_an_unknown_congress_is_403_before_404_for_a_group_coordinator(client_for):
    assert client_for("group").get("/chair/nothing-here/").status_code == 403
    assert client_for("admin").get("/chair/nothing-here/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(seated):
    response = Client().get("/chair/s1/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---- the whole way, with re-POSTs -------------------------------------------------------


def test_items_speakers_a_motion_and_a_protocol_signed_by_two_accounts(seated, officers):
    congress, seats = seated
    chair = admin_client(officers)

    # An agenda item, made current; sent twice (same one-time token): one item.
    page = chair.get("/chair/s1/")
    once = re.search(r'name="once" value="([0-9a-f]+)"', page.content.decode()).group(1)
    form = {
        "once": once,
        "title": "Отчёт совета",
        "planned_minutes": "30",
        "seconds_per_speaker": "120",
        "seconds_per_delegation": "0",
        "balance_by": "region",
    }
    assert chair.post("/chair/s1/items/add/", form).status_code == 302
    chair.post("/chair/s1/items/add/", form)
    (item,) = AgendaItem.objects.filter(congress=congress)
    assert item.seconds_per_speaker == 120 and item.balance_by == "region"
    chair.post(f"/chair/s1/items/{item.pk}/current/")
    chair.post(f"/chair/s1/items/{item.pk}/current/")
    item.refresh_from_db()
    assert item.current and not item.done

    # Speakers: one by badge code, one from the list of delegates in the hall.
    response = chair.post(
        "/chair/s1/speakers/add/", {"badge": seats[0].badge_code.lower(), "kind": "pro"}
    )
    assert response.status_code == 302
    chair.post("/chair/s1/speakers/add/", {"delegate": seats[3].delegate.pk, "kind": "contra"})
    chair.post("/chair/s1/speakers/add/", {"delegate": seats[3].delegate.pk, "kind": "contra"})
    assert [s.delegate_id for s in sp.queue(item)] == [seats[0].delegate.pk, seats[3].delegate.pk]
    # Someone outside the hall is refused with the service's sentence, and not listed.
    with translation.override("en"):
        refused = chair.post(
            "/chair/s1/speakers/add/",
            {"badge": seats[8].badge_code, "kind": "pro"},
            follow=True,
        )
    with translation.override("ru"):  # the page speaks the site's language
        said = translation.gettext("Only a delegate in the hall may ask for the floor.")
    assert said in refused.content.decode()
    assert Speaker.objects.filter(item=item).count() == 2

    # Next speaker, the same press twice: the floor moves on once.
    page = chair.get("/chair/s1/")
    after = re.search(r'name="after" value="(\d+)"', page.content.decode()).group(1)
    chair.post("/chair/s1/speakers/next/", {"after": after})
    chair.post("/chair/s1/speakers/next/", {"after": after})
    speaking = Speaker.objects.get(item=item, started_at__isnull=False)
    assert speaking.delegate_id == seats[0].delegate.pk and speaking.ended_at is None
    timer = chair.get("/chair/s1/timer/").content.decode()
    assert seats[0].delegate.member.full_name in timer  # the timer, refreshed alone
    assert re.search(r'stat__value">-?[0-9]+<', timer)  # seconds left of the 120
    chair.post("/chair/s1/speakers/stop/")
    chair.post("/chair/s1/speakers/stop/")
    assert Speaker.objects.filter(item=item, ended_at__isnull=False).count() == 1

    # A motion on the item, opened, cast with voting codes, closed twice.
    votes_page = chair.get("/chair/s1/votes/").content.decode()
    once = re.search(r'name="once" value="([0-9a-f]+)"', votes_page).group(1)
    response = chair.post(
        "/chair/s1/votes/",
        {
            "once": once,
            "title": "Утвердить отчёт",
            "kind": "motion",
            "majority": "simple",
            "base": "yes_no",
            "method": "schulze",
            "seats": "1",
            "secret": "secret",
            "item": item.pk,
        },
    )
    vote = HallVote.objects.get(congress=congress)
    assert response["Location"] == f"/chair/s1/votes/{vote.pk}/"
    code_of = {
        i.member_id: i.code for i in hall.do_issue_voting_codes(congress, acting_user="test")
    }
    chair.post(f"/chair/s1/votes/{vote.pk}/open/")
    chair.post(f"/chair/s1/votes/{vote.pk}/open/")
    vote.refresh_from_db()
    assert vote.election.phase == "open" and vote.present_at_open == 6
    for s, marks in zip(seats[:4], [[[0]], [[0]], [[0]], [[1]]], strict=True):
        casting.do_cast(vote.election, code_of[s.delegate.member_id], marks)
    chair.post(f"/chair/s1/votes/{vote.pk}/close/")
    second = chair.post(f"/chair/s1/votes/{vote.pk}/close/", follow=True)
    assert second.status_code == 200
    vote.refresh_from_db()
    assert vote.election.phase == "published" and vote.election.result["carried"]
    assert AuditEntry.objects.filter(action="congress.vote_create").count() == 1
    detail = chair.get(f"/chair/s1/votes/{vote.pk}/").content.decode()
    assert "Утвердить отчёт" in detail

    # The congress closes; the protocol is signed by the chair and by the secretary.
    services.do_close(congress, acting_user="test")
    secretary_user = get_user_model().objects.create_user("secretary", password="pw-long-enough")
    do_grant_role(secretary_user, "admin", acting_user="test")
    secretary = Client()
    secretary.force_login(secretary_user)
    preview = chair.get("/chair/s1/protocol/").content.decode()
    assert "Отчёт совета" in preview and "Утвердить отчёт" in preview
    chair.post("/chair/s1/protocol/sign/", {"role": "chair"})
    chair.post("/chair/s1/protocol/sign/", {"role": "chair"})
    with translation.override("en"):
        same = chair.post("/chair/s1/protocol/sign/", {"role": "secretary"}, follow=True)
    with translation.override("ru"):  # the page speaks the site's language
        said = translation.gettext("The chair and the secretary are two different people.")
    assert said in same.content.decode()
    secretary.post("/chair/s1/protocol/sign/", {"role": "secretary"})
    assert ProtocolSignature.objects.filter(congress=congress).count() == 2
    with translation.override("en"):
        page = chair.get("/chair/s1/protocol/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Both signatures hold" in page
    pdf = chair.get("/chair/s1/protocol.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    odt = chair.get("/chair/s1/protocol.odt")
    assert odt.status_code == 200 and odt.content.startswith(b"PK")
    assert chair.get("/chair/s1/protocol.exe").status_code == 404


def test_a_named_vote_is_called_answer_by_answer_and_counted_at_its_close(seated, officers):
    congress, seats = seated
    chair = admin_client(officers)
    vote = hall.do_create_vote(congress, title="Поимённо", secret=False, acting_user="test")
    chair.post(f"/chair/s1/votes/{vote.pk}/open/")
    page = chair.get(f"/chair/s1/votes/{vote.pk}/").content.decode()
    assert f'name="d-{seats[0].delegate.pk}"' in page
    assert f'name="d-{seats[8].delegate.pk}"' not in page  # not in the hall
    answers = {f"d-{seats[i].delegate.pk}": c for i, c in enumerate(["yes", "yes", "no"])}
    chair.post(f"/chair/s1/votes/{vote.pk}/named/", answers)
    chair.post(f"/chair/s1/votes/{vote.pk}/named/", answers)  # sent again: nothing added
    assert NamedChoice.objects.filter(vote=vote).count() == 3
    chair.post(f"/chair/s1/votes/{vote.pk}/close/")
    chair.post(f"/chair/s1/votes/{vote.pk}/close/")
    vote.refresh_from_db()
    assert vote.election.phase == "published"
    assert hall.vote_row(vote)["for"] == 2 and hall.vote_row(vote)["against"] == 1


def test_paper_ballots_need_two_tellers_who_agree(seated, officers):
    congress, _seats = seated
    first = admin_client(officers)
    teller_user = get_user_model().objects.create_user("teller", password="pw-long-enough")
    do_grant_role(teller_user, "admin", acting_user="test")
    second = Client()
    second.force_login(teller_user)
    vote = hall.do_create_vote(congress, title="На бумаге", paper=True, acting_user="test")
    first.post(f"/chair/s1/votes/{vote.pk}/open/")
    first.post(f"/chair/s1/votes/{vote.pk}/close/")
    vote.refresh_from_db()
    assert vote.paper_state == "counting"
    first.post(f"/chair/s1/votes/{vote.pk}/paper/", {"yes": 3, "no": 1, "abstain": 0})
    second.post(f"/chair/s1/votes/{vote.pk}/paper/", {"yes": 3, "no": 2, "abstain": 0})
    vote.refresh_from_db()
    assert vote.paper_state == "mismatch"
    page = first.get(f"/chair/s1/votes/{vote.pk}/").content.decode()
    assert vote.paper_problem in html.unescape(page)
    second.post(f"/chair/s1/votes/{vote.pk}/paper/", {"yes": 3, "no": 1, "abstain": 0})
    vote.refresh_from_db()
    assert vote.paper_state == "entered" and vote.election.phase == "published"


def test_issuing_every_code_twice_with_the_same_form_issues_once(seated, officers):
    congress, seats = seated
    chair = admin_client(officers)
    page = chair.get("/chair/s1/codes/").content.decode()
    once = re.search(r'name="once" value="([0-9a-f]+)"', page).group(1)
    first = chair.post("/chair/s1/codes/issue/", {"once": once, "confirm": "on"})
    assert first.status_code == 302 and "/files/" in first["Location"]
    again = chair.post("/chair/s1/codes/issue/", {"once": once, "confirm": "on"})
    assert again["Location"] == "/chair/s1/codes/"
    assert AuditEntry.objects.filter(action="codes.issue").count() == 1
    csv_text, slips = codes_csv_text(chair, first)
    # A slip is private: the delegate's name and voting code, never the badge code that
    # everyone in the hall can read off their chest.
    for s in seats:
        raw = s.badge_code.replace("-", "")
        assert s.badge_code not in slips and raw not in slips
        assert s.badge_code not in csv_text and raw not in csv_text
    names = re.findall(r'<p class="slip__name">([^<]+)</p>', slips)
    codes = re.findall(r"<code>([^<]+)</code>", slips)
    assert len(codes) == len(names) == 9  # every eligible delegate, one slip each
    code_of = dict(zip([html.unescape(n) for n in names], codes, strict=True))
    vote = hall.do_create_vote(congress, title="Проверка", acting_user="test")
    hall.do_open_vote(vote, acting_user="test")
    receipts = [
        casting.do_cast(vote.election, code_of[s.delegate.member.full_name], [[0]])
        for s in seats[:6]  # the six in the hall, each with the code on their slip
    ]
    assert len(receipts) == 6  # the six in the hall, each with the code on their slip


def test_an_election_takes_its_candidates_from_the_eligible_delegates(seated, officers):
    congress, seats = seated
    chair = admin_client(officers)
    once = re.search(
        r'name="once" value="([0-9a-f]+)"', chair.get("/chair/s1/votes/").content.decode()
    ).group(1)
    form = {
        "once": once,
        "title": "Председатель партии",
        "kind": "election",
        "majority": "simple",
        "base": "yes_no",
        "method": "schulze",
        "seats": "1",
        "secret": "secret",
        "candidates": [seats[0].delegate.pk, seats[4].delegate.pk],
    }
    chair.post("/chair/s1/votes/", form)
    vote = HallVote.objects.get(congress=congress)
    names = [seats[0].delegate.member.full_name, seats[4].delegate.member.full_name]
    assert sorted(vote.election.candidates.values_list("member_id", flat=True)) == sorted(
        [seats[0].delegate.member_id, seats[4].delegate.member_id]
    )
    code_of = {
        i.member_id: i.code for i in hall.do_issue_voting_codes(congress, acting_user="test")
    }
    chair.post(f"/chair/s1/votes/{vote.pk}/open/")
    for s in seats[:3]:
        casting.do_cast(vote.election, code_of[s.delegate.member_id], [[1], [0]])
    chair.post(f"/chair/s1/votes/{vote.pk}/close/")
    page = html.unescape(chair.get(f"/chair/s1/votes/{vote.pk}/").content.decode())
    vote.refresh_from_db()
    first_choice = list(ballots.options(vote.election))[1]  # everyone's first preference
    assert first_choice in names
    assert vote.election.result["winners"] == [first_choice]
    assert first_choice in page


def test_an_election_without_candidates_is_refused_and_nothing_is_made(seated, officers):
    chair = admin_client(officers)
    form = {
        "title": "Совет",
        "kind": "election",
        "majority": "simple",
        "base": "yes_no",
        "method": "stv",
        "seats": "2",
        "secret": "secret",
    }
    with translation.override("en"):
        response = chair.post("/chair/s1/votes/", form, follow=True)
    with translation.override("ru"):
        said = translation.gettext("Choose the candidates of the election.")
    assert said in response.content.decode()
    assert HallVote.objects.count() == 0
