"""Retention runs while the server is sealed: every kind deletes rows or empties sealed
columns, neither of which needs a field key.

The server is sealed as after a restart: custody set up by the real `kenes custody init`,
no key holder running. Sealed columns are looked at in SQL, as stored, without a key.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kenes.ballots import services as ballots
from kenes.custody.errors import Sealed
from kenes.participation.models import PersonalCode
from kenes.registry.importing import do_import_members
from kenes.registry.models import ImportBatch, ImportStatus, Member, MemberStatus
from kenes.retention import services
from kenes.security import keys
from tests.ballots.conftest import open_election
from tests.conftest import csv_bytes, person
from tests.custody.conftest import custody  # noqa: F401  (the fixture)

DAY = datetime.timedelta(days=1)


def _stored_contacts() -> dict[int, tuple[bool, bool]]:
    """member id -> (phone stored, address stored), read from the table itself."""
    table = connection.ops.quote_name(Member._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, phone IS NOT NULL, address IS NOT NULL FROM {table}")
        return {pk: (bool(phone), bool(address)) for pk, phone, address in cursor.fetchall()}


@pytest.mark.django_db
def test_every_kind_is_cleared_while_the_server_is_sealed(custody, groups, officers):  # noqa: F811
    admin = officers["admin"]
    do_import_members(
        io.BytesIO(csv_bytes([person(n) for n in range(6)])),
        filename="m.csv",
        group=groups["workers"],
        acting_user="test",
    )
    members = list(Member.objects.order_by("pk"))
    election, _codes = open_election(members, admin, method="plurality")
    ballots.do_close(election, acting_user=admin)
    batch = ImportBatch.objects.create(
        group=groups["workers"],
        filename="l.csv",
        content="x",
        report="{}",
        status=ImportStatus.DISCARDED,
    )
    now = timezone.now() + 100 * DAY
    left, stays = members[0], members[1]
    Member.objects.filter(pk=left.pk).update(
        status=MemberStatus.LEFT, left_on=timezone.localdate(now) - 90 * DAY
    )
    Member.objects.filter(pk=stays.pk).update(
        status=MemberStatus.LEFT, left_on=timezone.localdate(now) - 89 * DAY
    )

    custody.init(trustees=3, threshold=2)  # no key holder runs: sealed from here on
    keys._forget_check()
    with pytest.raises(Sealed):
        Member.objects.get(pk=left.pk).phone  # noqa: B018  (the harness is not blind)

    run = services.do_apply(acting_user="test", now=now)

    cleared = {k.kind: k.cleared for k in run.kinds}
    assert cleared["left_contacts"] == 1
    assert cleared["uploaded_lists"] == 1
    assert cleared["closed_vote_codes"] == len(_codes)
    stored = _stored_contacts()
    assert stored[left.pk] == (False, False)
    assert stored[stays.pk] == (True, True)
    assert all(stored[m.pk] == (True, True) for m in members[2:])
    assert ImportBatch.objects.filter(
        pk=batch.pk, content__isnull=True, report__isnull=True
    ).exists()
    assert not PersonalCode.objects.filter(purpose=election.purpose).exists()


@pytest.mark.django_db
def test_the_command_runs_while_sealed(custody, groups, capsys):  # noqa: F811
    custody.init(trustees=3, threshold=2)
    keys._forget_check()
    call_command("retention", "apply", "--json")
    out = capsys.readouterr().out
    assert '"dry_run": false' in out


@pytest.mark.django_db
def test_the_page_opens_while_sealed(custody, officers):  # noqa: F811
    from django.test import Client
    from django.urls import reverse

    custody.init(trustees=3, threshold=2)
    keys._forget_check()
    client = Client()
    client.force_login(officers["admin"])
    assert client.get(reverse("retention")).status_code == 200
    answer = client.post(
        reverse("retention_set", args=["sessions"]), {"days": "2", "enabled": "on"}
    )
    assert answer.status_code == 302
    assert services.rules()["sessions"].days == 2
