"""The web import flow: upload → check (background) → report → confirm → import (background).

The uploaded file is kept sealed in the database (it is personal data and
several app servers may share no disk) and removed once imported, discarded or
failed. A worker shows it is alive by a heartbeat on the batch; a batch whose
worker went silent for longer than the lease (KENES_IMPORT_LEASE_SECONDS) is
failed and its file deleted, so a killed worker leaves nothing stuck. A worker
that meets a database error fails the batch with a sentence and goes on.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from kenes.audit import services as audit
from kenes.core.roster import UnreadableFile, check_file
from kenes.core.roster.limits import estimate_sheet_rows
from kenes.registry.importing import (
    ImportResult,
    StrictImportRefused,
    do_import_members,
    upload_limits,
)
from kenes.registry.models import ConstituentGroup, ImportBatch, ImportStatus
from kenes.registry.scoping import Action, can

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000
# Longer than the longest write transaction of an import (no heartbeat can be
# written during it); a worker that stays silent this long is gone.
DEFAULT_LEASE_SECONDS = 15 * 60
WORKING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)
# What a worker's task may fail: its batch before or while it works on it (never a discarded one).
_OWN = (ImportStatus.UPLOADED, *WORKING)
STALE_ERROR = (
    "The background worker stopped while handling this list (it was restarted or killed); "
    "nothing from it was imported. Upload the list again."
)
DATABASE_ERROR = (
    "The database was too busy to handle this list; nothing from it was imported. "
    "Upload the list again in a few minutes."
)
# Attempts (and the pause before each retry) to record a failure when the database is busy.
_FAILURE_RETRIES = (1.0, 2.0, 4.0)


class BatchWithdrawn(Exception):
    """The batch was discarded or failed while a worker was handling it: stop, write nothing."""


def import_lease() -> datetime.timedelta:
    """How long a worker may stay silent before its batch counts as abandoned."""
    seconds = getattr(settings, "KENES_IMPORT_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
    return datetime.timedelta(seconds=int(seconds))


def estimate_rows(content: bytes, filename: str) -> int:
    """Rows for the progress bar, without unpacking the file (a zip bomb stays packed)."""
    if content.startswith(b"PK\x03\x04"):
        return estimate_sheet_rows(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return 0
    return max(0, content.count(b"\n") - 1 + (0 if content.endswith(b"\n") else 1))


def do_upload(
    content: bytes, *, filename: str, group: ConstituentGroup, strict: bool, acting_user: Any
) -> ImportBatch:
    if not can(acting_user, Action.IMPORT_MEMBERS, group):
        raise PermissionDenied
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            group=group,
            uploaded_by=acting_user,
            filename=filename[:255],
            content=base64.b64encode(content).decode(),
            strict=strict,
            rows_total=estimate_rows(content, filename),
        )
        audit.record(
            "members.upload",
            acting_user=acting_user,
            target_type="import",
            target_id=batch.pk,
            detail={
                "group": group.slug,
                "file": audit.fingerprint_text(filename),  # often a person's name
                "bytes": len(content),
            },
        )
    return batch


def _content(batch: ImportBatch) -> io.BytesIO:
    return io.BytesIO(base64.b64decode(batch.content or ""))


def fail_stale_batches(now: datetime.datetime | None = None) -> int:
    """Fail every batch whose worker has been silent for longer than the lease.

    A batch checking or importing whose heartbeat is older than the lease was
    left by a worker that was killed or lost the database: nothing of it was
    written (an import records its outcome in the transaction that writes its
    rows), so it is failed with a sentence and its sealed file deleted.
    Returns the number of batches failed.
    """
    now = now or timezone.now()
    stale = ImportBatch.objects.filter(status__in=WORKING, heartbeat_at__lt=now - import_lease())
    if not stale.exists():  # a read: pages that look need no write lock
        return 0
    return stale.update(
        status=ImportStatus.FAILED,
        error=STALE_ERROR,
        error_code="stale",
        content=None,
        updated_at=now,
    )


def _heartbeat(batch_id: Any, status: str, **fields: Any) -> None:
    """Show the worker is alive (and how far it got); stop if the batch was withdrawn."""
    now = timezone.now()
    beats = ImportBatch.objects.filter(pk=batch_id, status=status).update(
        heartbeat_at=now, updated_at=now, **fields
    )
    if not beats:
        raise BatchWithdrawn


def _fail(batch_id: Any, **fields: Any) -> None:
    """Fail a batch still being worked on, deleting its file; retried while the database is busy.

    Gives up (and leaves the batch to the lease) rather than raise: a worker
    that cannot reach the database must go on to its next task.
    """
    for pause in (*_FAILURE_RETRIES, None):
        try:
            ImportBatch.objects.filter(pk=batch_id, status__in=_OWN).update(
                status=ImportStatus.FAILED, content=None, updated_at=timezone.now(), **fields
            )
            return
        except DatabaseError:
            if pause is None:
                logger.exception("could not mark import batch %s failed", batch_id)
                return
            time.sleep(pause)


def _record_failure(batch_id: Any, exc: Exception) -> None:
    """Mark the batch failed with a sentence for the user; re-raise what is a bug."""
    if isinstance(exc, BatchWithdrawn):
        return  # discarded or expired meanwhile: whoever did it has said so
    if isinstance(exc, UnreadableFile):
        _fail(batch_id, error=str(exc), error_code=exc.code)
    elif isinstance(exc, StrictImportRefused):
        _fail(batch_id, error=str(exc))
    elif isinstance(exc, DatabaseError):
        logger.warning("import batch %s failed on a database error: %s", batch_id, exc)
        _fail(batch_id, error=DATABASE_ERROR, error_code="database")
    else:
        _fail(batch_id, error="internal error; the log has details")
        raise exc


def _surviving(batch_id: Any, work: Callable[[], None]) -> None:
    """Run a worker's job on a batch; a database error fails the batch, never the worker."""
    try:
        work()
    except Exception as exc:
        _record_failure(batch_id, exc)


