"""The demo consultation: real structure in the votes, analysed, in the report phase."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model

from kenes.agenda import services
from kenes.agenda.demo import seed_demo_consultation
from kenes.agenda.models import Consultation, OpinionVote, StatementStatus
from kenes.audit import services as audit
from kenes.registry.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_consultation_is_analysed_with_groups_that_split_and_unite(tmp_path):
    seed_demo(members=600, logins_file=tmp_path / "logins.txt")
    admin = get_user_model().objects.get(username="admin")
    started = time.monotonic()
    seed_demo_consultation(seed=7, admin=admin, codes_file=tmp_path / "codes.txt")
    assert time.monotonic() - started < 15
    consultation = Consultation.objects.get(phase="report")
    assert consultation.phase == "report"
    assert consultation.question == "За что должна бороться партия?"
    assert consultation.statements.filter(status=StatementStatus.APPROVED).count() == 25
    assert consultation.statements.filter(status=StatementStatus.PENDING).count() == 2
    stored = consultation.analysis
    assert stored["participants"] >= 300 and len(stored["groups"]) >= 2
    assert (
        stored["votes_counted"]
        == OpinionVote.objects.filter(statement__status=StatementStatus.APPROVED).count()
    )
    consensus = [c["text"] for c in stored["consensus"][:4]]
    assert "Честные и независимые суды для всех." in consensus
    by_group = {s["text"]: s for s in stored["by_group"]["statements"]}
    land = by_group["Разрешить продажу сельскохозяйственной земли."]["counts"]
    share = {g: c["agree"] / c["seen"] for g, c in land.items() if c["seen"]}
    assert share["farmers"] < 0.2 < 0.6 < share["market-traders"]
    lines = [line.split("\t") for line in (tmp_path / "codes.txt").read_text().splitlines()]
    codes = [code for code, _name, title in lines if title == consultation.title]
    assert len(codes) == 5
    assert all(services.find_consultation(code) == consultation for code in codes)
    # A second consultation is open, so a newcomer can agree / disagree with a code of it.
    open_one = Consultation.objects.get(phase="collect")
    open_codes = [code for code, _name, title in lines if title == open_one.title]
    assert len(open_codes) == 5
    assert all(services.find_consultation(code) == open_one for code in open_codes)
    assert open_one.statements.filter(status=StatementStatus.APPROVED).count() == 8
    assert audit.verify().intact
    # Seeding twice adds nothing.
    seed_demo_consultation(seed=7, admin=admin, codes_file=tmp_path / "codes.txt")
    assert Consultation.objects.count() == 2
