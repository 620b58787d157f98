"""Importing a member list: upload → background check → report → confirm → background import."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.audit.services import record_standalone
from kenes.registry import tasks
from kenes.registry.batches import (
    batch_report,
    discardable,
    do_confirm,
    do_discard,
    do_upload,
    fail_stale_batches,
)
from kenes.registry.models import ImportBatch, ImportStatus
from kenes.registry.scoping import Action, can, import_groups_for, is_admin
from kenes.web import labels
from kenes.web.forms import UploadForm

DEFECTS_SHOWN = 500
IN_PROGRESS = {ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.IMPORTING}


def _batches_for(user: Any) -> Any:
    """The uploads a user may see: their own; a national admin's, everyone's."""
    batches = ImportBatch.objects.select_related("group", "uploaded_by")
    return batches if is_admin(user) else batches.filter(uploaded_by=user)


def _batch(user: Any, batch_id: UUID) -> ImportBatch:
    fail_stale_batches()  # a batch whose worker died shows as failed, and may be discarded
    batch = _batches_for(user).defer("content").filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, Action.IMPORT_MEMBERS):
        raise PermissionDenied
    groups = import_groups_for(user)
    form = UploadForm(request.POST or None, request.FILES or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = do_upload(
            upload.read(),
            filename=upload.name,
            group=form.cleaned_data["group"],
            strict=form.cleaned_data["strict"],
            acting_user=user,
        )
        tasks.check_upload.enqueue(str(batch.pk))
        return redirect("import_batch", batch_id=batch.pk)
    fail_stale_batches()
    recent = _batches_for(user).defer("content", "report")[:20]
    return render(
        request,
        "web/imports/start.html",
        {
            "form": form,
            "recent": recent,
            "has_groups": groups.exists(),
        },
    )


def _body_context(request: HttpRequest, batch: ImportBatch) -> dict[str, Any]:
    """What the batch page shows below its heading (also the htmx polling fragment)."""
    context: dict[str, Any] = {
        "batch": batch,
        "in_progress": batch.status in IN_PROGRESS,
        "may_act": can(request.user, Action.IMPORT_MEMBERS, batch.group),
        "may_discard": ImportBatch.objects.filter(discardable(), pk=batch.pk).exists(),
    }
    if context["in_progress"]:
        return context
    report = batch_report(batch)
    defects = report.get("defects", [])
    shown = [
        d
        | {"sentence": labels.defect_sentence(d), "column": labels.field_label(d.get("field", ""))}
        for d in defects[:DEFECTS_SHOWN]
    ]
    by_code = Counter(d.get("code", "") for d in defects)
    context.update(
        report=report,
        result=report.get("result"),
        defects=shown,
        defects_total=len(defects),
        defects_cut=len(defects) > DEFECTS_SHOWN,
        defects_by_code=[(code, n, labels.defect_kind(code)) for code, n in by_code.most_common()],
        strict_blocks=batch.strict and report.get("invalid", 0) > 0,
        nothing_valid=report.get("valid", 0) == 0,
        error_hint=labels.UPLOAD_ERRORS_HINT,
        # ImportBatch keeps the core's English sentence; a code, when stored, is translated.
        error_reason=labels.upload_error(getattr(batch, "error_code", "") or ""),
    )
    if shown:
        # The offending values are personal data: showing them is a look.
        record_standalone(
            "import.report",
            acting_user=request.user,
            target_type="import",
            target_id=batch.pk,
            detail={"defects_shown": len(shown)},
        )
    return context


@login_required
def import_batch(request: HttpRequest, batch_id: UUID) -> HttpResponse:
    batch = _batch(request.user, batch_id)
    return render(request, "web/imports/batch.html", _body_context(request, batch))


@login_required
def import_batch_status(request: HttpRequest, batch_id: UUID) -> HttpResponse:
    """The polled fragment; once the work is done it carries the report and stops polling."""
    batch = _batch(request.user, batch_id)
    return render(request, "web/imports/_batch_body.html", _body_context(request, batch))


@login_required
@require_POST
def import_confirm(request: HttpRequest, batch_id: UUID) -> HttpResponse:
    batch = _batch(request.user, batch_id)
    try:
        do_confirm(batch, acting_user=request.user)
    except ValueError:
        messages.error(
            request, _("This list is not waiting for confirmation any more; see its state below.")
        )
    else:
        tasks.import_upload.enqueue(str(batch.pk), request.user.pk)
    return redirect("import_batch", batch_id=batch.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, batch_id: UUID) -> HttpResponse:
    batch = _batch(request.user, batch_id)
    try:
        do_discard(batch, acting_user=request.user)
    except ValueError:
        messages.error(request, _("This list can no longer be discarded; see its state below."))
        return redirect("import_batch", batch_id=batch.pk)
    messages.success(
        request,
        _("The uploaded list %(file)s was discarded; nothing was imported.")
        % {"file": batch.filename},
    )
    return redirect("import")
