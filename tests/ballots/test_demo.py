"""The demo's votes are real: results reproduce from the published box, codes open a ballot."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from kenes.audit import services as audit
from kenes.ballots import box, counting
from kenes.ballots.demo import demo_codes, seed_demo_elections
from kenes.ballots.models import Election
from kenes.ballots.voting import find_open_ballot
from kenes.registry.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_elections_are_published_from_real_ballots_and_leave_codes_to_try(tmp_path):
    seed_demo(members=300, logins_file=tmp_path / "logins.txt")
    admin = get_user_model().objects.get(username="admin")
    seed_demo_elections(seed=7, admin=admin, codes_file=tmp_path / "codes.txt")
    council = Election.objects.get(method="stv")
    motion = Election.objects.get(kind="motion")
    leader = Election.objects.get(method="schulze")
    assert (council.phase, motion.phase, leader.phase) == ("published", "published", "open")
    assert len(council.result["winners"]) == 5
    assert council.result == counting.tally(council)  # the box recounts to the published result
    assert box.verify_box(council).intact and box.verify_box(motion).intact
    assert motion.result["quorum_met"] in (True, False)
    codes = demo_codes(tmp_path / "codes.txt")
    assert len(codes) == 10
    assert all(find_open_ballot(code) == leader for code in codes)
    assert audit.verify().intact
    # Seeding twice adds nothing.
    seed_demo_elections(seed=7, admin=admin, codes_file=tmp_path / "codes.txt")
    assert Election.objects.count() == 3
