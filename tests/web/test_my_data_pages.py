"""The member's own data page (/my-data/, a personal data code, no account) and the officers'
page of correction requests, driven over HTTP as a phone's browser without JavaScript would."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kenes.audit import services as audit
from kenes.participation import my_data, throttle
from kenes.participation.models import CodeAttempt, CorrectionRequest, CorrectionState
from kenes.registry.models import ConstituentGroup, Member
from kenes.registry.rosters import open_roster
from kenes.registry.services import do_grant_role

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def codes(registry, officers):  # type: ignore[no-untyped-def]
    """Data codes for the workers' members (the worker, and the person in both groups)."""
    issued = my_data.do_issue_data_codes(
        [registry["worker"], registry["both"]], acting_user=officers["group"]
    )
    return {i.member_id: i.code for i in issued}


@pytest.fixture
def farmers_officer(groups):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user("farmers-coordinator", password="pw-long-enough-1")
    do_grant_role(user, "group", group=groups["farmers"], acting_user="test")
    client = Client()
    client.force_login(user)
    return client


def _open(client: Client, code: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("my_data"), {"code": code}, **headers)


def _personal(member: Member) -> list[str]:
    return [member.full_name, member.phone or "", member.address or "", member.iin or ""]


def _actions(member: Member) -> list[str]:
    entries = audit.entries_about_member(member.pk)
    return list(entries.order_by("id").values_list("action", flat=True))


def test_the_code_page_works_without_javascript_and_is_never_cached(client):
    response = client.get(reverse("my_data"), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<form class="card vote-code" method="post" action="/my-data/"', html)
    assert response["Cache-Control"] == "no-store"


def test_a_right_code_shows_exactly_that_members_data(registry, codes):
    worker = registry["worker"]
    response = _open(Client(), codes[worker.pk], **EN)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert worker.full_name in html
    assert worker.phone in html and worker.address in html
    assert worker.iin[-4:] in html and worker.iin not in html  # masked but its last 4
    assert "Рабочие" in html and "Фермеры" not in html
    for other in (registry["farmer"], registry["both"]):
        assert all(value not in html for value in _personal(other) if value)
    assert _actions(worker)[-1] == "member.self_view"


def test_another_members_code_never_shows_this_one(registry, codes):
    worker, both = registry["worker"], registry["both"]
    html = _open(Client(), codes[both.pk], **EN).content.decode()
    assert both.full_name in html and "Фермеры" in html  # their own groups, all of them
    assert all(value not in html for value in _personal(worker) if value)
    assert "member.self_view" not in _actions(worker)


def test_wrong_codes_are_throttled_and_a_right_code_still_works(registry, codes):
    client = Client()
    statuses = [
        _open(client, "ABCDE-FGHJK-MNPQR", **EN).status_code
        for _ in range(throttle.FAILURE_LIMIT + 2)
    ]
    assert statuses == [400] * throttle.FAILURE_LIMIT + [429, 429]
    assert CodeAttempt.objects.count() == throttle.FAILURE_LIMIT  # no write past the limit
    wrong = _open(client, "ABCDE-FGHJK-MNPQR", **EN)
    assert "Too many wrong codes" in wrong.content.decode() and wrong["Retry-After"]
    right = _open(client, codes[registry["worker"].pk], **EN)
    assert right.status_code == 200 and registry["worker"].full_name in right.content.decode()


def test_a_vote_code_does_not_open_the_data_and_the_page_never_shows_a_ballot(
    registry, codes, officers
):
    from kenes.ballots.models import Candidate
    from tests.ballots.conftest import cast_ballots, open_election

    worker = registry["worker"]
    workers = ConstituentGroup.objects.get(slug="workers")
    members = list(Member.objects.filter(pk__in=open_roster(workers.pk).ids).order_by("pk"))
    election, vote_codes = open_election(members, officers["admin"], candidates=3)
    client = Client()
    page = client.get(reverse("vote_link", args=[vote_codes[worker.pk]]))
    form = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page.content.decode()).group(1)  # type: ignore[union-attr]
        for name in ("code", "election")
    }
    cast = client.post(reverse("vote_cast"), {**form, "rank_1": "1"}, follow=True)
    receipt = re.search(r'id="receipt"[^>]*>([^<]+)<', cast.content.decode()).group(1)  # type: ignore[union-attr]
    assert [r for r, _ in cast_ballots()] == [receipt.replace(" ", "")]

    assert _open(Client(), vote_codes[worker.pk], **EN).status_code == 400
    html = _open(Client(), codes[worker.pk], **EN).content.decode()
    assert election.title in html and "you voted" in html
    assert receipt.replace(" ", "") not in html.replace(" ", "")
    chosen = Candidate.objects.filter(election=election).order_by("pk")[1]
    assert chosen.name not in html  # no candidate at all, so not the one ranked first
    assert vote_codes[worker.pk] not in html


