"""Uploads a worker left behind (killed, or cut off from the database) never stay stuck.

A batch checking or importing whose worker has been silent for longer than the
lease is failed with a sentence, its sealed member list deleted, and it can be
discarded; a worker that meets a database error fails its batch and goes on.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks.signals import task_started
from django_tasks_db.management.commands.db_worker import Worker

from kenes.registry import tasks
from kenes.registry.batches import (
    DATABASE_ERROR,
    STALE_ERROR,
    do_confirm,
    do_discard,
    do_upload,
    import_lease,
    run_check,
    run_import,
)
from kenes.registry.models import ImportBatch, ImportStatus, Member
from tests.conftest import csv_bytes, person


def _checked_batch(groups, officer) -> ImportBatch:  # type: ignore[no-untyped-def]
    batch = do_upload(
        csv_bytes([person(n) for n in range(20)]),
        filename="members.csv",
        group=groups["workers"],
        strict=False,
        acting_user=officer,
    )
    run_check(str(batch.pk))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED
    return batch


def _killed_while(batch: ImportBatch, status: str, *, silent_for: datetime.timedelta) -> None:
    """What a worker killed mid-way leaves: the batch in `status`, its last heartbeat long ago."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, heartbeat_at=timezone.now() - silent_for
    )


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ImportStatus.IMPORTING, ImportStatus.CHECKING])
def test_a_batch_left_by_a_killed_worker_can_be_discarded_and_its_file_is_deleted(
    groups, officers, status
):
    admin = officers["admin"]
    batch = _checked_batch(groups, admin)
    do_confirm(batch, acting_user=admin)
    _killed_while(batch, status, silent_for=import_lease() + datetime.timedelta(minutes=1))

    do_discard(batch, acting_user=admin)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    assert batch.content is None
    assert ImportBatch.objects.filter(content__isnull=False).count() == 0


