"""Officers' consultation pages: list, create, detail, phase, codes, moderation, recompute.

Who may do what is decided by kenes.agenda.rules; what a phase allows by
kenes.agenda.phases. Personal codes are shown once, when issued, and never stored in the
clear (the same files and page as for ballots: kenes.web.views.codes).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.agenda import moderation, phases, services
from kenes.agenda.models import Consultation, Phase, Statement, StatementStatus
from kenes.agenda.rules import (
    Action,
    can,
    may_call,
    may_create,
    sees_consultations,
    visible_consultations,
)
from kenes.agenda.services import AgendaError
from kenes.web import labels
from kenes.web.forms_agenda import ConsultationForm, HideForm, SeedForm, statement_lines
from kenes.web.views.agenda import report_url
from kenes.web.views.codes import hand_out
from kenes.web.views.common import page_of
from kenes.web.views.elections import _confirmed


def consultation_for(request: HttpRequest, consultation_id: int, action: Action) -> Consultation:
    """The consultation, 404 if unknown, 403 if the user may not do `action` with it."""
    consultation = get_object_or_404(
        Consultation.objects.select_related("group"), pk=consultation_id
    )
    if not can(request.user, action, consultation):
        raise PermissionDenied
    return consultation


def electorate_label(consultation: Consultation) -> str:
    if consultation.group_id is not None:
        return _("group %(name)s") % {"name": consultation.group.name}
    if consultation.region_code:
        return labels.region_name(consultation.region_code)
    return _("the whole party")


def to_detail(consultation: Consultation, anchor: str = "") -> HttpResponse:
    url = reverse("agenda_detail", args=[consultation.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def agenda_list(request: HttpRequest) -> HttpResponse:
    if not sees_consultations(request.user):
        raise PermissionDenied
    consultations = (
        visible_consultations(request.user)
        .select_related("group")
        .annotate(n_participants=Count("participants", distinct=True))
        .order_by("-pk")
    )
    page = page_of(request, consultations)
    rows = [{"consultation": c, "electorate": electorate_label(c)} for c in page.object_list]
    return render(
        request,
        "web/agenda/list.html",
        {"page": page, "rows": rows, "may_create": may_create(request.user)},
    )


@login_required
def agenda_create(request: HttpRequest) -> HttpResponse:
    if not may_create(request.user):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = data["group"]
        if not may_call(
            request.user, region_code=data["region_code"], group_id=group.pk if group else None
        ):
            raise PermissionDenied  # the form offers only electorates the user runs
        try:
            consultation = services.do_create_consultation(
                data["title"],
                question=data["question"],
                description=data["description"],
                cutoff_on=data["cutoff_on"],
                region_code=data["region_code"],
                group=group,
                moderation=data["moderation"],
                acting_user=request.user,
            )
            moderation.do_add_seed_statements(
                consultation, data["statement_lines"], acting_user=request.user
            )
        except AgendaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” was created.") % {"title": consultation.title})
            return to_detail(consultation)
    return render(request, "web/agenda/create.html", {"form": form})


def steps(consultation: Consultation) -> list[dict[str, Any]]:
    current = phases.PHASES.index(consultation.phase)
    return [
        {
            "label": Phase(p).label,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, p in enumerate(phases.PHASES)
    ]


def analysis_summary(consultation: Consultation) -> dict[str, Any] | None:
    """What the detail page shows of the stored analysis (contract: kenes/agenda/analysis.py)."""
    stored = consultation.analysis
    if not stored:
        return None
    return {
        "computed_at": parse_datetime(stored.get("computed_at", "")) or consultation.analysis_at,
        "votes": stored.get("votes_counted", 0),
        "participants": stored.get("participants", 0),
        "groups": [
            {"id": g["id"], "label": chr(ord("A") + g["id"]), "size": g["size"]}
            for g in stored.get("groups", [])
        ],
        "consensus": stored.get("consensus", [])[:5],
    }


@login_required
def agenda_detail(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = consultation_for(request, consultation_id, Action.VIEW)
    manage = can(request.user, Action.MANAGE, consultation)
    counts = dict(
        Statement.objects.filter(consultation=consultation)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    target = phases.next_phase(consultation.phase)
    open_phase = consultation.phase in (phases.COLLECT, phases.VOTE)
    context = {
        "consultation": consultation,
        "steps": steps(consultation),
        "electorate": electorate_label(consultation),
        "electorate_size": services.electorate(consultation).count(),
        "participants": consultation.participants.count(),
        "votes": services.votes_now(consultation),
        "counts": {s: counts.get(s, 0) for s in StatementStatus.values},
        "statements": consultation.statements.filter(status=StatementStatus.APPROVED),
        "analysis": analysis_summary(consultation),
        "recompute_pending": consultation.recompute_requested_at is not None,
        "next_phase": Phase(target).label if target else None,
        "next_value": target,
        "actions": {
            "move": manage and target is not None,
            "codes": manage and open_phase,
            "seed": manage and open_phase,
            "moderate": manage and open_phase,
            "recompute": manage,
            "programme": manage,
        },
        "seed_form": SeedForm(),
        "report_url": report_url(consultation),
    }
    return render(request, "web/agenda/detail.html", context)


@login_required
@require_POST
def agenda_phase(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = consultation_for(request, consultation_id, Action.MANAGE)
    if _confirmed(request):
        try:
            services.do_move_phase(
                consultation, str(request.POST.get("phase", "")), acting_user=request.user
            )
        except AgendaError as error:
            messages.error(request, str(error))
        else:
            consultation.refresh_from_db()
            messages.success(
                request,
                _("The consultation is now in the phase “%(phase)s”.")
                % {"phase": consultation.get_phase_display()},
            )
    return to_detail(consultation)


@login_required
@require_POST
def agenda_codes(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Issue personal codes to the whole electorate (a new code replaces an earlier one)."""
    consultation = consultation_for(request, consultation_id, Action.MANAGE)
    if not _confirmed(request):
        return to_detail(consultation)
    try:
        with transaction.atomic():  # the codes are issued and sealed for hand-out together
            issued = services.do_issue_codes(consultation, acting_user=request.user)
            response = hand_out(
                request,
                issued,
                start="agenda_start",
                file_stem=f"consultation-codes-{consultation.pk}",
                purpose=consultation.purpose,
                title=consultation.title,
                slip_kind="consultation",
                back_url=reverse("agenda_detail", args=[consultation.pk]),
            )
    except AgendaError as error:
        messages.error(request, str(error))
        return to_detail(consultation)
    return response


