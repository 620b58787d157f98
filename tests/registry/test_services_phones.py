"""Phones read in bulk for sending codes: scoped to the officer, audited once."""

from __future__ import annotations

import io

import pytest

from kenes.audit.models import AuditEntry
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member
from kenes.registry.services import phones_for_messages
from tests.conftest import csv_bytes, person

pytestmark = pytest.mark.django_db


def test_phones_are_read_within_the_scope_with_one_audit_entry(groups, officers):
    for slug, numbers in (("workers", range(1, 6)), ("farmers", range(10, 13))):
        content = csv_bytes([person(n) for n in numbers])
        do_import_members(
            io.BytesIO(content), filename=f"{slug}.csv", group=groups[slug], acting_user="test"
        )
    everyone = list(Member.objects.order_by("pk"))
    Member.objects.filter(pk=everyone[0].pk).update(phone=None)
    as_admin = phones_for_messages(
        [m.pk for m in everyone] * 2, acting_user=officers["admin"], purpose="election:7"
    )
    assert set(as_admin) == {m.pk for m in everyone[1:]}
    assert all(as_admin[m.pk] == m.phone and m.phone for m in everyone[1:])
    as_group = phones_for_messages(
        [m.pk for m in everyone], acting_user=officers["group"], purpose="election:7"
    )
    assert len(as_group) == 4 and set(as_group) < set(as_admin)  # the workers but the first
    entries = list(AuditEntry.objects.filter(action="member.phones_read").order_by("id"))
    assert [e.target_id for e in entries] == ["election:7", "election:7"]
    assert entries[0].detail == {"asked": len(everyone), "read": len(everyone) - 1}
    assert entries[1].detail == {"asked": len(everyone), "read": 4}
