"""The audit log is append-only and hash-chained; `kenes audit verify` finds tampering."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from kenes.audit import services
from kenes.audit.models import AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


def _entries(n: int) -> None:
    for i in range(n):
        services.record_standalone("test.event", acting_user="tester", detail={"i": i})


def _drop_triggers() -> None:
    """What an attacker with database access would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_change ON audit_auditentry")


def test_an_untouched_chain_verifies_as_intact():
    _entries(5)
    result = services.verify()
    assert result.intact and result.entries == 5


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        services.record("x", acting_user="t")


def test_the_model_refuses_updates_and_deletes():
    _entries(1)
    entry = AuditEntry.objects.get()
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_database_refuses_updates_and_deletes():
    _entries(2)
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(action="test.event").update(action="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all()._raw_delete(connection.alias)
    assert AuditEntry.objects.count() == 2


def test_verify_reports_the_first_altered_entry():
    _entries(5)
    third = AuditEntry.objects.order_by("id")[2]
    _drop_triggers()
    AuditEntry.objects.filter(pk=third.pk).update(detail={"i": 99})
    result = services.verify()
    assert not result.intact
    assert result.first_bad_id == third.pk
    assert result.entries == 2


def test_verify_reports_a_removed_entry():
    _entries(5)
    second = AuditEntry.objects.order_by("id")[1]
    _drop_triggers()
    AuditEntry.objects.filter(pk=second.pk)._raw_delete(connection.alias)
    result = services.verify()
    assert not result.intact
    assert result.first_bad_id == AuditEntry.objects.order_by("id")[1].pk


def test_verify_reports_entries_cut_from_the_end():
    _entries(4)
    last = AuditEntry.objects.order_by("-id")[0]
    _drop_triggers()
    AuditEntry.objects.filter(pk=last.pk)._raw_delete(connection.alias)
    assert not services.verify().intact


def test_the_command_prints_json_and_fails_on_tampering(capsys):
    _entries(3)
    call_command("audit", "verify", "--json")
    assert json.loads(capsys.readouterr().out)["intact"] is True
    _drop_triggers()
    AuditEntry.objects.filter(pk=AuditEntry.objects.first().pk).update(actor="someone else")
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["intact"] is False and out["first_bad_id"] == AuditEntry.objects.first().pk
