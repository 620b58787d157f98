"""The delegates page shares seats among groups or regions; aggregates only."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_seats_are_shared_among_groups_by_members_in_good_standing(client_for, registry):
    response = client_for("auditor").get(
        reverse("delegates"), {"seats": 9, "by": "group", "method": "hare"}
    )
    assert response.status_code == 200
    rows = {name: seats for name, _members, seats in response.context["rows"]}
    # workers: 4 + ½ (person 5 is in both), farmers: 4 + ½, traders: 0 — of 9 people.
    assert rows == {"Рабочие": 5, "Фермеры": 4, "Торговцы": 0} or rows == {
        "Рабочие": 4,
        "Фермеры": 5,
        "Торговцы": 0,
    }
    assert sum(rows.values()) == 9


def test_by_region_each_person_counts_once_where_they_live(client_for, registry):
    response = client_for("admin").get(reverse("delegates"), {"seats": 9, "by": "region"})
    rows = {name: (members, seats) for name, members, seats in response.context["rows"]}
    assert sorted(seats for _m, seats in rows.values()) == [4, 5]
    assert sorted(m for m, _s in rows.values()) == ["4", "5"]


def test_no_members_gives_a_sentence_not_an_error(client_for, groups):
    response = client_for("admin").get(reverse("delegates"), {"seats": 5, "by": "region"})
    assert response.status_code == 200 and response.context["error"]


def test_users_without_a_role_are_refused(client_for, registry):
    assert client_for("nobody").get(reverse("delegates")).status_code == 403
