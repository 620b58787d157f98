"""Merge conflicts: the national admin's page to compare an entry with the record and decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.registry.conflicts import do_resolve_conflict, open_conflicts
from kenes.registry.models import ConflictState


@login_required
def conflict_list(request: HttpRequest) -> HttpResponse:
    views = open_conflicts(acting_user=request.user)
    return render(request, "web/members/conflicts.html", {"conflicts": views})


@login_required
@require_POST
def conflict_resolve(request: HttpRequest, conflict_id: int) -> HttpResponse:
    resolution = request.POST.get("resolution", "")
    try:
        do_resolve_conflict(conflict_id, resolution, acting_user=request.user)
    except ValidationError as error:
        for sentence in error.messages:
            messages.error(request, sentence)
    else:
        messages.success(
            request, _("Decided: %(what)s.") % {"what": ConflictState(resolution).label}
        )
    return redirect("member_conflicts")
