"""The audit log, read-only, with the state of its hash chain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.audit.services import (
    actions_recorded,
    detail_for_reading,
    entries_newest_first,
    verify,
)
from kenes.registry.scoping import Action, can
from kenes.web.views.common import page_of


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_AUDIT_LOG):
        raise PermissionDenied
    action = request.GET.get("action", "").strip()
    page = page_of(request, entries_newest_first(action))
    rows = [(entry, detail_for_reading(entry)) for entry in page.object_list]
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "rows": rows,
            "chain": verify(),
            "action": action,
            "actions": actions_recorded(),
        },
    )
