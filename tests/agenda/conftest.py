"""Members made by a real import, and consultations built through the services."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from kenes.agenda import moderation, services
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member
from tests.conftest import csv_bytes, person

SEED_STATEMENTS = [
    "Честные суды для всех",
    "Вернуть деньги обманутым дольщикам",
    "Запретить продажу земли иностранцам",
]


@pytest.fixture
def members(groups):  # type: ignore[no-untyped-def]
    """Workers 0-7 in Almaty city; farmers 20-23 in Karaganda; worker 0 is also a farmer."""
    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(8)])),
        filename="w.csv",
        group=groups["workers"],
        acting_user="test",
    )
    do_import_members(
        io.BytesIO(
            csv_bytes(
                [person(n, region="Карагандинская область") for n in range(20, 24)] + [person(0)]
            )
        ),
        filename="f.csv",
        group=groups["farmers"],
        acting_user="test",
    )
    return list(Member.objects.order_by("pk"))


def make_consultation(admin, *, statements=SEED_STATEMENTS, **kwargs):  # type: ignore[no-untyped-def]
    consultation = services.do_create_consultation(
        "Программа",
        question="За что должна бороться партия?",
        cutoff_on=timezone.localdate(),
        acting_user=admin,
        **kwargs,
    )
    moderation.do_add_seed_statements(consultation, statements, acting_user=admin)
    return consultation


@pytest.fixture
def consultation(officers, members):  # type: ignore[no-untyped-def]
    return make_consultation(officers["admin"])


@pytest.fixture
def codes(consultation, officers):  # type: ignore[no-untyped-def]
    """member pk → personal code for the whole electorate."""
    issued = services.do_issue_codes(consultation, acting_user=officers["admin"])
    return {i.member_id: i.code for i in issued}
