"""Two first uses of a keyed-hash secret at once on a real PostgreSQL end with one secret:
both processes hash with it, so the audit tokens they write find the same member."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection, transaction

from kenes.audit import secrets
from kenes.audit import services as audit
from kenes.audit.models import IndexSecret
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


def _waiting_on_a_lock() -> bool:
    """Whether another connection of this database waits for a lock (the second insert)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (n,) = cursor.fetchone()
    return bool(n)


def test_a_first_use_that_waits_for_another_uncommitted_one_takes_its_secret(db):
    """The worst overlap, made certain: the first writer's row is inserted and not yet
    committed when the second one looks, finds nothing and inserts too."""
    first_inserted, second_waits = threading.Event(), threading.Event()
    got: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                got["first"] = secrets.index_secret("race")
                first_inserted.set()
                assert second_waits.wait(60), "the second use never blocked on the first"
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            first_inserted.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            assert first_inserted.wait(60)
            with transaction.atomic():
                got["second"] = secrets.index_secret("race")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while not _waiting_on_a_lock():  # a bound on polling, not a timed assertion
        assert time.monotonic() < deadline and not errors, errors
        time.sleep(0.02)
    second_waits.set()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert got["first"] == got["second"] and len(got["first"]) == 32
    assert IndexSecret.objects.filter(name="race").count() == 1
    assert secrets.index_secret("race") == got["first"]


def test_many_first_uses_at_once_write_one_secret_and_one_token_per_member(db):
    def token() -> str:
        with transaction.atomic():
            entry = audit.record("member.view", acting_user="t", target_type="member", target_id=7)
        return entry.target_id

    results, errors = run_together([token] * 8)
    assert not errors, errors
    assert len(set(results)) == 1
    assert IndexSecret.objects.filter(name=audit.MEMBER_SECRET).count() == 1
    assert audit.entries_about_member(7).count() == 8
    assert audit.verify().intact
