"""Seat scenarios (kenes.parliament): list, new, edit, result, share, delete.

Who may do what is decided in kenes.parliament.rules; the computation and every change in
kenes.parliament.scenarios. Large projections run as a background task; their page polls
with htmx and, without JavaScript, refreshes itself (a <noscript> meta refresh) or by a link.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.parliament import rules
from kenes.parliament.models import Scenario, Status
from kenes.parliament.scenarios import ScenarioError, do_delete, do_set_shared, do_update, start_run
from kenes.parliament.scenarios import do_create_scenario as create
from kenes.web.forms_scenarios import ScenarioForm
from kenes.web.hemicycle import css_class, hemicycle, interval_chart

IN_PROGRESS = {Status.PENDING, Status.RUNNING}


def _scenario(request: HttpRequest, scenario_id: int, action: rules.Action) -> Scenario:
    if not rules.sees_scenarios(request.user):
        raise PermissionDenied
    scenario = Scenario.objects.select_related("created_by").filter(pk=scenario_id).first()
    if scenario is None or not rules.can(request.user, rules.Action.VIEW, scenario):
        raise Http404
    if not rules.can(request.user, action, scenario):
        raise PermissionDenied
    return scenario


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    if not rules.sees_scenarios(request.user):
        raise PermissionDenied
    visible = rules.visible_scenarios(request.user).select_related("created_by")
    return render(
        request,
        "web/parliament/list.html",
        {
            "mine": visible.filter(created_by=request.user),
            "others": visible.exclude(created_by=request.user),
            "may_create": rules.can(request.user, rules.Action.CREATE),
        },
    )


def _save(request: HttpRequest, form: ScenarioForm, scenario: Scenario | None) -> Scenario | None:
    """Create or update from a valid form and start the run; None when the services refuse."""
    try:
        if scenario is None:
            scenario = create(acting_user=request.user, **form.scenario_fields())
        else:
            scenario = do_update(scenario, acting_user=request.user, **form.scenario_fields())
    except ScenarioError as error:
        form.add_error(None, str(error))
        return None
    start_run(scenario, acting_user=request.user)
    return scenario


@login_required
def scenario_add(request: HttpRequest) -> HttpResponse:
    if not rules.can(request.user, rules.Action.CREATE):
        raise PermissionDenied
    form = ScenarioForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        scenario = _save(request, form, None)
        if scenario is not None:
            return redirect("scenario_detail", scenario_id=scenario.pk)
    return render(request, "web/parliament/form.html", {"form": form, "scenario": None})


@login_required
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, scenario_id, rules.Action.EDIT)
    form = ScenarioForm(request.POST or None, request.FILES or None, scenario=scenario)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, scenario)
        if saved is not None:
            return redirect("scenario_detail", scenario_id=saved.pk)
    return render(request, "web/parliament/form.html", {"form": form, "scenario": scenario})


def _percent(p: float) -> float:
    return round(100 * p, 1)


def _party_rows(projection: dict[str, Any], our_party: str) -> list[dict[str, Any]]:
    return [
        {
            "party": row["party"],
            "css": css_class(i),
            "ours": row["party"] == our_party,
            "p_pass": _percent(row["p_pass"]),
            "seats_mean": round(row["seats_mean"], 1),
            "p05": row["seats_p05"],
            "p50": row["seats_p50"],
            "p95": row["seats_p95"],
            "p_majority": _percent(row["p_majority"]),
            "share_needed": row.get("share_needed"),
        }
        for i, row in enumerate(projection["parties"])
    ]


def _alliance_rows(projection: dict[str, Any]) -> list[dict[str, Any]]:
    alliances = []
    for entry in projection["scenarios"]:
        joint = entry["joint"]
        alliances.append(
            {
                "name": entry["alliance"],
                "retention": [(m["party"], _percent(m["retention"])) for m in entry["members"]],
                "joint": {
                    "p_pass": _percent(joint["p_pass"]),
                    "seats_mean": round(joint["seats_mean"], 1),
                    "p05": joint["seats_p05"],
                    "p95": joint["seats_p95"],
                    "share_needed": joint.get("share_needed"),
                },
                "alone": [
                    {
                        "party": a["party"],
                        "p_pass": _percent(a["p_pass"]),
                        "seats_mean": round(a["seats_mean"], 1),
                    }
                    for a in entry["alone"]
                ],
                "alone_seats": round(sum(a["seats_mean"] for a in entry["alone"]), 1),
            }
        )
    return alliances


def _body_context(request: HttpRequest, scenario: Scenario) -> dict[str, Any]:
    """What the result page shows below its heading (also the htmx polling fragment)."""
    context: dict[str, Any] = {
        "scenario": scenario,
        "in_progress": scenario.status in IN_PROGRESS,
        "may_edit": rules.can(request.user, rules.Action.EDIT, scenario),
    }
    result = scenario.result
    if context["in_progress"] or scenario.status != Status.DONE or not result:
        return context
    projection = result["projection"]
    parties = _party_rows(projection, scenario.our_party)
    modal = result["modal"]
    context.update(
        result=result,
        projection=projection,
        parties=parties,
        ours=next((p for p in parties if p["ours"]), None),
        alliances=_alliance_rows(projection),
        p_any_majority=_percent(projection["p_majority"]["any"]),
        p_no_list=_percent(projection["p_no_list_passes"]),
        modal_frequency=_percent(modal["frequency"]),
        hemicycle=hemicycle([(p["party"], modal["seats"].get(p["party"], 0)) for p in parties]),
        intervals=interval_chart(
            [(p["party"], p["p05"], p["p50"], p["p95"], p["seats_mean"]) for p in parties]
        ),
    )
    return context


@login_required
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, scenario_id, rules.Action.VIEW)
    return render(request, "web/parliament/detail.html", _body_context(request, scenario))


@login_required
def scenario_status(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """The polled fragment; once computed it carries the result and stops polling."""
    scenario = _scenario(request, scenario_id, rules.Action.VIEW)
    return render(request, "web/parliament/_body.html", _body_context(request, scenario))


@login_required
@require_POST
def scenario_run(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, scenario_id, rules.Action.EDIT)
    start_run(scenario, acting_user=request.user)
    return redirect("scenario_detail", scenario_id=scenario.pk)


@login_required
@require_POST
def scenario_share(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, scenario_id, rules.Action.EDIT)
    shared = request.POST.get("shared") == "1"
    do_set_shared(scenario, shared, acting_user=request.user)
    messages.success(
        request,
        _("The scenario is now shared with the movement's officers.")
        if shared
        else _("The scenario is now private to you."),
    )
    return redirect("scenario_detail", scenario_id=scenario.pk)


@login_required
@require_POST
def scenario_delete(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, scenario_id, rules.Action.EDIT)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the scenario should be deleted."))
        return redirect("scenario_detail", scenario_id=scenario.pk)
    title = scenario.title
    do_delete(scenario, acting_user=request.user)
    messages.success(request, _("The scenario “%(title)s” was deleted.") % {"title": title})
    return redirect("scenario_list")
