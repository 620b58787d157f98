"""The retention schedule: each kind of data, its rule, its last run and what is due next.

The national admin changes the rules (audited); auditors read the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.registry.scoping import Action, can, is_admin
from kenes.retention import services
from kenes.web.forms_retention import RetentionRuleForm


@login_required
def retention_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_AUDIT_LOG):
        raise PermissionDenied
    rows = services.schedule()
    editable = is_admin(request.user)
    return render(
        request,
        "web/retention/page.html",
        {
            "rows": [
                (
                    row,
                    RetentionRuleForm(
                        initial={"days": row.rule.days, "enabled": row.rule.enabled},
                        auto_id=f"rule-{row.kind.key}-%s",
                    )
                    if editable
                    else None,
                )
                for row in rows
            ],
            "editable": editable,
            "run_every_hours": int(services.RUN_EVERY.total_seconds() // 3600),
        },
    )


@login_required
@require_POST
def retention_set(request: HttpRequest, kind: str) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied
    form = RetentionRuleForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
        return redirect("retention")
    try:
        services.do_set_rule(
            kind,
            days=form.cleaned_data["days"],
            enabled=form.cleaned_data["enabled"],
            acting_user=request.user,
        )
    except services.RetentionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The rule is saved; the next run applies it."))
    return redirect("retention")
