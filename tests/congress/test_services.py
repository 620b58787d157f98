"""The congress through its services: kinds as data, delegates checked for eligibility,
the door by badge code, and the quorum."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from kenes.audit import services as audit
from kenes.congress import services
from kenes.congress.models import Attendance, Congress, CongressKind, Delegate
from kenes.congress.services import CongressError
from kenes.core.iin import make_iin
from kenes.registry.models import Member
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db


def test_kinds_come_from_the_data_file_and_a_congress_keeps_its_rules(officers):
    congress = make_congress(officers["admin"], kind="founding")
    founding = CongressKind.objects.get(key="founding")
    assert not founding.proxies and founding.regions_share == "2/3"
    assert founding.minimum_present == 700  # the law's initiative group (data, correctable)
    assert "OFFICIAL" in founding.notes["proxies_status"]
    assert congress.rules["proxies"] is False and congress.rules["kind"] == "founding"
    founding.quorum_share = "2/3"  # the admin corrects the kind later
    founding.save()
    congress.refresh_from_db()
    assert congress.rules["quorum_share"] == "1/2"  # the congress keeps what it began with
    assert set(CongressKind.objects.values_list("key", flat=True)) == {
        "founding",
        "ordinary",
        "extraordinary",
    }


def test_a_wrong_kind_or_a_taken_short_name_is_refused_and_changes_nothing(officers):
    make_congress(officers["admin"])
    with pytest.raises(CongressError, match="exists already"):
        make_congress(officers["admin"])
    with pytest.raises(CongressError, match="no kind of congress"):
        make_congress(officers["admin"], kind="secret", slug="s2")
    assert Congress.objects.count() == 1
    assert audit.entries_newest_first("congress.create").count() == 1


def test_ineligible_delegates_are_flagged_when_seated_and_kept_out_of_the_hall(
    people, groups, officers
):
    admin = officers["admin"]
    born = timezone.localdate().replace(year=timezone.localdate().year - 16)
    young = Member.objects.create(  # an import refuses the underage: made directly
        full_name="Юнусов Ерлан",
        iin=make_iin(born, "M", 1),
        iin_index="young",
        birth_date=born,
        region_code="KZ-75",
        status="member",
        consent_on=timezone.localdate(),
    )
    gone = people[0]
    Member.objects.filter(pk=gone.pk).update(status="left")
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, [*people, young], acting_user=admin)
    problems = {s.delegate.member_id: s.delegate.problems for s in seated}
    assert problems[young.pk] == ["underage"]
    assert problems[gone.pk] == ["not_in_good_standing"]
    assert all(problems[m.pk] == [] for m in people[1:])
    entry = audit.entries_newest_first("congress.delegates_add").first()
    assert entry.detail == {"added": 10, "flagged": 2}  # counts: no member ids

    badge = {s.delegate.member_id: s.badge_code for s in seated}
    with pytest.raises(CongressError, match="may not sit: younger than"):
        services.do_check_in(congress, badge[young.pk], acting_user=admin)
    assert not Attendance.objects.exists()

    # Seating the same people again adds nobody; a later check finds a change of record.
    assert services.do_add_delegates(congress, people, acting_user=admin) == []
    Member.objects.filter(pk=people[1].pk).update(status="suspended")
    counts = services.do_check_eligibility(congress, acting_user=admin)
    assert counts == {"underage": 1, "not_in_good_standing": 2}
    assert Delegate.objects.get(member=people[1]).problems == ["not_in_good_standing"]


def test_the_door_takes_a_badge_code_however_it_is_typed_and_records_each_change_once(
    people, officers
):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    code = seated[0].badge_code
    typed = code.lower().replace("-", " ").replace("0", "o")
    first = services.do_check_in(congress, typed, acting_user=admin)
    assert first.changed and first.delegate.pk == seated[0].delegate.pk
    again = services.do_check_in(congress, code, acting_user=admin)  # a second scan
    assert not again.changed
    assert Attendance.objects.filter(delegate=seated[0].delegate).count() == 1
    out = services.do_check_in(congress, code, arriving=False, acting_user=admin)
    assert out.changed and not Delegate.objects.get(pk=out.delegate.pk).present
    assert [a.arrived for a in Attendance.objects.all()] == [True, False]
    for wrong in ("ABCD-EFGH", "not a code", seated[1].badge_code[:-1]):
        with pytest.raises(CongressError, match="not one of this congress"):
            services.do_check_in(congress, wrong, acting_user=admin)
    other = make_congress(admin, slug="s2")  # a badge opens only its own congress's door
    with pytest.raises(CongressError, match="not one of this congress"):
        services.do_check_in(other, code, acting_user=admin)
    new_code = services.do_new_badge(seated[1].delegate, acting_user=admin)
    with pytest.raises(CongressError):
        services.do_check_in(congress, seated[1].badge_code, acting_user=admin)
    assert services.do_check_in(congress, new_code, acting_user=admin).changed
    entries = audit.entries_newest_first("congress.check_")
    assert [e.action for e in entries] == [
        "congress.check_in",
        "congress.check_out",
        "congress.check_in",
    ]


def test_the_quorum_follows_the_hall_and_the_kinds_rule(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin)  # ordinary: more than half, no regions part
    seated = services.do_add_delegates(congress, people, acting_user=admin)  # 9 delegates
    assert services.quorum(congress).needed == 5
    for s in seated[:4]:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    assert not services.quorum(congress).met
    services.do_check_in(congress, seated[4].badge_code, acting_user=admin)
    state = services.quorum(congress)
    assert state.met and state.present == 5 and state.regions_present == 2

    founding = make_congress(admin, kind="founding", slug="f")
    seated = services.do_add_delegates(founding, people, acting_user=admin)
    for s in seated:
        services.do_check_in(founding, s.badge_code, acting_user=admin)
    state = services.quorum(founding)
    assert state.present == 9 and state.needed == 700 and not state.met  # too few founders


def test_open_and_close_are_one_way_and_a_closed_door_stays_shut(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people[:2], acting_user=admin)
    with pytest.raises(CongressError, match="cannot become"):
        services.do_close(congress, acting_user=admin)
    services.do_open(congress, acting_user=admin)
    services.do_check_in(congress, seated[0].badge_code, acting_user=admin)
    closed = services.do_close(congress, acting_user=admin)
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(CongressError, match="closed"):
        services.do_check_in(congress, seated[1].badge_code, acting_user=admin)
    with pytest.raises(CongressError, match="closed"):
        services.do_add_delegates(closed, people[2:3], acting_user=admin)
    entry = audit.entries_newest_first("congress.close").first()
    assert entry.detail == {"present": 1, "entitled": 2, "quorate": False}


def test_the_command_line_lists_and_shows_in_the_documented_shape(people, officers):
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people[:3], acting_user=admin)
    services.do_check_in(congress, seated[0].badge_code, acting_user=admin)
    out = io.StringIO()
    call_command("congress", "list", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "congresses": [
            {"slug": "s1", "title": "Очередной съезд", "kind": "ordinary", "status": "planned"}
        ]
    }
    out = io.StringIO()
    call_command("congress", "show", "s1", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown == {
        "slug": "s1",
        "title": "Очередной съезд",
        "kind": "ordinary",
        "status": "planned",
        "delegates": {"entitled": 3, "checked_in": 1, "flagged": 0},
        "quorum": {"met": False, "needed": 2, "regions_present": 1, "regions_needed": 0},
        "votes": [],
    }


def test_standing_is_judged_on_the_congress_day(people, officers):
    admin = officers["admin"]
    joined_late = people[0]
    Member.objects.filter(pk=joined_late.pk).update(
        joined_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    congress = make_congress(admin)
    (seated,) = services.do_add_delegates(congress, [joined_late], acting_user=admin)
    assert seated.delegate.problems == ["not_in_good_standing"]
