"""The demo movement is believable: six groups, overlaps, uneven regions, working logins."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kenes.audit import services as audit
from kenes.registry.demo import seed_demo
from kenes.registry.models import ConstituentGroup, Member
from kenes.registry.readiness import compute_readiness
from kenes.registry.rosters import membership_count

pytestmark = pytest.mark.django_db


def test_demo_seed_builds_a_coalition_with_work_to_do(tmp_path):
    logins = seed_demo(members=1200, logins_file=tmp_path / "logins.txt")
    assert ConstituentGroup.objects.count() == 6
    people = Member.objects.count()
    assert 1100 <= people <= 1200  # a few generated people may be underage-free duplicates
    assert membership_count() > people  # some people carry two concerns
    readiness = compute_readiness("kz-2022")
    short = [r for r in readiness.regions if r.shortfall]
    assert short and len(short) < 20
    assert all(r.members > 0 for r in readiness.regions)
    assert audit.verify().intact
    for username, password, _role in logins:
        assert get_user_model().objects.get(username=username).check_password(password)
    # Seeding twice keeps the movement and the printed logins.
    assert seed_demo(members=1200, logins_file=tmp_path / "logins.txt") == [
        tuple(x) for x in logins
    ]
    assert Member.objects.count() == people
