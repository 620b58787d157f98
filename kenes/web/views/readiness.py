"""Registration readiness: the party's numbers against the law of a period, and the dossier."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kenes.audit.services import record_standalone
from kenes.core.rules import UnknownRules, load_jurisdiction
from kenes.registry.dossier import do_request_dossier
from kenes.registry.models import MemberStatus
from kenes.registry.names import sort_key
from kenes.registry.readiness import Readiness, compute_readiness
from kenes.registry.scoping import Action, can, records_for
from kenes.registry.screen_budget import ScreenBudget, check_screen_budget
from kenes.web import labels
from kenes.web.charts import region_chart
from kenes.web.forms import ReadinessForm

NAMES_SHOWN = 10


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


def _members_with_defects(
    request: HttpRequest, result: Readiness
) -> tuple[dict[str, Any], ScreenBudget | None]:
    """The first few members in the user's scope with each defect (names link to them);
    none once the user's daily screen limit is reached (then the used-up budget)."""
    flagged = {code: set(ids) for code, ids in result.defective_member_ids.items() if ids}
    if not flagged or not can(request.user, Action.LIST_MEMBERS):
        return {}, None
    budget = check_screen_budget("readiness", acting_user=request.user)
    if budget.used_up:
        return {}, budget
    shown: dict[str, list[tuple[int, str]]] = {code: [] for code in flagged}
    in_scope: Counter[str] = Counter()
    # Only the flagged members are read (a few, not the whole registry), in chunks within
    # every backend's limit of parameters.
    # A record's defects are shown to whoever keeps it, not to a group that joined later.
    wanted = sorted(set().union(*flagged.values()))
    rows: list[tuple[int, str]] = []
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        rows += records_for(request.user).filter(pk__in=chunk).values_list("pk", "full_name")
    rows.sort(key=lambda row: (sort_key(row[1]), row[0]))  # names are opened: sorted here
    for pk, name in rows:
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
    return {code: {"names": shown[code], "in_scope": in_scope[code]} for code in flagged}, None


@login_required
def readiness(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_AGGREGATES):
        raise PermissionDenied
    form, rule_id = _chosen_rule(request)
    result = compute_readiness(rule_id)
    names, screen_budget = _members_with_defects(request, result)
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
            "screen_budget": screen_budget,
        },
    )


@login_required
def dossier(request: HttpRequest) -> HttpResponse:
    """POST: ask for the dossier, made in the background (kenes.registry.dossier), and go to
    the page where it is downloaded once it is ready. GET: back to the readiness page."""
    if not can(request.user, Action.EXPORT_DOSSIER):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("readiness")
    rule_id = request.POST.get("rules") or None
    try:
        item = do_request_dossier(
            acting_user=request.user, rule_id=rule_id, language=get_language() or "ru"
        )
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
    return redirect("prepared_files", bundle=item.bundle)
