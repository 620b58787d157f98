"""No officer reads the registry alone page after page: the daily screen limit (issue 12).

Written as the adversary would try it — a pressed coordinator, or a script with a stolen
session — with the real Django client and the real audit log the limit counts from:

- walking the member list page after page is stopped once the officer was shown the
  limit's rows in 24 hours (at most one page over), a national admin too;
- the refusal shows nothing of any member, and is itself in the audit log;
- member cards count one each; the group page, the readiness page's names and the API
  count and refuse alike; an approved member list file does not count;
- 24 hours later the budget is back (the window is computed for a given `now`);
- the national admin sets the number on the settings page, audited; a bad number gets a
  sentence and changes nothing; 0 closes the screens.

Under KENES_TEST_DB=postgres every test here runs on PostgreSQL too (the count reads a
JSON key of the audit entries: both backends must agree).
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from kenes.audit.models import AuditEntry
from kenes.audit.usage import members_shown
from kenes.ballots import services as ballots
from kenes.registry import approvals
from kenes.registry.importing import do_import_members
from kenes.registry.models import BulkReadSettings, MemberStatus
from kenes.registry.screen_budget import screen_budget
from kenes.web.views.common import PAGE_SIZE
from tests.approvals.conftest import EN
from tests.approvals.test_watermark import _approve_and_fetch
from tests.conftest import csv_bytes, person
from tests.named import member_named

pytestmark = pytest.mark.django_db

CROWD = range(100, 220)  # 120 more people: with the registry's 9, three pages of members


@pytest.fixture
def crowd(registry, groups):  # type: ignore[no-untyped-def]
    """The registry plus 120 traders in Almaty city; every name in the registry."""
    rows = [person(n, region="Алматы") for n in CROWD]
    do_import_members(
        io.BytesIO(csv_bytes(rows)),
        filename="traders.csv",
        group=groups["traders"],
        acting_user="test",
    )
    numbers = [*range(1, 6), *range(10, 14), *CROWD]
    return [person(n)[0] for n in numbers]


def _limit(n, more_officers):  # type: ignore[no-untyped-def]
    approvals.do_change_settings(
        approvals_needed=1,
        api_limit=50,
        delay_hours=0,
        screen_rows_per_day=n,
        acting_user=more_officers["admin2"],
    )


def _names_in(html: str, names: list[str]) -> list[str]:
    return [name for name in names if name in html]


def _refusals():  # type: ignore[no-untyped-def]
    return list(AuditEntry.objects.filter(action="member.list_refused").order_by("id"))


def test_an_admin_walking_the_member_list_page_after_page_is_stopped(
    client_of, crowd, more_officers
):
    _limit(60, more_officers)
    client = client_of("admin")  # a national admin is one person too
    seen: set[str] = set()
    answers = []
    for page in range(1, 4):
        answer = client.get(reverse("members"), {"page": page}, **EN)
        answers.append(answer.status_code)
        if answer.status_code == 200:
            seen.update(_names_in(answer.content.decode(), crowd))
    # The page that crosses the limit is still shown whole; the next is refused.
    assert answers == [200, 200, 403]
    first = client_of("admin3").get(reverse("members"), **EN).content.decode()
    assert "The daily screen limit lets you see 10 more members' rows" in first
    assert len(seen) == 2 * PAGE_SIZE < len(crowd)
    refused = client.get(reverse("members"), {"page": 3}, **EN).content.decode()
    assert _names_in(refused, crowd) == []
    assert (
        "You were shown 100 members' rows in the last 24 hours and the daily limit is 60" in refused
    )
    assert f'href="{reverse("bulk_reads")}"' in refused
    # A search, a filter, page 1 again: nothing more today.
    for asked in ({"q": "Тестов"}, {"region": "KZ-75"}, {"page": 1}):
        again = client.get(reverse("members"), asked, **EN)
        assert again.status_code == 403 and _names_in(again.content.decode(), crowd) == []
    lists = AuditEntry.objects.filter(action="member.list", actor="admin")
    assert [e.detail["count"] for e in lists] == [PAGE_SIZE, PAGE_SIZE]
    assert [e.detail for e in _refusals()][0] == {
        "screen": "members",
        "shown_24h": 100,
        "screen_rows_per_day": 60,
    }
    assert len(_refusals()) == 5 and {e.actor for e in _refusals()} == {"admin"}


def test_the_limit_is_per_officer(client_of, crowd, more_officers):
    _limit(50, more_officers)
    assert client_of("admin").get(reverse("members"), **EN).status_code == 200
    assert client_of("admin").get(reverse("members"), **EN).status_code == 403
    fresh = client_of("admin3").get(reverse("members"), **EN)  # another admin's own budget
    assert fresh.status_code == 200 and len(_names_in(fresh.content.decode(), crowd)) == PAGE_SIZE


def test_member_cards_count_one_each_and_the_refusal_names_nobody(
    client_of, registry, more_officers
):
    _limit(3, more_officers)
    client = client_of("group")  # the workers' coordinator: persons 1 to 5
    names = [person(n)[0] for n in range(1, 6)]
    for n in (1, 2, 3):
        card = client.get(reverse("member_detail", args=[member_named(person(n)[0]).pk]), **EN)
        assert card.status_code == 200 and person(n)[0] in card.content.decode()
    fourth = member_named(person(4)[0])
    refused = client.get(reverse("member_detail", args=[fourth.pk]), **EN)
    assert refused.status_code == 403
    assert _names_in(refused.content.decode(), names) == []
    assert "You were shown 3 members' rows" in refused.content.decode()
    # Changing a record's status from its card is refused too, and changes nothing.
    posted = client.post(
        reverse("member_detail", args=[fourth.pk]), {"status": MemberStatus.LEFT}, **EN
    )
    assert posted.status_code == 403
    fourth.refresh_from_db()
    assert fourth.status != MemberStatus.LEFT
    # Out of scope or not there: the same answer, before anything is looked up.
    far = client.get(reverse("member_detail", args=[member_named(person(10)[0]).pk]), **EN)
    assert far.status_code == 403 and "You were shown 3 members' rows" in far.content.decode()
    assert [e.detail["screen"] for e in _refusals()] == ["member"] * 3
    assert AuditEntry.objects.filter(action="member.view").count() == 3


def test_the_group_page_the_readiness_names_and_the_api_count_and_refuse_alike(
    client_of, registry, more_officers
):
    _limit(5, more_officers)
    client = client_of("regional")  # Almaty city: persons 1 to 5
    names = [person(n)[0] for n in range(1, 6)]
    listed = client.get("/api/v1/members")
    assert listed.status_code == 200 and listed.json()["count"] == 5
    again = client.get("/api/v1/members")
    assert again.status_code == 403 and "members" not in again.json()
    sentence = again.json()["detail"]
    assert "You were shown 5 members' rows in the last 24 hours" in sentence
    assert reverse("bulk_reads") in sentence
    card = client.get(f"/api/v1/members/{member_named(person(1)[0]).pk}")
    assert card.status_code == 403 and _names_in(card.content.decode(), names) == []
    group = client.get(reverse("group_detail", args=["workers"]), **EN)
    assert group.status_code == 200  # the group's numbers are no one's personal data
    html = group.content.decode()
    assert 'id="screen-budget-used-up"' in html and _names_in(html, names) == []
    readiness = client.get(reverse("readiness"), {"rules": "kz-2009"}, **EN)
    assert readiness.status_code == 200
    assert _names_in(readiness.content.decode(), names) == []
    screens = [e.detail["screen"] for e in _refusals()]
    assert screens == ["api", "api", "group", "readiness"]
    assert (
        not AuditEntry.objects.filter(action="member.list", actor="regional")
        .exclude(detail__via="api")
        .exists()
    )


def test_a_member_list_file_other_officers_approved_does_not_count(
    client_of, registry, more_officers
):
    _limit(5, more_officers)
    client = client_of("regional")
    asked = client.post(reverse("bulk_read_members"), {"region": "", "status": ""}, **EN)
    _approve_and_fetch(client, asked["Location"], more_officers["regional2"])
    made = AuditEntry.objects.get(action="member.list", actor="regional")
    assert made.detail == {"via": "file", "count": 5}
    assert screen_budget(acting_user=more_officers["regional"]).shown == 0
    assert client.get(reverse("members"), **EN).status_code == 200


def test_the_count_is_the_rows_of_lists_plus_one_per_card_within_24_hours(
    client_of, crowd, more_officers
):
    """The counting query itself (run on PostgreSQL too): list rows by the web and the API,
    one per card, not another officer's, not before the window, and back after 24 hours."""
    admin, regional = more_officers["admin"], more_officers["regional"]
    client_of("admin").get(reverse("members"), {"page": 3}, **EN)  # 29 rows
    client_of("admin").get(reverse("member_detail", args=[member_named(crowd[0]).pk]))
    client_of("admin").get("/api/v1/members", {"region": "KZ-35"})  # 4 rows (farmers)
    client_of("regional").get(reverse("members"), **EN)  # 50 (Almaty city), someone else's
    now = timezone.now()
    assert screen_budget(acting_user=admin, now=now).shown == 29 + 1 + 4
    assert screen_budget(acting_user=regional, now=now).shown == PAGE_SIZE
    later = now + datetime.timedelta(hours=23, minutes=59)
    assert screen_budget(acting_user=admin, now=later).shown == 34
    next_day = now + datetime.timedelta(hours=24, seconds=2)
    assert screen_budget(acting_user=admin, now=next_day).shown == 0
    assert members_shown(actor_id=admin.pk, since=now - datetime.timedelta(hours=1), until=now)
    before = now - datetime.timedelta(hours=1)
    assert (
        members_shown(actor_id=admin.pk, since=before - datetime.timedelta(days=1), until=before)
        == 0
    )


