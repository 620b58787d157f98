"""The programme builder: planks from consensus statements, their order, and ratification.

Sending the programme to ratification is the one place agenda and ballots meet: agenda may
not import ballots, so this view creates the motion (kenes.ballots.services) and keeps its
id on the consultation (kenes.agenda.programme), both in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.agenda import programme
from kenes.agenda.models import Consultation, Plank, Statement, StatementStatus
from kenes.agenda.rules import Action, can
from kenes.agenda.services import AgendaError
from kenes.ballots import services as ballots
from kenes.ballots.services import BallotError
from kenes.web.forms_agenda import PlankForm
from kenes.web.views.agenda_admin import consultation_for
from kenes.web.views.elections import _confirmed


def support(consultation: Consultation) -> dict[int, dict[str, Any]]:
    """Per approved statement: agree/disagree/pass counts and the share agreeing (stored votes)."""
    rows: dict[int, dict[str, Any]] = {}
    for pk, value in Statement.objects.filter(
        consultation=consultation, status=StatementStatus.APPROVED
    ).values_list("pk", "votes__value"):
        row = rows.setdefault(pk, {"agree": 0, "disagree": 0, "pass": 0, "seen": 0})
        if value is None:
            continue
        row["seen"] += 1
        row[{1: "agree", -1: "disagree", 0: "pass"}[value]] += 1
    for row in rows.values():
        row["percent"] = round(100 * row["agree"] / row["seen"]) if row["seen"] else 0
    return rows


def _consensus_order(consultation: Consultation) -> list[int]:
    """Statement ids in the stored analysis' consensus order first, then by agreement."""
    stored = consultation.analysis or {}
    return [int(c["statement"]) for c in stored.get("consensus", [])]


def _to_programme(consultation: Consultation) -> HttpResponse:
    return redirect("agenda_programme", consultation_id=consultation.pk)


@login_required
def agenda_programme(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = consultation_for(request, consultation_id, Action.VIEW)
    manage = can(request.user, Action.MANAGE, consultation)
    shares = support(consultation)
    statements = {
        s.pk: s
        for s in Statement.objects.filter(
            consultation=consultation, status=StatementStatus.APPROVED
        )
    }
    first = [pk for pk in _consensus_order(consultation) if pk in statements]
    rest = sorted(
        (pk for pk in statements if pk not in first),
        key=lambda pk: (-shares.get(pk, {}).get("percent", 0), pk),
    )
    rows = [
        {"statement": statements[pk], "support": shares.get(pk), "consensus": pk in first}
        for pk in first + rest
    ]
    form = PlankForm(
        request.POST or None, choices=[(r["statement"].pk, r["statement"].text) for r in rows]
    )
    if request.method == "POST":
        if not manage:
            return redirect("agenda_programme", consultation_id=consultation.pk)
        if form.is_valid():
            try:
                programme.do_add_plank(
                    consultation,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    statement_ids=[int(s) for s in form.cleaned_data["statements"]],
                    acting_user=request.user,
                )
            except AgendaError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The plank was added."))
                return _to_programme(consultation)
    planks = [
        {
            "plank": plank,
            "statements": [
                {"statement": s, "support": shares.get(s.pk)} for s in plank.statements.all()
            ],
        }
        for plank in Plank.objects.filter(consultation=consultation).prefetch_related("statements")
    ]
    context = {
        "consultation": consultation,
        "manage": manage,
        "locked": consultation.ratification_election_id is not None,
        "planks": planks,
        "rows": rows,
        "form": form,
        "text": programme.programme_text(consultation),
    }
    return render(request, "web/agenda/programme.html", context)


def _plank(request: HttpRequest, consultation_id: int, plank_id: int) -> Plank:
    consultation = consultation_for(request, consultation_id, Action.MANAGE)
    return get_object_or_404(Plank, pk=plank_id, consultation=consultation)


@login_required
@require_POST
def agenda_plank_move(request: HttpRequest, consultation_id: int, plank_id: int) -> HttpResponse:
    plank = _plank(request, consultation_id, plank_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    programme.do_move_plank(plank, step, acting_user=request.user)
    return _to_programme(plank.consultation)


@login_required
@require_POST
def agenda_plank_remove(request: HttpRequest, consultation_id: int, plank_id: int) -> HttpResponse:
    plank = _plank(request, consultation_id, plank_id)
    consultation = plank.consultation
    if consultation.ratification_election_id is not None:
        messages.error(
            request, _("The programme has been sent to ratification: it can no longer change.")
        )
    else:
        programme.do_remove_plank(plank, acting_user=request.user)
        messages.success(request, _("The plank was removed."))
    return _to_programme(consultation)


@login_required
@require_POST
def agenda_ratify(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Create the ratification motion with the programme's text (the ballots app)."""
    consultation = consultation_for(request, consultation_id, Action.MANAGE)
    if not _confirmed(request):
        return _to_programme(consultation)
    try:
        text = programme.check_ratifiable(consultation)
        with transaction.atomic():
            election = ballots.do_create_election(
                _("Programme: %(title)s") % {"title": consultation.title},
                kind="motion",
                description=text,
                cutoff_on=timezone.localdate(),
                region_code=consultation.region_code,
                group=consultation.group,
                acting_user=request.user,
            )
            programme.do_record_ratification(consultation, election.pk, acting_user=request.user)
    except (AgendaError, BallotError) as error:
        messages.error(request, str(error))
        return _to_programme(consultation)
    messages.success(
        request,
        _("The ratification motion was created as a draft: check it and open the vote."),
    )
    return redirect("election_detail", election_id=election.pk)