@pytest.mark.django_db
def test_the_admin_discards_a_stuck_import_from_its_page(client, groups, officers):
    admin = officers["admin"]
    batch = _checked_batch(groups, admin)
    do_confirm(batch, acting_user=admin)
    _killed_while(batch, ImportStatus.IMPORTING, silent_for=datetime.timedelta(days=3))
    client.force_login(admin)
    with translation.override("en"):
        page = client.get(reverse("import_batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.error_code == "stale"
    assert batch.error == STALE_ERROR
    assert batch.content is None  # deleted as soon as the lease was found expired
    answer = client.post(reverse("import_discard", args=[batch.pk]))
    assert answer.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED


@pytest.mark.django_db
def test_a_worker_within_its_lease_keeps_its_batch(groups, officers):
    admin = officers["admin"]
    batch = _checked_batch(groups, admin)
    do_confirm(batch, acting_user=admin)
    _killed_while(batch, ImportStatus.IMPORTING, silent_for=datetime.timedelta(seconds=5))
    with pytest.raises(ValueError):
        do_discard(batch, acting_user=admin)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTING and batch.content is not None


@pytest.mark.django_db
def test_the_lease_is_a_setting(groups, officers, settings):
    settings.KENES_IMPORT_LEASE_SECONDS = 60
    admin = officers["admin"]
    batch = _checked_batch(groups, admin)
    do_confirm(batch, acting_user=admin)
    _killed_while(batch, ImportStatus.IMPORTING, silent_for=datetime.timedelta(minutes=2))
    do_discard(batch, acting_user=admin)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED


@pytest.mark.django_db
def test_a_confirmed_import_no_worker_has_taken_can_be_discarded_and_never_runs(groups, officers):
    admin = officers["admin"]
    batch = _checked_batch(groups, admin)
    do_confirm(batch, acting_user=admin)
    do_discard(batch, acting_user=admin)
    run_import(str(batch.pk), admin.pk)  # the queued task comes late
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_a_late_worker_writes_nothing_for_a_batch_failed_by_the_lease(groups, officers):
    admin = officers["admin"]
    batch = _checked_batch(groups, admin)
    do_confirm(batch, acting_user=admin)
    run_import(str(batch.pk), admin.pk)
    assert Member.objects.count() == 20  # the import itself works
    again = _checked_batch(groups, admin)
    do_confirm(again, acting_user=admin)
    _killed_while(again, ImportStatus.IMPORTING, silent_for=datetime.timedelta(days=1))
    run_import(str(again.pk), admin.pk)  # a second delivery of the task
    again.refresh_from_db()
    assert again.status == ImportStatus.FAILED and again.content is None


# --- The worker goes on after a database error ------------------------------------------


@pytest.fixture
def threads_on_sqlite(transactional_db):  # type: ignore[no-untyped-def]
    """See tests/registry/test_import_bounds.py: lets the flush empty the audit table."""
    yield
    if connection.vendor == "sqlite":
        append_only = importlib.import_module("kenes.audit.migrations.0002_append_only")
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            cursor.execute(append_only.SQLITE[1])


class _Told(logging.Handler):
    """Sets an event when the worker says it met a database error."""

    def __init__(self, event: threading.Event) -> None:
        super().__init__(logging.WARNING)
        self.event = event

    def emit(self, record: logging.LogRecord) -> None:
        if "database error" in record.getMessage():
            self.event.set()


DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


def test_the_worker_fails_a_batch_on_a_database_error_and_goes_on_to_the_next(
    threads_on_sqlite, groups, officers
):
    """A real db_worker; another connection holds the import table while the first task runs.

    On SQLite's shared test database the lock is refused at once ("database table is
    locked"); on a database file the task waits for the busy timeout, then gets the same.
    """
    if connection.vendor != "sqlite":
        pytest.skip("the lock is SQLite's (on PostgreSQL a row lock waits instead)")
    admin = officers["admin"]
    first, second = (
        do_upload(
            csv_bytes([person(n) for n in range(start, start + 10)]),
            filename="members.csv",
            group=groups["workers"],
            strict=False,
            acting_user=admin,
        )
        for start in (0, 100)
    )
    locked, told = threading.Event(), threading.Event()

    def hold_the_import_table() -> None:
        try:
            with transaction.atomic():
                ImportBatch.objects.filter(pk=second.pk).update(rows_total=1)
                locked.set()
                told.wait(60)  # until the worker has met the lock
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_import_table)

    def lock_once_the_task_runs(**kwargs: object) -> None:
        # After the worker has claimed the task: the task itself meets the lock.
        if not holder.is_alive() and not locked.is_set():
            holder.start()
            assert locked.wait(60)

    handler = _Told(told)
    logging.getLogger("kenes.registry.batches").addHandler(handler)
    task_started.connect(lock_once_the_task_runs)
    try:
        with override_settings(TASKS=DB_TASKS):
            tasks.check_upload.enqueue(str(first.pk))
            tasks.check_upload.enqueue(str(second.pk))
            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id="test-worker",
                excluded_queue_names=[],
            ).run()  # both tasks, then it stops: the first meets the lock, the second runs
    finally:
        told.set()
        if holder.is_alive():
            holder.join(60)
        task_started.disconnect(lock_once_the_task_runs)
        logging.getLogger("kenes.registry.batches").removeHandler(handler)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ImportStatus.FAILED
    assert first.error == DATABASE_ERROR and first.content is None
    assert second.status == ImportStatus.CHECKED


@pytest.mark.django_db
def test_an_imported_list_leaves_its_members_readiness_facts_read_in_the_background(
    groups, officers
):
    """The first readiness look after an import does not decrypt the whole list."""
    from kenes.registry.models import ReadinessFacts

    admin = officers["admin"]
    batch = _checked_batch(groups, admin)
    from kenes.registry.tasks import import_upload

    do_confirm(batch, acting_user=admin)
    import_upload.enqueue(str(batch.pk), admin.pk)  # as the page does; immediate in tests
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED
    members = set(Member.objects.values_list("pk", flat=True))
    assert len(members) == 20
    assert set(ReadinessFacts.objects.values_list("member_id", flat=True)) == members


@pytest.mark.django_db
def test_housekeeping_fails_an_import_whose_worker_died_without_anyone_opening_a_page(
    groups, officers
):
    from kenes.web.management.commands.worker import housekeeping

    batch = _checked_batch(groups, officers["admin"])
    _killed_while(batch, ImportStatus.IMPORTING, silent_for=import_lease() * 2)
    housekeeping()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.content is None
