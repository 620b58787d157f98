"""The requests page: bulk reads of personal data that other officers must approve
(kenes.registry.approvals).

An officer sees the requests they made and those waiting for their decision; a trustee
or a national admin also every open request (they are told of each). Approve and refuse
are POSTs that redirect back (POST/redirect/GET: a form sent twice counts once). A member
list is asked for here as a file; the national admin sets the numbers on the settings page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.registry import approvals
from kenes.registry.member_lists import do_request_member_list
from kenes.registry.scoping import Action, can
from kenes.web.forms_bulk_reads import BulkReadSettingsForm, MemberListForm


def _may_open(user: object) -> bool:
    return can(user, Action.ASK_BULK_READ) or can(user, Action.SEE_BULK_READS)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _may_open(user):
        raise PermissionDenied
    approvals.expire_due()
    approvals.release_due()
    sees_all = can(user, Action.SEE_BULK_READS)
    return render(
        request,
        "web/bulk_reads/list.html",
        {
            "awaiting": approvals.awaiting_decision_by(user),
            "mine": list(approvals.mine(user)[:50]),
            "open": list(approvals.open_requests()[:100]) if sees_all else [],
            "sees_all": sees_all,
            "rules": approvals.current_settings(),
            "may_ask": can(user, Action.ASK_BULK_READ) and can(user, Action.LIST_MEMBERS),
            "may_set": can(user, Action.SET_BULK_READ_RULES),
            "list_form": MemberListForm(),
        },
    )


@login_required
@require_POST
def request_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=True)


@login_required
@require_POST
def request_refuse(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=False)


def _decide(request: HttpRequest, request_id: int, *, approve: bool) -> HttpResponse:
    if not _may_open(request.user):
        raise PermissionDenied
    try:
        if approve:
            done = approvals.do_approve(request_id, acting_user=request.user)
        else:
            done = approvals.do_refuse(request_id, acting_user=request.user)
    except approvals.ApprovalError as error:
        messages.error(request, str(error))
    else:
        if not approve:
            messages.success(request, _("Request No. %(n)s is refused.") % {"n": done.pk})
        elif done.state == "requested":
            messages.success(
                request,
                _("Your approval of request No. %(n)s is counted; more are needed.")
                % {"n": done.pk},
            )
        else:
            messages.success(request, _("Request No. %(n)s is approved.") % {"n": done.pk})
    return redirect("bulk_reads")


@login_required
@require_POST
def request_member_list(request: HttpRequest) -> HttpResponse:
    if not (can(request.user, Action.ASK_BULK_READ) and can(request.user, Action.LIST_MEMBERS)):
        raise PermissionDenied
    form = MemberListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a region and a status from the lists."))
        return redirect("bulk_reads")
    try:
        item = do_request_member_list(
            acting_user=request.user,
            region=form.cleaned_data["region"],
            status=form.cleaned_data["status"],
            language=get_language() or "ru",
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("bulk_reads")
    return redirect("prepared_files", bundle=item.bundle)


@login_required
def bulk_read_settings(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.SET_BULK_READ_RULES):
        raise PermissionDenied
    rules = approvals.current_settings()
    initial = {
        "approvals_needed": rules.approvals_needed,
        "api_limit": rules.api_limit,
        "delay_hours": rules.delay_hours,
        "screen_rows_per_day": rules.screen_rows_per_day,
    }
    form = BulkReadSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            approvals.do_change_settings(**form.cleaned_data, acting_user=request.user)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The rules for bulk reads are saved."))
            return redirect("bulk_read_settings")
    return render(request, "web/bulk_reads/settings.html", {"form": form, "rules": rules})
