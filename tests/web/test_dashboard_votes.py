"""The overview lists votes and consultations under way to every officer who may see them
(finding 21); an election's page sets its period and hands out a scheduled opening's codes.

The regional coordinator runs Almaty city (KZ-75), the group coordinator the workers group.
"""

from __future__ import annotations

import csv
import datetime
import io
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from kenes.agenda import services as agenda
from kenes.audit.models import AuditEntry
from kenes.ballots import schedule, services
from kenes.ballots.models import Election
from kenes.participation.services import resolve_code
from tests.web.handout import downloads

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HOUR = datetime.timedelta(hours=1)


def _motion(officers, title: str, **electorate) -> Election:  # type: ignore[no-untyped-def]
    return services.do_create_election(
        title,
        kind="motion",
        cutoff_on=timezone.localdate(),
        acting_user=officers["admin"],
        **electorate,
    )


@pytest.fixture
def under_way(registry, groups, officers):  # type: ignore[no-untyped-def]
    """One open motion per electorate, a draft scheduled to open, one that is not, and a
    consultation per electorate."""
    admin = officers["admin"]
    votes = {
        "party": _motion(officers, "Party motion"),
        "region": _motion(officers, "Almaty motion", region_code="KZ-75"),
        "group": _motion(officers, "Workers motion", group=groups["workers"]),
        "other_group": _motion(officers, "Farmers motion", group=groups["farmers"]),
    }
    for election in votes.values():
        services.do_open(election, acting_user=admin)
    soon = _motion(officers, "Workers budget", group=groups["workers"])
    schedule.do_set_schedule(
        soon,
        opens_at=timezone.now() + HOUR,
        closes_at=timezone.now() + 5 * HOUR,
        acting_user=admin,
    )
    soon.refresh_from_db()
    votes["scheduled"] = soon
    votes["unscheduled"] = _motion(officers, "Unscheduled draft", group=groups["workers"])
    consult = {
        "party": agenda.do_create_consultation(
            "Party priorities", question="?", cutoff_on=timezone.localdate(), acting_user=admin
        ),
        "group": agenda.do_create_consultation(
            "Workers priorities",
            question="?",
            cutoff_on=timezone.localdate(),
            group=groups["workers"],
            acting_user=admin,
        ),
    }
    return votes, consult


SEES = {
    "admin": {"Party motion", "Almaty motion", "Workers motion", "Farmers motion"},
    "auditor": {"Party motion", "Almaty motion", "Workers motion", "Farmers motion"},
    "regional": {"Almaty motion"},
    "group": {"Workers motion"},
}
CONSULTATIONS = {
    "admin": {"Party priorities", "Workers priorities"},
    "auditor": {"Party priorities", "Workers priorities"},
    "regional": set(),
    "group": {"Workers priorities"},
}
ALL_VOTES = SEES["admin"] | {"Workers budget", "Unscheduled draft"}


@pytest.mark.parametrize("role", ["admin", "auditor", "regional", "group"])
def test_each_officer_sees_the_votes_and_consultations_of_their_scope_with_turnout(
    client_for, under_way, role
):
    votes, _ = under_way
    client = client_for(role)
    html = unescape(client.get(reverse("dashboard"), **EN).content.decode())
    shown = {title for title in ALL_VOTES if title in html}
    expected = set(SEES[role])
    if role in ("admin", "auditor", "group"):
        expected.add("Workers budget")  # scheduled to open: listed with its period
    assert shown == expected
    assert "Unscheduled draft" not in html
    for title in ("Party priorities", "Workers priorities"):
        assert (title in html) == (title in CONSULTATIONS[role])
    assert "Votes under way" in html and "0 of " in html  # turnout, never a ballot
    if "Workers budget" in expected:
        assert "opens " in html and "closes " in html
    # Every vote listed opens for this officer (the report's coordinators got refused).
    for key, election in votes.items():
        if election.title in shown:
            page = client.get(reverse("election_detail", args=[election.pk]))
            assert page.status_code == 200, (role, key)


