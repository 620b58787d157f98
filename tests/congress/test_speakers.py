"""The agenda and lists of speakers: points of order first, balanced lists, only delegates
in the hall, the chair's next/stop, and the timer's limits per speaker and delegation."""

from __future__ import annotations

import datetime

import pytest

from kenes.audit import services as audit
from kenes.congress import services
from kenes.congress import speakers as sp
from kenes.congress.models import AgendaItem, Speaker
from kenes.congress.services import CongressError
from kenes.registry.models import Member
from tests.congress.conftest import make_congress

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(people, officers):  # type: ignore[no-untyped-def]
    """Nine delegates in three regions, all in the hall; the odd ones are women."""
    admin = officers["admin"]
    for i, m in enumerate(people):
        Member.objects.filter(pk=m.pk).update(sex="F" if i % 2 else "M")
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)
    for s in seated:
        services.do_check_in(congress, s.badge_code, acting_user=admin)
    delegates = [s.delegate for s in seated]
    for d in delegates:
        d.refresh_from_db()
    return congress, delegates, admin


def test_items_are_numbered_in_order_and_one_is_current(hall):
    congress, _delegates, admin = hall
    first = sp.do_add_item(congress, title="Открытие", planned_minutes=10, acting_user=admin)
    second = sp.do_add_item(congress, title="Устав", acting_user=admin)
    assert (first.position, second.position) == (1, 2)
    sp.do_make_current(first, acting_user=admin)
    sp.do_make_current(second, acting_user=admin)
    assert [(i.current, i.done) for i in AgendaItem.objects.order_by("position")] == [
        (False, True),
        (True, False),
    ]
    with pytest.raises(CongressError, match="balanced by region or by sex"):
        sp.do_add_item(congress, title="x", balance_by="age", acting_user=admin)


def test_points_of_order_go_first_then_the_order_asked(hall):
    congress, d, admin = hall
    item = sp.do_add_item(congress, title="Устав", acting_user=admin)
    sp.do_ask_for_floor(item, d[0], "pro", acting_user=admin)
    sp.do_ask_for_floor(item, d[1], "contra", acting_user=admin)
    sp.do_ask_for_floor(item, d[2], "order", acting_user=admin)
    assert [s.delegate_id for s in sp.queue(item)] == [d[2].pk, d[0].pk, d[1].pk]
    with pytest.raises(CongressError, match="on the list already"):
        sp.do_ask_for_floor(item, d[0], "pro", acting_user=admin)


def test_a_balanced_list_alternates_by_sex_when_it_can(hall):
    congress, d, admin = hall
    item = sp.do_add_item(congress, title="Программа", balance_by="sex", acting_user=admin)
    men = [x for x in d if x.member.sex == "M"]
    women = [x for x in d if x.member.sex == "F"]
    for x in (men[0], men[1], men[2], women[0], women[1]):
        sp.do_ask_for_floor(item, x, "general", acting_user=admin)
    assert [s.delegate_id for s in sp.queue(item)] == [
        men[0].pk,
        women[0].pk,
        men[1].pk,
        women[1].pk,
        men[2].pk,
    ]
    first = sp.do_next_speaker(item, acting_user=admin)
    assert first.delegate_id == men[0].pk
    # The next one is a woman even though a man asked before her.
    assert sp.queue(item)[0].delegate_id == women[0].pk


def test_a_balanced_list_by_region_alternates_delegations(hall):
    congress, d, admin = hall
    item = sp.do_add_item(congress, title="Резолюция", balance_by="region", acting_user=admin)
    same_region = [x for x in d if x.region_code == d[0].region_code]
    other = next(x for x in d if x.region_code != d[0].region_code)
    for x in [*same_region, other]:
        sp.do_ask_for_floor(item, x, "general", acting_user=admin)
    order = [s.delegate.region_code for s in sp.queue(item)]
    assert order[:2] == [d[0].region_code, other.region_code]


def test_only_a_delegate_in_the_hall_may_ask_for_the_floor(hall):
    congress, d, admin = hall
    item = sp.do_add_item(congress, title="Устав", acting_user=admin)
    d[0].present = False
    d[0].save(update_fields=["present"])
    with pytest.raises(CongressError, match="in the hall"):
        sp.do_ask_for_floor(item, d[0], "pro", acting_user=admin)
    other = make_congress(admin, slug="other")
    foreign = sp.do_add_item(other, title="x", acting_user=admin)
    with pytest.raises(CongressError, match="in the hall"):
        sp.do_ask_for_floor(foreign, d[1], "pro", acting_user=admin)
    assert not Speaker.objects.exists()


def test_the_chair_gives_and_ends_the_floor_and_the_timer_counts_the_limits(hall):
    congress, d, admin = hall
    item = sp.do_add_item(
        congress,
        title="Устав",
        seconds_per_speaker=120,
        seconds_per_delegation=150,
        acting_user=admin,
    )
    region_mates = [x for x in d if x.region_code == d[0].region_code][:2]
    for x in region_mates:
        sp.do_ask_for_floor(item, x, "general", acting_user=admin)
    first = sp.do_next_speaker(item, acting_user=admin)
    start = first.started_at
    t = sp.timer(item, now=start + datetime.timedelta(seconds=30))
    assert t.speaker.pk == first.pk and t.allowed == 120 and t.left == 90
    assert t.delegation_left == 120
    # The first speaks 100 s; the second, same delegation, has 50 s left of its 150.
    Speaker.objects.filter(pk=first.pk).update(started_at=start - datetime.timedelta(seconds=100))
    second = sp.do_next_speaker(item, acting_user=admin)
    assert Speaker.objects.get(pk=first.pk).ended_at is not None
    t = sp.timer(item, now=second.started_at + datetime.timedelta(seconds=60))
    assert 49 <= t.allowed <= 51 and t.left is not None and t.left < 0  # over time
    sp.do_stop_speaker(item, acting_user=admin)
    assert sp.timer(item).speaker is None
    assert sp.do_next_speaker(item, acting_user=admin) is None  # nobody waits
    actions = [e.action for e in audit.entries_newest_first("congress.floor")]
    assert actions.count("congress.floor_give") == 2 and "congress.floor_end" in actions


def test_a_withdrawn_request_leaves_the_queue(hall):
    congress, d, admin = hall
    item = sp.do_add_item(congress, title="Устав", acting_user=admin)
    asked = sp.do_ask_for_floor(item, d[0], "pro", acting_user=admin)
    sp.do_withdraw(asked, acting_user=admin)
    sp.do_withdraw(asked, acting_user=admin)  # twice: nothing more happens
    assert sp.queue(item) == []
    assert audit.entries_newest_first("congress.floor_withdraw").count() == 1
