"""The worker's housekeeping applies the schedule; `kenes retention apply --json` prints the
shape docs/retention.md documents."""

from __future__ import annotations

import datetime
import io
import json

from django.core.management import call_command
from django.utils import timezone

from kenes.audit.models import AuditEntry
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member, MemberStatus
from kenes.retention.kinds import KINDS
from kenes.web.management.commands import worker
from tests.conftest import csv_bytes, person


def _one_left_member(groups) -> Member:  # type: ignore[no-untyped-def]
    do_import_members(
        io.BytesIO(csv_bytes([person(1), person(2)])),
        filename="m.csv",
        group=groups["workers"],
        acting_user="test",
    )
    member = Member.objects.order_by("pk").first()
    assert member is not None
    Member.objects.filter(pk=member.pk).update(
        status=MemberStatus.LEFT, left_on=timezone.localdate() - datetime.timedelta(days=120)
    )
    return member


def test_the_workers_housekeeping_applies_the_schedule_once_a_day(groups):
    member = _one_left_member(groups)

    worker.housekeeping()
    worker.housekeeping()  # the next round, minutes later: nothing is due again

    assert Member.objects.get(pk=member.pk).phone is None
    applied = AuditEntry.objects.filter(action="retention.applied")
    assert sorted(applied.values_list("target_id", flat=True)) == sorted(k.key for k in KINDS)
    assert set(applied.values_list("actor", flat=True)) == {"worker"}


def test_the_json_of_a_dry_run_and_of_a_run(groups, capsys):
    member = _one_left_member(groups)

    call_command("retention", "apply", "--dry-run", "--json")
    dry = json.loads(capsys.readouterr().out)
    assert Member.objects.get(pk=member.pk).phone is not None
    call_command("retention", "apply", "--json")
    done = json.loads(capsys.readouterr().out)

    for payload in (dry, done):
        assert set(payload) == {"at", "dry_run", "due", "cleared", "kinds"}
        assert [k["kind"] for k in payload["kinds"]] == [k.key for k in KINDS]
        for kind in payload["kinds"]:
            assert set(kind) == {"kind", "enabled", "days", "due", "cleared"}
    assert dry["dry_run"] is True and dry["cleared"] == 0 and dry["due"] >= 1
    left = {k["kind"]: k for k in done["kinds"]}["left_contacts"]
    assert done["dry_run"] is False
    assert left == {"kind": "left_contacts", "enabled": True, "days": 90, "due": 1, "cleared": 1}
    assert Member.objects.get(pk=member.pk).phone is None


def test_the_text_output_says_what_was_cleared(groups, capsys):
    _one_left_member(groups)
    call_command("retention", "apply", "--dry-run")
    # One line per kind, and one saying that nothing was changed (in the site's language).
    assert len(capsys.readouterr().out.strip().splitlines()) == len(KINDS) + 1
    call_command("retention", "apply")
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == len(KINDS)
