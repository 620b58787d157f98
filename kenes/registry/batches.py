"""The web import flow: upload → check (background) → report → confirm → import (background).

The uploaded file is kept sealed in the database (it is personal data and
several app servers may share no disk) and removed once imported or discarded.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kenes.audit import services as audit
from kenes.core.roster import UnreadableFile, check_file
from kenes.registry.importing import StrictImportRefused, do_import_members
from kenes.registry.models import ConstituentGroup, ImportBatch, ImportStatus
from kenes.registry.scoping import Action, can

PROGRESS_EVERY = 1000


def estimate_rows(content: bytes, filename: str) -> int:
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
        try:
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
            return max(0, book.get_sheet_by_index(0).height - 1)
        except Exception:
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
            detail={"group": group.slug, "file": filename, "bytes": len(content)},
        )
    return batch


def _content(batch: ImportBatch) -> io.BytesIO:
    return io.BytesIO(base64.b64decode(batch.content or ""))


def _set(batch_id: Any, **fields: Any) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(updated_at=timezone.now(), **fields)


def _record_failure(batch_id: Any, exc: Exception) -> None:
    """Mark the batch failed with a sentence for the user; re-raise what is a bug."""
    if isinstance(exc, UnreadableFile):
        _set(
            batch_id, status=ImportStatus.FAILED, error=str(exc), error_code=exc.code, content=None
        )
    elif isinstance(exc, StrictImportRefused):
        _set(batch_id, status=ImportStatus.FAILED, error=str(exc))
    else:
        _set(batch_id, status=ImportStatus.FAILED, error="internal error; the log has details")
        raise exc


def run_check(batch_id: str) -> None:
    """Check every row, saving progress as it goes; store the sealed report."""
    batch = ImportBatch.objects.get(pk=batch_id)
    _set(batch.pk, status=ImportStatus.CHECKING, rows_done=0)
    try:
        report = check_file(
            _content(batch),
            filename=batch.filename,
            reference_date=timezone.localdate(),
            progress=lambda rows: _set(batch.pk, rows_done=rows),
            progress_every=PROGRESS_EVERY,
        )
    except Exception as exc:
        _record_failure(batch.pk, exc)
        return
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.CHECKED,
        rows_done=report.rows,
        rows_total=report.rows,
        report=json.dumps(report.as_json()),
        updated_at=timezone.now(),
    )


def do_confirm(batch: ImportBatch, *, acting_user: Any) -> None:
    if not can(acting_user, Action.IMPORT_MEMBERS, batch.group):
        raise PermissionDenied
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, rows_done=0, updated_at=timezone.now()
    )
    if not updated:
        raise ValueError("This upload is not waiting for confirmation.")


def run_import(batch_id: str, user_id: int) -> None:
    from django.contrib.auth import get_user_model

    batch = ImportBatch.objects.select_related("group").get(pk=batch_id)
    user = get_user_model().objects.get(pk=user_id)
    try:
        result = do_import_members(
            _content(batch),
            filename=batch.filename,
            group=batch.group,
            acting_user=user,
            strict=batch.strict,
            batch=batch,
        )
    except Exception as exc:
        _record_failure(batch.pk, exc)
        return
    report = batch_report(batch)
    report["result"] = {k: v for k, v in result.as_json().items() if k != "defects"}
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.IMPORTED,
        content=None,
        rows_done=result.rows,
        report=json.dumps(report),
        updated_at=timezone.now(),
    )


def do_discard(batch: ImportBatch, *, acting_user: Any) -> None:
    if not can(acting_user, Action.IMPORT_MEMBERS, batch.group):
        raise PermissionDenied
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.DISCARDED, content=None, updated_at=timezone.now()
        )
        audit.record(
            "members.discard",
            acting_user=acting_user,
            target_type="import",
            target_id=batch.pk,
        )


def batch_report(batch: ImportBatch) -> dict[str, Any]:
    return json.loads(batch.report) if batch.report else {}
