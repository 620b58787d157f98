"""The congress pages through the Django client and the real services: who may do what, a
congress created, delegates seated by IIN and flagged in words, badges whose QR codes and
short codes then open the door, the quorum panel's numbers, and the door sent twice."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from kenes.audit import services as audit
from kenes.congress import services
from kenes.congress.models import Attendance, Congress, Delegate
from kenes.core.congress.badge import badge_qr_svg
from kenes.registry.models import Member
from tests.ballots.conftest import make_members
from tests.conftest import person
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db

REGIONS = ("Алматы", "Астана", "Шымкент")  # KZ-75 (the regional coordinator's), KZ-71, KZ-79
CODE = re.compile(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4})</code>")


@pytest.fixture
def people(groups):  # type: ignore[no-untyped-def]
    """Nine members in good standing, three in each of three regions: numbers 0..8."""
    for i, region in enumerate(REGIONS):
        make_members(groups["workers"], range(i * 3, i * 3 + 3), region=region)
    Member.objects.update(consent_on=timezone.localdate())  # an import records none
    return list(Member.objects.order_by("pk"))


def iin(n: int) -> str:
    return person(n)[2]


def _client(officers, role: str) -> Client:  # type: ignore[no-untyped-def]
    """Logged in as `role`, reading the pages in English (the site's default is Russian)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officers[role])
    return client


def _seat(client: Client, slug: str, text: str):  # type: ignore[no-untyped-def]
    return client.post(f"/congress/{slug}/delegates/", {"iins": text})


def _door(client: Client, slug: str, code: str, direction: str = "in"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/congress/{slug}/door/", {"badge": code, "direction": direction}, follow=True
    )


# Who may do what ----------------------------------------------------------------------------


def test_a_group_coordinator_an_auditor_and_a_nobody_see_no_congress_page(officers, people):
    congress = make_congress(officers["admin"])
    services.do_add_delegates(congress, people[:1], acting_user=officers["admin"])
    slug = congress.slug
    gets = ["/congress/", "/congress/new/", f"/congress/{slug}/", f"/congress/{slug}/door/"]
    posts = [
        f"/congress/{slug}/open/",
        f"/congress/{slug}/close/",
        f"/congress/{slug}/delegates/",
        f"/congress/{slug}/check/",
        f"/congress/{slug}/badges/",
        f"/congress/{slug}/door/",
    ]
    for role in ("group", "auditor", "nobody"):
        client = _client(officers, role)
        for url in [*gets, f"/congress/{slug}/quorum/"]:
            assert client.get(url).status_code == 403, (role, url)
        for url in posts:
            response = client.post(
                url, {"confirm": "on", "iins": iin(0), "region": "KZ-75", "badge": "AAAA-AAAA"}
            )
            assert response.status_code == 403, (role, url)
        created = client.post(
            "/congress/new/",
            {"title": "Съезд", "slug": "x", "kind": "ordinary", "standing_on": "2026-01-01"},
        )
        assert created.status_code == 403
    assert Congress.objects.count() == 1
    assert Congress.objects.get().status == "planned"
    assert Delegate.objects.count() == 1 and not Attendance.objects.exists()


def test_a_regional_coordinator_keeps_the_door_but_cannot_create_or_manage(officers, people):
    congress = make_congress(officers["admin"])
    slug = congress.slug
    regional = _client(officers, "regional")
    assert regional.get("/congress/").status_code == 200
    assert regional.get(f"/congress/{slug}/").status_code == 200
    assert regional.get(f"/congress/{slug}/door/").status_code == 200
    assert regional.get("/congress/new/").status_code == 403
    for url in ("open", "close", "delegates", "check"):
        response = regional.post(f"/congress/{slug}/{url}/", {"confirm": "on", "iins": iin(0)})
        assert response.status_code == 403, url
    congress.refresh_from_db()
    assert congress.status == "planned" and not Delegate.objects.exists()


# The whole way: create, seat, flag, badges, door, quorum -----------------------------------


def test_create_seat_by_iin_flags_in_words_badges_open_the_door_and_the_quorum_counts(
    officers, people
):
    admin = _client(officers, "admin")
    response = admin.post(
        "/congress/new/",
        {
            "title": "Очередной съезд",
            "slug": "s-2026",
            "kind": "ordinary",
            "standing_on": timezone.localdate().isoformat(),
            "place": "Алматы",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/congress/s-2026/"
    congress = Congress.objects.get(slug="s-2026")
    assert congress.rules["kind"] == "ordinary"

    gone = Member.objects.get(pk=people[1].pk)
    Member.objects.filter(pk=gone.pk).update(status="left")
    unknown = "900101300123"  # a valid-looking IIN nobody has
    # Pasted from a spreadsheet: separators, blank lines, one IIN twice, one nobody has.
    pasted = "\n".join(
        [
            iin(0),
            f" {iin(1)[:6]} {iin(1)[6:]} ",
            "",
            *(iin(n) for n in range(2, 9)),
            iin(0),
            unknown,
        ]
    )
    with override("en"):
        seated = _seat(admin, congress.slug, pasted)
    assert seated.status_code == 200
    page = seated.content.decode()
    codes = CODE.findall(page)
    assert len(codes) == 9 == Delegate.objects.filter(congress=congress).count()
    assert page.count("<svg") == 9  # a QR code on every badge, inline
    assert unknown in page and "9 delegates seated." in page
    assert "1 new delegate may not sit" in page
    assert seated["Cache-Control"].startswith("max-age=0")  # shown once, not cached
    assert not any(code in str(list(audit.entries_newest_first())) for code in codes)

    with override("en"):
        detail = admin.get(f"/congress/{congress.slug}/").content.decode()
    assert "not a member in good standing on the congress&#x27;s day" in detail or (
        "not a member in good standing on the congress's day" in detail
    )
    assert "More than 1/2 of the entitled delegates are present." in detail
    assert "unconfirmed" in detail

    # Each QR code is the one segno makes of the short code printed beside it.
    assert all(badge_qr_svg(code) in page for code in codes)

    by_member = _codes_by_member(page, codes)
    with override("en"):
        refused = _door(admin, congress.slug, by_member[gone.full_name])
        assert "may not sit" in refused.content.decode()
        for name, code in by_member.items():
            if name != gone.full_name:
                answer = _door(admin, congress.slug, code.lower().replace("-", " "))
                assert f"{name} (" in answer.content.decode()
                assert "checked in." in answer.content.decode()
        panel = admin.get(f"/congress/{congress.slug}/quorum/", HTTP_HX_REQUEST="true")
    text = panel.content.decode()
    assert 'id="quorum-panel"' in text and "<html" not in text  # the fragment htmx swaps in
    numbers = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    assert "8 / 8" in numbers and "Quorum met" in numbers and "5 needed" in numbers
    assert Attendance.objects.filter(arrived=True).count() == 8


def _codes_by_member(page: str, codes: list[str]) -> dict[str, str]:
    names = re.findall(r'congress-badge__name">([^<]+)<', page)
    assert len(names) == len(codes)
    return dict(zip(names, codes, strict=True))


def test_the_door_sent_twice_records_one_arrival(officers, people):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people[:3], acting_user=admin)
    client = _client(officers, "regional")  # a regional coordinator keeps the door
    with override("en"):
        first = _door(client, congress.slug, seated[0].badge_code)
        second = _door(client, congress.slug, seated[0].badge_code)
    assert "checked in." in first.content.decode()
    assert "already in the hall: nothing changed." in second.content.decode()
    assert Attendance.objects.filter(delegate=seated[0].delegate).count() == 1
    with override("en"):
        left = _door(client, congress.slug, seated[0].badge_code, "out")
        wrong = _door(client, congress.slug, "ZZZZ-ZZZZ")
    assert "checked out." in left.content.decode()
    assert "not one of this congress" in wrong.content.decode()
    assert [a.arrived for a in Attendance.objects.order_by("pk")] == [True, False]


def test_a_door_page_has_one_autofocused_field_and_the_quorum_panel(officers, people):
    congress = make_congress(officers["admin"])
    with override("en"):
        page = _client(officers, "regional").get(f"/congress/{congress.slug}/door/")
    body = page.content.decode()
    assert body.count("autofocus") == 1 and 'name="badge"' in body
    assert 'hx-trigger="every 3s"' in body and 'id="quorum-panel"' in body
    alone = _client(officers, "regional").get(f"/congress/{congress.slug}/quorum/")
    assert '<meta http-equiv="refresh"' in alone.content.decode()  # without JavaScript


# Badges per region -------------------------------------------------------------------------


def test_printing_a_regions_badges_makes_new_codes_and_the_old_ones_stop_working(officers, people):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    almaty = [s for s in seated if s.delegate.region_code == "KZ-75"]
    astana = [s for s in seated if s.delegate.region_code != "KZ-75"][0]
    assert len(almaty) == 3
    services.do_check_in(congress, almaty[0].badge_code, acting_user=admin)  # in the hall

    regional = _client(officers, "regional")
    refused = regional.post(
        f"/congress/{congress.slug}/badges/",
        {"region": astana.delegate.region_code, "confirm": "on"},
    )
    assert refused.status_code == 403  # another region's badges
    unconfirmed = regional.post(f"/congress/{congress.slug}/badges/", {"region": "KZ-75"})
    assert unconfirmed.status_code == 302
    with override("en"):
        printed = regional.post(
            f"/congress/{congress.slug}/badges/", {"region": "KZ-75", "confirm": "on"}
        )
    page = printed.content.decode()
    new_codes = CODE.findall(page)
    assert len(new_codes) == 2 and page.count("<svg") == 2  # the one in the hall keeps hers
    assert "@media print" not in page and "congress.css" in page
    entry = audit.entries_newest_first("congress.badges_region").first()
    assert entry.detail == {"region": "KZ-75", "badges": 2}

    with override("en"):
        old = _door(regional, congress.slug, almaty[1].badge_code)
        assert "not one of this congress" in old.content.decode()
        for code in new_codes:
            assert "checked in." in _door(regional, congress.slug, code).content.decode()
        # The delegate already in the hall keeps her code: she can still leave.
        assert (
            "checked out."
            in _door(regional, congress.slug, almaty[0].badge_code, "out").content.decode()
        )
    # Another region's codes are untouched.
    assert services.do_check_in(congress, astana.badge_code, acting_user=admin).changed


def test_open_and_close_need_the_box_ticked(officers, people):
    congress = make_congress(officers["admin"])
    admin = _client(officers, "admin")
    admin.post(f"/congress/{congress.slug}/open/", {})
    congress.refresh_from_db()
    assert congress.status == "planned"
    admin.post(f"/congress/{congress.slug}/open/", {"confirm": "on"})
    congress.refresh_from_db()
    assert congress.status == "open"
    admin.post(f"/congress/{congress.slug}/close/", {"confirm": "on"})
    congress.refresh_from_db()
    assert congress.status == "closed"
    with override("en"):
        page = admin.get(f"/congress/{congress.slug}/").content.decode()
    assert "Seat them" not in page and "Make the badges" not in page


def test_a_wrong_iin_line_seats_nobody(officers, people):
    congress = make_congress(officers["admin"])
    admin = _client(officers, "admin")
    with override("en"):
        response = _seat(admin, congress.slug, f"{iin(0)}\n12345")
        page = admin.get(response["Location"]).content.decode()
    assert "An IIN has 12 digits; this line is not one: 12345." in page
    assert not Delegate.objects.exists()


def test_the_polled_panel_keeps_its_way_without_javascript(officers, people):
    """The panel is a form whose button opens the panel's own page: the door's polled panel
    keeps that button, the panel's own page a Refresh button."""
    congress = make_congress(officers["admin"])
    client = _client(officers, "regional")
    url = f"/congress/{congress.slug}/quorum/"
    with override("en"):
        door = client.get(url + "?panel=door", HTTP_HX_REQUEST="true").content.decode()
        alone = client.get(url + "?panel=alone", HTTP_HX_REQUEST="true").content.decode()
        page = client.get(url).content.decode()
        odd = client.get(url + "?panel=<script>", HTTP_HX_REQUEST="true").content.decode()
    assert "The quorum panel alone" in door and 'hx-get="' + url + '?panel=door"' in door
    assert "Refresh" in alone and "Refresh" in page and "<html" in page
    assert "<script>" not in odd and "?panel=page" in odd