def test_the_budget_is_back_24_hours_later(client_of, registry, more_officers):
    _limit(9, more_officers)
    client = client_of("admin")
    assert client.get(reverse("members"), **EN).status_code == 200  # all 9
    assert client.get(reverse("members"), **EN).status_code == 403
    now = timezone.now()
    assert screen_budget(acting_user=more_officers["admin"], now=now).used_up
    tomorrow = now + datetime.timedelta(hours=24, seconds=2)
    back = screen_budget(acting_user=more_officers["admin"], now=tomorrow)
    assert not back.used_up and back.left == 9


def test_the_admin_changes_the_limit_on_the_settings_page_and_it_is_audited(
    client_of, registry, more_officers
):
    client = client_of("admin")
    page = client.get(reverse("bulk_read_settings"), **EN).content.decode()
    assert 'name="screen_rows_per_day"' in page and 'value="500"' in page
    posted = {
        "approvals_needed": "1",
        "api_limit": "50",
        "delay_hours": "0",
        "screen_rows_per_day": "0",
    }
    assert client.post(reverse("bulk_read_settings"), posted, **EN).status_code == 302
    assert BulkReadSettings.objects.get().screen_rows_per_day == 0
    entry = AuditEntry.objects.get(action="bulk_read.settings")
    assert entry.detail["old"]["screen_rows_per_day"] == 500
    assert entry.detail["new"]["screen_rows_per_day"] == 0
    # 0 closes the screens at once, to everyone, the admin who set it included.
    for name in ("admin", "admin2", "regional", "group"):
        assert client_of(name).get(reverse("members"), **EN).status_code == 403
    assert not AuditEntry.objects.filter(action="member.list").exists()
    log = client.get(reverse("audit"), **EN).content.decode()
    assert "Members not shown: daily screen limit reached" in log
    assert "daily screen limit" in log and ">member.list_refused<" not in log