@login_required
@require_POST
def agenda_seed(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = consultation_for(request, consultation_id, Action.MANAGE)
    form = SeedForm(request.POST)
    if form.is_valid():
        try:
            added = moderation.do_add_seed_statements(
                consultation,
                statement_lines(form.cleaned_data["statements"]),
                acting_user=request.user,
            )
        except AgendaError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Statements added: %(n)s.") % {"n": len(added)})
    elif form.has_error("statements", "control_characters"):
        messages.error(request, " ".join(form.errors["statements"]))
    else:
        messages.error(request, _("Write at least one statement, one per line."))
    return to_detail(consultation, "statements")


@login_required
@require_POST
def agenda_recompute(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Queue a recompute of the analysis now (it runs in the background)."""
    consultation = consultation_for(request, consultation_id, Action.MANAGE)
    if services.request_recompute(consultation, force=True):
        messages.success(
            request,
            _("The analysis is being recomputed. Reload this page in a minute to see it."),
        )
    else:
        messages.info(request, _("A recompute is already queued. Reload this page in a minute."))
    return to_detail(consultation, "analysis")


@login_required
def agenda_moderation(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The moderation queue (GET); approve, hide with a reason, or merge a duplicate (POST)."""
    consultation = consultation_for(request, consultation_id, Action.VIEW)
    manage = can(request.user, Action.MANAGE, consultation)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        _moderate(request, consultation)
        return redirect("agenda_moderation", consultation_id=consultation.pk)
    statements = list(
        consultation.statements.annotate(n_votes=Count("votes")).select_related("merged_into")
    )
    pending = [s for s in statements if s.status == StatementStatus.PENDING]
    others = [s for s in statements if s.status != StatementStatus.PENDING]
    approved = [s for s in statements if s.status == StatementStatus.APPROVED]
    return render(
        request,
        "web/agenda/moderation.html",
        {
            "consultation": consultation,
            "pending": pending,
            "others": others,
            "approved": approved,
            "manage": manage and consultation.phase in (phases.COLLECT, phases.VOTE),
            "hide_form": HideForm(),
        },
    )


def _moderate(request: HttpRequest, consultation: Consultation) -> None:
    action = str(request.POST.get("action", ""))
    try:
        statement = Statement.objects.get(
            pk=int(request.POST.get("statement", "")), consultation=consultation
        )
        if action == "approve":
            moderation.do_approve(statement, acting_user=request.user)
            messages.success(request, _("The statement is approved."))
        elif action == "hide":
            reason = str(request.POST.get("reason", ""))
            moderation.do_hide(statement, reason, acting_user=request.user)
            messages.success(request, _("The statement is hidden."))
        elif action == "merge":
            into = Statement.objects.get(
                pk=int(request.POST.get("into", "")), consultation=consultation
            )
            moderation.do_merge(statement, into, acting_user=request.user)
            messages.success(request, _("The statement was merged into the one you chose."))
        else:
            messages.error(request, _("Choose approve, hide or merge."))
    except (ValueError, Statement.DoesNotExist):
        messages.error(request, _("Choose a statement of this consultation."))
    except AgendaError as error:
        messages.error(request, str(error))