def run_check(batch_id: str) -> None:
    """Check every row, saving progress as it goes; store the sealed report."""
    _surviving(batch_id, lambda: _check(batch_id))


def _check(batch_id: str) -> None:
    fail_stale_batches()
    now = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.CHECKING, rows_done=0, heartbeat_at=now, updated_at=now
    )
    if not claimed:
        return  # discarded before the worker came to it
    batch = ImportBatch.objects.get(pk=batch_id)
    report = check_file(
        _content(batch),
        filename=batch.filename,
        reference_date=timezone.localdate(),
        progress=lambda rows: _heartbeat(batch.pk, ImportStatus.CHECKING, rows_done=rows),
        progress_every=PROGRESS_EVERY,
        limits=upload_limits(),
    )
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKING).update(
        status=ImportStatus.CHECKED,
        rows_done=report.rows,
        rows_total=report.rows,
        report=json.dumps(report.as_json()),
        heartbeat_at=now,
        updated_at=now,
    )


def do_confirm(batch: ImportBatch, *, acting_user: Any) -> None:
    if not can(acting_user, Action.IMPORT_MEMBERS, batch.group):
        raise PermissionDenied
    # No heartbeat yet: the lease starts when a worker takes the import.
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, rows_done=0, heartbeat_at=None, updated_at=timezone.now()
    )
    if not updated:
        raise ValueError("This upload is not waiting for confirmation.")


def run_import(batch_id: str, user_id: int) -> None:
    """Import a confirmed batch: read it, then write its rows and its outcome in one transaction."""
    _surviving(batch_id, lambda: _import(batch_id, user_id))


def _import(batch_id: str, user_id: int) -> None:
    from django.contrib.auth import get_user_model

    fail_stale_batches()
    now = timezone.now()
    claimed = ImportBatch.objects.filter(
        pk=batch_id, status=ImportStatus.IMPORTING, heartbeat_at__isnull=True
    ).update(heartbeat_at=now, updated_at=now)
    if not claimed:
        return  # discarded before the worker came to it, or taken by another worker
    batch = ImportBatch.objects.select_related("group").get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)

    def finish(result: ImportResult) -> None:
        # In the import's transaction: the rows and the batch's outcome are one change.
        report = batch_report(batch)
        report["result"] = {k: v for k, v in result.as_json().items() if k != "defects"}
        now = timezone.now()
        done = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.IMPORTED,
            content=None,
            rows_done=result.rows,
            report=json.dumps(report),
            heartbeat_at=now,
            updated_at=now,
        )
        if not done:
            raise BatchWithdrawn

    do_import_members(
        _content(batch),
        filename=batch.filename,
        group=batch.group,
        acting_user=user,
        strict=batch.strict,
        batch=batch,
        progress=lambda rows: _heartbeat(batch.pk, ImportStatus.IMPORTING, rows_done=rows),
        finish=finish,
    )


def discardable() -> Q:
    """Batches that may be discarded: not being worked on by a live worker.

    Uploaded or confirmed batches a worker has not taken yet, checked or
    failed ones; a batch being checked or imported only once its lease has
    expired (it is failed first, see fail_stale_batches).
    """
    waiting = Q(status=ImportStatus.IMPORTING, heartbeat_at__isnull=True)
    settled = Q(status__in=[ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED])
    return settled | waiting


def do_discard(batch: ImportBatch, *, acting_user: Any) -> None:
    """Discard a batch and delete its sealed file; ValueError if a worker is on it."""
    if not can(acting_user, Action.IMPORT_MEMBERS, batch.group):
        raise PermissionDenied
    fail_stale_batches()
    with transaction.atomic():
        discarded = ImportBatch.objects.filter(discardable(), pk=batch.pk).update(
            status=ImportStatus.DISCARDED, content=None, updated_at=timezone.now()
        )
        if not discarded:
            raise ValueError("This upload is being checked or imported; it cannot be discarded.")
        audit.record(
            "members.discard",
            acting_user=acting_user,
            target_type="import",
            target_id=batch.pk,
        )


def batch_report(batch: ImportBatch) -> dict[str, Any]:
    return json.loads(batch.report) if batch.report else {}
