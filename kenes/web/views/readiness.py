"""Registration readiness: the party's numbers against the law of a period, and the dossier."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit.services import record_standalone
from kenes.core.rules import UnknownRules, load_jurisdiction
from kenes.registry.dossier import export_dossier
from kenes.registry.models import MemberStatus
from kenes.registry.readiness import Readiness, compute_readiness
from kenes.registry.scoping import Action, can, records_for
from kenes.web import labels
from kenes.web.charts import region_chart
from kenes.web.forms import ReadinessForm

NAMES_SHOWN = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen_rule(request: HttpRequest) -> tuple[ReadinessForm, str | None]:
    newest = load_jurisdiction("kz").registration_rule(None).id
    form = ReadinessForm(request.GET if "rules" in request.GET else {"rules": newest})
    if form.is_valid() and form.cleaned_data["rules"]:
        return form, form.cleaned_data["rules"]
    messages.warning(
        request,
        _(
            "There are no registration rules “%(rules)s”; showing the newest rules instead. "
            "Choose the period from the list."
        )
        % {"rules": request.GET.get("rules", "")},
    )
    return ReadinessForm({"rules": newest}), newest


def _members_with_defects(request: HttpRequest, result: Readiness) -> dict[str, Any]:
    """The first few members in the user's scope with each defect (names link to them)."""
    flagged = {code: set(ids) for code, ids in result.defective_member_ids.items() if ids}
    if not flagged or not can(request.user, Action.LIST_MEMBERS):
        return {}
    shown: dict[str, list[tuple[int, str]]] = {code: [] for code in flagged}
    in_scope: Counter[str] = Counter()
    # A record's defects are shown to whoever keeps it, not to a group that joined later.
    rows = records_for(request.user).values_list("pk", "full_name").order_by("full_name", "pk")
    for pk, name in rows.iterator(chunk_size=5000):
        for code, ids in flagged.items():
            if pk in ids:
                in_scope[code] += 1
                if len(shown[code]) < NAMES_SHOWN:
                    shown[code].append((pk, name))
    count = sum(len(names) for names in shown.values())
    if count:
        record_standalone(
            "member.list",
            acting_user=request.user,
            detail={
                "query": {
                    "readiness": result.rule.id,
                    "defects": {c: len(n) for c, n in shown.items() if n},
                },
                "page": 1,
                "count": count,
            },
        )
    return {code: {"names": shown[code], "in_scope": in_scope[code]} for code in flagged}


@login_required
def readiness(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_AGGREGATES):
        raise PermissionDenied
    form, rule_id = _chosen_rule(request)
    result = compute_readiness(rule_id)
    names = _members_with_defects(request, result)
    defects = []
    for code, n in result.defect_counts.items():
        title, advice = labels.readiness_defect(code)
        defects.append(
            {"code": code, "title": title, "advice": advice, "count": n, **names.get(code, {})}
        )
    not_in_good_standing = [
        (MemberStatus(status).label if status in MemberStatus.values else status, n)
        for status, n in sorted(result.not_in_good_standing.items())
    ]
    return render(
        request,
        "web/readiness.html",
        {
            "form": form,
            "result": result,
            "rule": result.rule,
            "shortfall_total": max(0, result.required_total - result.total),
            "regions_short": sum(1 for r in result.regions if r.shortfall),
            "chart": region_chart(result.regions),
            "defects": defects,
            "not_in_good_standing": not_in_good_standing,
            "may_export": can(request.user, Action.EXPORT_DOSSIER),
            "may_list": can(request.user, Action.LIST_MEMBERS),
        },
    )


@login_required
def dossier(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.EXPORT_DOSSIER):
        raise PermissionDenied
    rule_id = request.GET.get("rules") or None
    try:
        content = export_dossier(acting_user=request.user, rule_id=rule_id)
    except UnknownRules:
        messages.error(
            request,
            _(
                "There are no registration rules “%(rules)s”; choose the "
                "period from the list and export again."
            )
            % {"rules": rule_id},
        )
        return redirect("readiness")
    rule = load_jurisdiction("kz").registration_rule(rule_id)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"kenes-dossier-{rule.id}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
