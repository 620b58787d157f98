"""Members take part in a consultation with their personal code, no account.

One statement at a time, agree / disagree / pass, then the next one (the order:
kenes/agenda/selection.py). Every page works as plain POST forms without JavaScript.

As for ballots (kenes/web/views/vote.py, whose helpers are reused): pages are never
cached and never send the address (which may hold the code) to another host; wrong codes
are throttled per client address; a right code always works.
Nothing here is logged or audited: an entry per opinion would say who thinks what.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kenes.agenda import phases, services
from kenes.agenda.models import Consultation, Participant
from kenes.agenda.services import AgendaError
from kenes.participation.codes import normalise
from kenes.web.views.codes import refuse_code
from kenes.web.views.vote import private

CODE_MAX = 64


def _wrong_code(request: HttpRequest, code: str) -> HttpResponse:
    error = _(
        "This code does not open any consultation that is running now. Check it against your "
        "message and type it again."
    )
    return refuse_code(
        request,
        "agenda_start",
        lambda: render(
            request, "web/agenda/start.html", {"code": code, "error": error}, status=400
        ),
    )


def report_url(consultation: Consultation, code: str = "") -> str:
    """The report page (views/agenda_report.py): officers' address, or the participant's own
    link when `code` is given; empty if the report pages are not wired in."""
    try:
        if code:
            return reverse("agenda_report_member", args=[code])
        return reverse("agenda_report", args=[consultation.pk])
    except NoReverseMatch:
        return ""


def _entered(
    request: HttpRequest, code: str, consultation: Consultation | None = None
) -> tuple[Consultation, Participant] | HttpResponse:
    """The consultation and participant behind a code, or the page that says why not."""
    if not normalise(code):
        return _wrong_code(request, code)
    consultation = consultation or services.find_consultation(code)
    participant = services.participant_for_code(consultation, code) if consultation else None
    if consultation is None or participant is None:
        return _wrong_code(request, code)
    return consultation, participant


def _page(
    request: HttpRequest,
    consultation: Consultation,
    participant: Participant,
    code: str,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The page a participant sees now: the next statement, "all done", or the report link."""
    voted, total = services.progress(participant)
    context: dict[str, Any] = {
        "consultation": consultation,
        "code": code,
        "voted": voted,
        "total": total,
        "notice": notice,
        "error": error,
        "may_add": phases.allows(consultation.phase, "add_statement"),
        "report_url": report_url(consultation, code)
        if phases.allows(consultation.phase, "see_report")
        else "",
    }
    if not phases.allows(consultation.phase, "vote"):
        return render(request, "web/agenda/over.html", context, status=status)
    statement = services.next_statement(participant)
    if statement is None:
        return render(request, "web/agenda/done.html", context, status=status)
    context["statement"] = statement
    return render(request, "web/agenda/statement.html", context, status=status)


@private
@require_http_methods(["GET", "POST"])
def agenda_start(request: HttpRequest) -> HttpResponse:
    """Type the personal code; a right code shows the first statement at once."""
    if request.method == "GET":
        return render(request, "web/agenda/start.html", {"code": ""})
    code = str(request.POST.get("code", ""))[:CODE_MAX]
    entered = _entered(request, code)
    if isinstance(entered, HttpResponse):
        return entered
    return _page(request, *entered, code)


@private
@require_http_methods(["GET"])
def agenda_link(request: HttpRequest, code: str) -> HttpResponse:
    """The personal link `/consult/<code>/`: the same as typing the code."""
    code = code[:CODE_MAX]
    entered = _entered(request, code)
    if isinstance(entered, HttpResponse):
        return entered
    return _page(request, *entered, code)


def _posted(request: HttpRequest) -> tuple[Consultation, Participant, str] | HttpResponse:
    code = str(request.POST.get("code", ""))[:CODE_MAX]
    try:
        consultation = Consultation.objects.get(pk=int(request.POST.get("consultation", "")))
    except (ValueError, Consultation.DoesNotExist):
        return _wrong_code(request, code)
    entered = _entered(request, code, consultation)
    if isinstance(entered, HttpResponse):
        return entered
    return (*entered, code)


@private
@require_POST
def agenda_vote(request: HttpRequest) -> HttpResponse:
    """Agree, disagree or pass on one statement (`choice`), then the next statement."""
    posted = _posted(request)
    if isinstance(posted, HttpResponse):
        return posted
    consultation, participant, code = posted
    if request.POST.get("back"):
        return _page(request, consultation, participant, code)
    value = services.VALUES.get(str(request.POST.get("choice", "")))
    try:
        statement_id = int(request.POST.get("statement", ""))
        if value is None:
            raise AgendaError(_("Choose agree, disagree or pass."))
        services.do_vote(participant, statement_id, value)
    except ValueError:
        return _page(request, consultation, participant, code, status=400)
    except AgendaError as error:
        consultation.refresh_from_db()
        return _page(request, consultation, participant, code, error=str(error), status=400)
    consultation.refresh_from_db()
    return _page(request, consultation, participant, code)


@private
@require_POST
def agenda_add_statement(request: HttpRequest) -> HttpResponse:
    """Without `text`: the form; with it: add the statement, then back to voting."""
    posted = _posted(request)
    if isinstance(posted, HttpResponse):
        return posted
    consultation, participant, code = posted
    context: dict[str, Any] = {"consultation": consultation, "code": code, "text": ""}
    if not phases.allows(consultation.phase, "add_statement"):
        return _page(
            request,
            consultation,
            participant,
            code,
            error=_("New statements are no longer collected: vote on the ones there are."),
            status=409,
        )
    if "text" not in request.POST:
        return render(request, "web/agenda/add.html", context)
    text = str(request.POST.get("text", ""))
    try:
        statement = services.do_add_statement(consultation, participant, text)
    except AgendaError as error:
        context.update(text=text[: services.MAX_STATEMENT * 2], error=str(error))
        return render(request, "web/agenda/add.html", context, status=400)
    notice = (
        _("Thank you. Your statement will be shown to others once a coordinator approves it.")
        if statement.status == "pending"
        else _("Thank you. Your statement is now shown to others.")
    )
    return _page(request, consultation, participant, code, notice=notice)