def test_a_correction_goes_to_an_officer_of_the_group_who_applies_it_once(
    registry, codes, client_for, farmers_officer
):
    worker = registry["worker"]
    code = codes[worker.pk]
    sent = Client().post(
        reverse("my_data_correction"),
        {"code": code, "field": "phone", "value": "8 702 111 22 33", "note": "новый номер"},
    )
    assert sent.status_code == 303 and sent["Location"] == reverse("my_data_sent")
    (request,) = CorrectionRequest.objects.all()

    # An officer of another group sees nothing of it and cannot answer it.
    listing = farmers_officer.get(reverse("data_requests"), **EN)
    assert listing.status_code == 200 and worker.full_name not in listing.content.decode()
    refused = farmers_officer.post(reverse("data_request_apply", args=[request.pk]))
    assert refused.status_code == 403
    worker.refresh_from_db()
    assert worker.phone != "+77021112233"

    officer = client_for("group")
    listing = officer.get(reverse("data_requests"), **EN)
    html = listing.content.decode()
    assert worker.full_name in html and "8 702 111 22 33" in html and "новый номер" in html
    assert worker.phone in html and "+77021112233" in html  # now, and as it would be written
    applied = officer.post(reverse("data_request_apply", args=[request.pk]), follow=True, **EN)
    assert "Corrected" in applied.content.decode()
    worker.refresh_from_db()
    assert worker.phone == "+77021112233"
    after_first = _actions(worker)
    assert after_first[-2:] == ["member.update", "correction.apply"]

    again = officer.post(reverse("data_request_apply", args=[request.pk]), follow=True, **EN)
    assert "answered already" in again.content.decode()
    assert _actions(worker) == after_first  # nothing applied twice, nothing written

    # The member sees the answer, and the officers' looks by kind, never an officer's name.
    page = _open(Client(), code, **EN).content.decode()
    assert "+77021112233" in page and "corrected" in page
    assert "Member&#x27;s correction applied: 1 time" in page
    assert "farmers-coordinator" not in page and ">group<" not in page


def test_a_wrong_code_cannot_ask_for_a_correction(registry, codes):
    response = Client().post(
        reverse("my_data_correction"),
        {"code": "ABCDE-FGHJK-MNPQR", "field": "phone", "value": "8 702 111 22 33"},
        **EN,
    )
    assert response.status_code == 400
    assert CorrectionRequest.objects.count() == 0


def test_a_correction_that_cannot_be_read_says_so_and_keeps_nothing(registry, codes):
    response = Client().post(
        reverse("my_data_correction"),
        {"code": codes[registry["worker"].pk], "field": "birth_date", "value": "весной"},
        **EN,
    )
    assert response.status_code == 400
    assert "DD.MM.YYYY" in response.content.decode()
    assert CorrectionRequest.objects.count() == 0


def test_refusing_with_a_reason_shows_the_member_the_reason(registry, codes, client_for):
    worker = registry["worker"]
    request = my_data.do_request_correction(worker.pk, "full_name", "Иванов Иван")
    officer = client_for("group")
    officer.post(reverse("data_request_refuse", args=[request.pk]), {"reason": "Нужен паспорт"})
    request.refresh_from_db()
    assert request.state == CorrectionState.REFUSED
    assert "Нужен паспорт" in _open(Client(), codes[worker.pk]).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("regional", 403), ("group", 200), ("auditor", 403), ("nobody", 403)],
)
def test_only_officers_of_a_group_and_the_national_admin_get_the_requests_page(
    client_for, role, status
):
    assert client_for(role).get(reverse("data_requests")).status_code == status


def test_issuing_data_codes_makes_slips_and_a_codes_file_without_phones(
    registry, client_for, farmers_officer
):
    from kenes.participation import handouts
    from kenes.registry.models import PreparedFile

    officer = client_for("group")
    workers = ConstituentGroup.objects.get(slug="workers").pk
    response = officer.post(reverse("data_codes_issue"), {"group": workers, "phones": "on"})
    assert response.status_code == 302 and "/files/" in response["Location"]
    files = {f.kind: f for f in PreparedFile.objects.all()}
    assert set(files) == {"codes_csv", "codes_slips"}
    for item in files.values():  # what the worker does (if the test run did not already)
        if item.status == "pending":
            maker = (
                handouts.make_slips_file if item.kind == "codes_slips" else handouts.make_codes_file
            )
            maker.call(str(item.pk))
    got = {
        kind: officer.post(reverse("prepared_file_download", args=[item.bundle, item.pk]))
        for kind, item in files.items()
    }
    text = got["codes_csv"].content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["full_name", "code", "link"]  # the officer ticked phones: still none
    assert all(m.phone not in text for m in Member.objects.all() if m.phone)
    codes = [row[1] for row in rows[1:]]
    assert all("/my-data/#/" in row[2] for row in rows[1:])
    opened = {my_data.member_for_code(code) for code in codes}
    kept = open_roster(workers).record_ids()
    assert opened == set(kept) and len(opened) == 5  # the records the workers keep
    assert registry["farmer"].pk not in opened
    assert all(code in got["codes_slips"].content.decode() for code in codes)

    refused = farmers_officer.post(reverse("data_codes_issue"), {"group": workers}, follow=True)
    assert refused.status_code == 200
    assert PreparedFile.objects.count() == 2  # nothing issued for a group not theirs


def test_a_lost_slip_a_new_code_for_one_member_by_iin_only_within_scope(
    registry, codes, client_for, farmers_officer
):
    from kenes.registry.models import PreparedFile

    worker = registry["worker"]
    old = codes[worker.pk]
    # The farmers' coordinator cannot reissue a worker's code, and learns nothing from trying.
    refused = farmers_officer.post(
        reverse("data_codes_issue"), {"iin": worker.iin}, follow=True, **EN
    )
    assert "No member whose requests you answer has this IIN" in refused.content.decode()
    assert my_data.member_for_code(old) == worker.pk and PreparedFile.objects.count() == 0

    response = client_for("group").post(reverse("data_codes_issue"), {"iin": worker.iin})
    assert response.status_code == 302 and "/files/" in response["Location"]
    assert my_data.member_for_code(old) is None  # the lost slip's code no longer opens anything
    assert my_data.member_for_code(codes[registry["both"].pk]) == registry["both"].pk
    issued = audit.entries_newest_first("codes.issue").first()
    assert issued is not None and issued.detail == {"codes": 1}  # a count: no member id