@pytest.mark.parametrize("bad", ["-1", "1000001", "9" * 25, "x", ""])
def test_a_bad_limit_is_refused_with_a_sentence_and_changes_nothing(
    client_of, registry, more_officers, bad
):
    posted = {
        "approvals_needed": "1",
        "api_limit": "50",
        "delay_hours": "0",
        "screen_rows_per_day": bad,
    }
    answer = client_of("admin").post(reverse("bulk_read_settings"), posted, **EN)
    html = answer.content.decode()
    assert answer.status_code == 200 and 'role="alert"' in html
    if bad.lstrip("-").isdigit():
        assert "The daily screen limit is a number of members from 0" in html
    assert not BulkReadSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="bulk_read.settings").exists()
    with pytest.raises(ValueError, match="daily screen limit"):
        _limit(-1, more_officers)
    assert not BulkReadSettings.objects.exists()


def test_a_votes_candidate_search_counts_and_is_refused_once_the_limit_is_reached(
    client_of, registry, more_officers, groups
):
    election = ballots.do_create_election(
        "Workers council",
        cutoff_on=timezone.localdate(),
        acting_user=more_officers["admin"],
        group=groups["workers"],
    )
    _limit(5, more_officers)
    client = client_of("group")
    detail = reverse("election_detail", args=[election.pk])
    names = [person(n)[0] for n in range(1, 6)]
    found = client.get(detail, {"q": "Тестов"}, **EN).content.decode()
    assert len(_names_in(found, names)) == 5  # the workers' five: the limit is reached
    refused = client.get(detail, {"q": "Тестов"}, **EN)
    assert refused.status_code == 200  # the vote's page itself is no one's personal data
    html = refused.content.decode()
    assert 'id="screen-budget-used-up"' in html and _names_in(html, names) == []
    assert [e.detail["screen"] for e in _refusals()] == ["election"]
    assert client.get(detail, **EN).status_code == 200  # no search: nothing refused
    assert len(_refusals()) == 1