def test_the_turnout_on_the_overview_counts_voters_and_shows_no_ballot(
    client_for, registry, officers, groups
):
    admin = officers["admin"]
    election = services.do_create_election(
        "Workers council",
        cutoff_on=timezone.localdate(),
        group=groups["workers"],
        acting_user=admin,
    )
    for member in (registry["worker"], registry["both"]):
        services.do_add_candidate(election, member, acting_user=admin)
    issued = services.do_open(election, acting_user=admin)
    from kenes.ballots import casting, voting

    loaded = voting.election_to_cast(election.pk, address="192.0.2.1")
    assert loaded is not None
    casting.do_cast(loaded, issued[0].code, [[1]])
    html = unescape(client_for("group").get(reverse("dashboard"), **EN).content.decode())
    election.refresh_from_db()
    size = election.electorate_size
    assert f"1 of {size} ({round(100 / size)}%)" in html
    assert registry["worker"].full_name not in html and registry["both"].full_name not in html


def test_an_officer_without_a_role_sees_no_votes(client_for, under_way):
    html = client_for("nobody").get(reverse("dashboard"), **EN).content.decode()
    assert "Votes under way" not in html and "Party motion" not in html


# ---- the period on the election's page -----------------------------------------------


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_officer_sets_the_period_on_the_page_and_it_is_audited(client_for, under_way):
    votes, _ = under_way
    election = votes["unscheduled"]
    opens = (timezone.now() + 2 * HOUR).replace(second=0, microsecond=0)
    closes = opens + 24 * HOUR
    response = client_for("group").post(
        reverse("election_detail", args=[election.pk]),
        {"step": "schedule", "opens_at": _local(opens), "closes_at": _local(closes)},
    )
    assert response.status_code == 302
    election.refresh_from_db()
    assert (election.opens_at, election.closes_at) == (opens, closes)
    assert AuditEntry.objects.filter(action="ballots.schedule", target_id=str(election.pk)).exists()
    html = client_for("group").get(reverse("election_detail", args=[election.pk]), **EN)
    assert timezone.localtime(opens).strftime("%d.%m.%Y %H:%M") in html.content.decode()


@pytest.mark.parametrize(
    ("opens", "closes", "sentence"),
    [
        ("2020-01-01T09:00", "", "That time has passed"),
        ("tomorrow", "", "Enter a date and a time"),
        ("+3", "+2", "must close after it opens"),
    ],
)
def test_a_period_that_cannot_be_kept_is_answered_with_a_sentence_and_nothing_changes(
    client_for, under_way, opens, closes, sentence
):
    votes, _ = under_way
    election = votes["unscheduled"]

    def value(text: str) -> str:
        if text.startswith("+"):
            return _local(timezone.now() + int(text) * HOUR)
        return text

    response = client_for("group").post(
        reverse("election_detail", args=[election.pk]),
        {"step": "schedule", "opens_at": value(opens), "closes_at": value(closes)},
        **EN,
    )
    assert response.status_code == 200
    assert sentence in unescape(response.content.decode())
    election.refresh_from_db()
    assert election.opens_at is None and election.closes_at is None


def test_an_officer_of_another_electorate_cannot_set_the_period(client_for, under_way):
    votes, _ = under_way
    election = votes["other_group"]
    later = _local(timezone.now() + 5 * HOUR)
    for role in ("group", "regional", "auditor"):
        response = client_for(role).post(
            reverse("election_detail", args=[election.pk]),
            {"step": "schedule", "closes_at": later},
        )
        assert response.status_code == 403, role
    election.refresh_from_db()
    assert election.closes_at is None


def test_after_a_scheduled_opening_the_officer_hands_out_codes_once_from_the_page(
    client_for, under_way
):
    votes, _ = under_way
    election = votes["scheduled"]
    schedule.run_due(election.opens_at)
    client = client_for("group")
    page = client.get(reverse("election_detail", args=[election.pk]), **EN).content.decode()
    assert "Hand out the codes" in page
    url = reverse("election_detail", args=[election.pk])
    response = client.post(url, {"step": "hand_out", "confirm": "on"})
    files = downloads(client, response)
    rows = list(csv.DictReader(io.StringIO(files["csv"].content.decode("utf-8-sig"))))
    election.refresh_from_db()
    assert len(rows) == election.electorate_size > 0
    assert all(resolve_code(election.purpose, row["code"]) is not None for row in rows)
    again = client.post(url, {"step": "hand_out", "confirm": "on"}, **EN, follow=True)
    assert "handed out already" in unescape(again.content.decode())
    assert "Hand out the codes" not in again.content.decode()
