"""Officers' election pages: who may open what, and the draft → open → closed → published path.

The regional coordinator runs Almaty city (KZ-75), the group coordinator the workers group;
"worker" lives in Almaty, "farmer" in Karaganda Region (the farmers group).
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from kenes.audit.models import AuditEntry
from kenes.ballots import casting, services
from kenes.ballots.models import Ballot, Election
from kenes.ballots.rules import Action, can, visible_elections
from kenes.participation.services import resolve_code
from tests.web.handout import downloads, without_watermark

pytestmark = pytest.mark.django_db

ROLES = ("admin", "regional", "group", "auditor", "nobody")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRM = {"confirm": "on"}


def _create(officers, title: str, **electorate) -> Election:  # type: ignore[no-untyped-def]
    return services.do_create_election(
        title, cutoff_on=timezone.localdate(), acting_user=officers["admin"], **electorate
    )


@pytest.fixture
def elections(registry, groups, officers):  # type: ignore[no-untyped-def]
    return {
        "region": _create(officers, "Almaty council", region_code="KZ-75"),
        "other_region": _create(
            officers, "Karaganda council", region_code=registry["farmer"].region_code
        ),
        "group": _create(officers, "Workers council", group=groups["workers"]),
        "other_group": _create(officers, "Farmers council", group=groups["farmers"]),
        "party": _create(officers, "Party council"),
    }


def _open(election, officers, members) -> dict[int, str]:  # type: ignore[no-untyped-def]
    for member in members:
        services.do_add_candidate(election, member, acting_user=officers["admin"])
    issued = services.do_open(election, acting_user=officers["admin"])
    election.refresh_from_db()
    return {i.member_id: i.code for i in issued}


def _workers(registry):  # type: ignore[no-untyped-def]
    return [registry["worker"], registry["both"]]


def _actions(election: Election) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="election", target_id=str(election.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


_URL_ATTR = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE)


def _foreign_urls(html: str) -> list[str]:
    urls = _URL_ATTR.findall(html) + re.findall(r"https?://[^\s<\"']+", html)
    return [u for u in urls if re.match(r"(?:https?:)?//", u) and "//testserver/" not in u]


# ---- who may open what ------------------------------------------------------------------

PAGE_MATRIX = [
    # page, election              admin regional group auditor nobody
    ("elections", None, (200, 200, 200, 200, 403)),
    ("election_add", None, (200, 200, 200, 403, 403)),
    ("election_detail", "region", (200, 200, 403, 200, 403)),
    ("election_detail", "other_region", (200, 403, 403, 200, 403)),
    ("election_detail", "group", (200, 403, 200, 200, 403)),
    ("election_detail", "other_group", (200, 403, 403, 200, 403)),
    ("election_detail", "party", (200, 403, 403, 200, 403)),
    # paper ballots of a draft: those who run it are sent back to its page (302)
    ("election_paper", "region", (302, 302, 403, 403, 403)),
    ("election_paper", "group", (302, 403, 302, 403, 403)),
]


@pytest.mark.parametrize(
    "page,key,expected", PAGE_MATRIX, ids=[f"{p}-{k}" for p, k, _ in PAGE_MATRIX]
)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_role_election_page_matrix(client_for, elections, page, key, expected, role_index):
    url = reverse(page, args=[elections[key].pk] if key else [])
    response = client_for(ROLES[role_index]).get(url)
    assert response.status_code == expected[role_index], (ROLES[role_index], url)


ACTION_MATRIX = [
    # action on the Almaty election, with an expected status per role
    ("election_open", (302, 302, 403, 403, 403)),
    ("election_close", (302, 302, 403, 403, 403)),
    ("election_publish", (302, 302, 403, 403, 403)),
    ("election_candidates", (302, 302, 403, 403, 403)),
    ("election_reissue", (302, 302, 403, 403, 403)),
]


@pytest.mark.parametrize("action,expected", ACTION_MATRIX, ids=[a for a, _ in ACTION_MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_only_those_who_run_an_election_may_act_on_it(
    client_for, elections, registry, action, expected, role_index
):
    election = elections["region"]
    for member in [registry["worker"], registry["both"]]:
        services.do_add_candidate(election, member, acting_user="test")
    url = reverse(action, args=[election.pk])
    response = client_for(ROLES[role_index]).post(url, {**CONFIRM, "member": 0})
    assert response.status_code == expected[role_index], (ROLES[role_index], url)


def test_a_regional_coordinator_is_refused_another_regions_election(client_for, elections):
    client = client_for("regional")
    election = elections["other_region"]
    for name in ("election_open", "election_close", "election_publish", "election_paper"):
        assert client.post(reverse(name, args=[election.pk]), CONFIRM).status_code == 403
    election.refresh_from_db()
    assert election.phase == "draft"
    html = client.get(reverse("elections")).content.decode()
    assert "Almaty council" in html and "Karaganda council" not in html


def test_the_list_shows_exactly_the_elections_whose_page_the_user_may_open(officers, elections):
    for role in ROLES:
        user = officers[role]
        visible = set(visible_elections(user))
        for election in elections.values():
            assert (election in visible) == can(user, Action.VIEW_TURNOUT, election), (
                role,
                election,
            )


def test_unknown_elections_are_not_found_and_opening_needs_a_post(client_for, elections):
    client = client_for("admin")
    for name in ("election_detail", "election_paper"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    for name in ("election_open", "election_close", "election_publish", "election_reissue"):
        assert client.post(reverse(name, args=[999999]), CONFIRM).status_code == 404
    assert client.get(reverse("election_open", args=[elections["region"].pk])).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client, elections):
    response = client.get(reverse("election_detail", args=[elections["region"].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# ---- creating ---------------------------------------------------------------------------


def _form(**changes):  # type: ignore[no-untyped-def]
    data = {
        "title": "Coordinating council",
        "description": "Seven seats for the coming year.",
        "kind": "election",
        "electorate": "party",
        "cutoff_on": timezone.localdate().isoformat(),
        "method": "stv",
        "stv_rules": "meek",
        "seats": "2",
        "quorum_percent": "0",
        "majority": "simple",
        "base": "yes_no",
    }
    return {**data, **changes}


def test_an_admin_creates_an_election_and_lands_on_its_page(client_for, officers):
    response = client_for("admin").post(reverse("election_add"), _form())
    election = Election.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("election_detail", args=[election.pk])
    assert (election.description, election.stv_rules, election.seats) == (
        "Seven seats for the coming year.",
        "meek",
        2,
    )
    assert _actions(election) == ["ballots.create"]


def test_a_motion_keeps_its_quorum_and_wording(client_for, groups):
    form = _form(kind="motion", electorate=f"group:{groups['workers'].pk}", quorum_percent="30")
    response = client_for("group").post(reverse("election_add"), {**form, "majority": "two_thirds"})
    assert response.status_code == 302
    motion = Election.objects.get()
    assert (motion.kind, motion.method, motion.quorum_percent, motion.majority) == (
        "motion",
        "plurality",
        30,
        "two_thirds",
    )
    assert motion.group == groups["workers"]
    page = client_for("group").get(reverse("election_detail", args=[motion.pk]), **EN)
    html = page.content.decode()
    assert "Seven seats for the coming year." in html
    assert "At least 30% of the electorate must vote." in html
    assert "Add a candidate" not in html  # a motion has yes, no and abstain


def test_a_regional_coordinator_cannot_create_a_vote_for_another_region(client_for, registry):
    client = client_for("regional")
    page = client.get(reverse("election_add"), **EN).content.decode()
    assert 'value="region:KZ-75"' in page
    assert f'value="region:{registry["farmer"].region_code}"' not in page
    assert 'value="party"' not in page
    for electorate in (f"region:{registry['farmer'].region_code}", "party"):
        response = client.post(reverse("election_add"), _form(electorate=electorate), **EN)
        assert response.status_code == 200
        assert "Choose an electorate you run." in response.content.decode()
    assert not Election.objects.exists()


def test_invalid_input_is_answered_with_sentences(client_for, officers):
    response = client_for("admin").post(
        reverse("election_add"), _form(title="", seats="0", quorum_percent="120"), **EN
    )
    html = response.content.decode()
    assert "Fill in this field." in html
    assert "An election fills at least one seat." in html
    assert "The quorum is a percentage between 0 and 100." in html
    assert not Election.objects.exists()


# ---- candidates, opening and the codes page --------------------------------------------


def test_officers_find_candidates_in_the_electorate_and_add_them(client_for, elections, registry):
    election = elections["group"]
    client = client_for("group")
    detail = reverse("election_detail", args=[election.pk])
    html = client.get(detail, {"q": "Тестов"}).content.decode()
    assert registry["worker"].full_name in html
    assert registry["farmer"].full_name not in html  # not in the workers' electorate
    assert AuditEntry.objects.filter(action="member.list", target_id=str(election.pk)).exists()
    for member in _workers(registry):
        response = client.post(
            reverse("election_candidates", args=[election.pk]),
            {"member": member.pk, "statement": "Fair wages"},
        )
        assert response.status_code == 302
    refused = client.post(
        reverse("election_candidates", args=[election.pk]), {"member": registry["farmer"].pk}
    )
    assert refused.status_code == 302
    assert [c.member_id for c in election.candidates.all()] == [m.pk for m in _workers(registry)]
    assert "Fair wages" in client.get(detail).content.decode()
    assert _actions(election).count("ballots.add_candidate") == 2


def test_opening_shows_one_slip_per_voter_and_a_csv_whose_codes_open_the_ballot(
    client_for, elections, registry
):
    election = elections["group"]
    for member in _workers(registry):
        services.do_add_candidate(election, member, acting_user="test")
    voters = services.electorate(election).count()
    client = client_for("group")
    response = client.post(
        reverse("election_open", args=[election.pk]), {**CONFIRM, "phones": "on"}
    )
    files = downloads(client, response)
    for got in (files["page"], files["csv"], files["slips"]):
        assert "no-store" in got["Cache-Control"]
    assert files["csv"]["Content-Disposition"] == f'attachment; filename="codes-{election.pk}.csv"'
    html = files["slips"].content.decode()
    assert html.count('class="slip"') == voters == 5
    text = without_watermark(files["csv"].content.decode("utf-8-sig"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == voters
    election.refresh_from_db()
    assert election.phase == "open"
    for row in rows:
        member = resolve_code(election.purpose, row["code"])
        assert member is not None and member.full_name == row["full_name"]
        assert row["phone"] == member.phone and row["phone"].startswith("+7701")
        assert row["code"] in html and row["link"].startswith("http://testserver/vote/")
    assert _foreign_urls(html) == [] and _foreign_urls(files["page"].content.decode()) == []
    assert [a for a in _actions(election) if a == "ballots.open"] == ["ballots.open"]
    assert AuditEntry.objects.filter(action="codes.issue", target_id=election.purpose).exists()
    (read,) = AuditEntry.objects.filter(action="member.phones_read", target_id=election.purpose)
    assert read.detail == {"asked": voters, "read": voters}


def test_opening_with_too_few_candidates_is_refused_and_changes_nothing(
    client_for, elections, registry
):
    election = elections["region"]
    services.do_add_candidate(election, registry["worker"], acting_user="test")
    response = client_for("regional").post(
        reverse("election_open", args=[election.pk]), CONFIRM, follow=True, **EN
    )
    assert "Add more candidates than seats" in response.content.decode()
    election.refresh_from_db()
    assert election.phase == "draft"
    assert "ballots.open" not in _actions(election)


def test_opening_without_ticking_the_confirmation_changes_nothing(client_for, elections, registry):
    election = elections["region"]
    for member in _workers(registry):
        services.do_add_candidate(election, member, acting_user="test")
    response = client_for("admin").post(
        reverse("election_open", args=[election.pk]), {}, follow=True, **EN
    )
    assert "Tick the box to confirm" in response.content.decode()
    election.refresh_from_db()
    assert election.phase == "draft"


# ---- closing, publishing, paper ballots, reissuing --------------------------------------


def test_closing_then_publishing_leads_to_the_result(client_for, elections, registry, officers):
    election = elections["region"]
    _open(election, officers, _workers(registry))
    client = client_for("regional")
    client.post(reverse("election_close", args=[election.pk]), CONFIRM)
    election.refresh_from_db()
    assert election.phase == "closed"
    response = client.post(reverse("election_publish", args=[election.pk]), CONFIRM)
    assert response.status_code == 302
    assert response["Location"] == reverse("election_result", args=[election.pk])
    election.refresh_from_db()
    assert election.phase == "published"
    assert {"ballots.closed", "ballots.published"} <= set(_actions(election))
    assert AuditEntry.objects.filter(action="codes.revoke", target_id=election.purpose).exists()


def _blt(names: list[str], lines: list[str]) -> str:
    quoted = [f'"{n}"' for n in names]
    return "\n".join([f"{len(names)} 1", *lines, "0", *quoted, '"Paper"']) + "\n"


def test_paper_ballots_are_added_all_or_nothing(client_for, elections, registry, officers):
    election = elections["region"]
    _open(election, officers, _workers(registry))
    names = list(services.options(election))
    client = client_for("regional")
    url = reverse("election_paper", args=[election.pk])
    assert client.get(url).status_code == 200
    good = _blt(names, ["3 1 2 0", "2 2 0"])
    response = client.post(url, {"text": good, "format": "blt"}, follow=True, **EN)
    assert "5 paper ballots were added." in response.content.decode()
    assert Ballot.objects.filter(election=election, paper=True).count() == 5
    bad = _blt(names, ["3 1 2 0", "2 x 0"])
    upload = io.BytesIO(bad.encode())
    upload.name = "congress.blt"
    response = client.post(url, {"file": upload, "format": "blt"}, **EN)
    assert response.status_code == 200
    assert "line 3" in unescape(response.content.decode())
    assert Ballot.objects.filter(election=election, paper=True).count() == 5
    assert _actions(election).count("ballots.enter_paper") == 1


def test_a_new_code_is_shown_once_and_refused_after_the_member_voted(
    client_for, elections, registry, officers
):
    election = elections["group"]
    codes = _open(election, officers, _workers(registry))
    voter, other = registry["worker"], registry["both"]
    casting.do_cast(election, codes[voter.pk], [[0]])
    client = client_for("group")
    url = reverse("election_reissue", args=[election.pk])
    response = client.post(url, {"member": voter.pk}, follow=True, **EN)
    assert "already voted" in response.content.decode()
    response = client.post(url, {"member": other.pk})
    html = downloads(client, response)["slips"].content.decode()
    assert html.count('class="slip"') == 1
    new_code = re.search(r"<code>([^<]+)</code>", html).group(1)
    assert resolve_code(election.purpose, new_code) == other
    assert resolve_code(election.purpose, codes[other.pk]) is None
    issued = AuditEntry.objects.filter(action="codes.issue", target_id=election.purpose)
    assert issued.count() == 2  # at opening, and the reissue


def test_election_pages_link_nothing_on_another_host(client_for, elections, registry, officers):
    election = elections["region"]
    _open(election, officers, _workers(registry))
    client = client_for("admin")
    for url in (
        reverse("elections"),
        reverse("election_add"),
        reverse("election_detail", args=[election.pk]) + "?q=Тестов",
        reverse("election_paper", args=[election.pk]),
    ):
        html = client.get(url, **EN).content.decode()
        assert _foreign_urls(html) == [], url
        assert re.search(r"\sstyle\s*=", html) is None, url
