"""The chair's console of a congress: the agenda, the list of speakers with its timer, the
quorum, and the protocol (votes, codes and proxies: chair_votes.py; texts and amendments:
chair_texts.py).

Each page is thin over kenes.congress; who may use it is decided by kenes.registry.scoping
(Action.CHAIR_CONGRESS). Every POST answers with a redirect and is safe to send twice: a
form that creates something carries a one-time token (`OnceForm`), "next speaker" names
the speaker it moves on from, and the services refuse a second close or signature with
their own sentence. Everything works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.ballots.services import BallotError
from kenes.congress import protocol, services
from kenes.congress import speakers as sp
from kenes.congress.models import AgendaItem, Congress, Delegate, Speaker, Status
from kenes.congress.services import CongressError, delegate_by_badge
from kenes.registry.scoping import Action, can
from kenes.web import labels
from kenes.web.forms_chair import ItemForm, SpeakerForm

REFUSED = (CongressError, BallotError)
_ONCE_KEY = "chair_once"
_ONCE_KEPT = 200


def chaired(request: HttpRequest, slug: str) -> Congress:
    """The congress, for a user who may chair it (403 before 404: no probing of names)."""
    if not can(request.user, Action.CHAIR_CONGRESS):
        raise PermissionDenied
    return get_object_or_404(Congress.objects.select_related("kind"), slug=slug)


def used_already(request: HttpRequest) -> bool:
    """Was this form's one-time token used in this session (the same form sent again)?"""
    token = request.POST.get("once", "")
    return bool(token) and token in request.session.get(_ONCE_KEY, [])


def remember_used(request: HttpRequest) -> None:
    token = request.POST.get("once", "")
    if token:
        kept = request.session.get(_ONCE_KEY, [])
        request.session[_ONCE_KEY] = [*kept[-(_ONCE_KEPT - 1) :], token]


def done_already(request: HttpRequest) -> None:
    messages.info(request, _("This form was sent already: nothing more was done."))


def form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def delegate_label(delegate: Delegate) -> str:
    return f"{delegate.member.full_name} ({labels.region_name(delegate.region_code)})"


def delegate_choices(delegates: Any) -> list[tuple[int, str]]:
    rows = [(d.pk, delegate_label(d)) for d in delegates.select_related("member")]
    return sorted(rows, key=lambda row: row[1])


def eligible(congress: Congress) -> Any:
    return Delegate.objects.filter(congress=congress, checked_on__isnull=False, problems=[])


def by_badge(congress: Congress, badge: str) -> Delegate | None:
    return delegate_by_badge(congress, badge)


def current_item(congress: Congress) -> AgendaItem | None:
    return AgendaItem.objects.filter(congress=congress, current=True).first()


def _last_started(item: AgendaItem) -> int:
    last = (
        Speaker.objects.filter(item=item, started_at__isnull=False)
        .order_by("-started_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0


def _home(congress: Congress) -> HttpResponse:
    return redirect("chair_home", slug=congress.slug)


# The console ---------------------------------------------------------------------------


@login_required
def chair_home(request: HttpRequest, slug: str) -> HttpResponse:
    congress = chaired(request, slug)
    item = current_item(congress)
    present = eligible(congress).filter(present=True)
    context: dict[str, Any] = {
        "congress": congress,
        "quorum": services.quorum(congress),
        "items": AgendaItem.objects.filter(congress=congress).select_related("text"),
        "item": item,
        "item_form": ItemForm(texts=congress.texts.all()),
        "closed": congress.status == Status.CLOSED,
    }
    if item is not None:
        timer = sp.timer(item)
        context.update(
            queue=[(s, delegate_label(s.delegate)) for s in sp.queue(item)],
            timer=timer,
            speaking=delegate_label(timer.speaker.delegate) if timer.speaker else "",
            after=_last_started(item),
            speaker_form=SpeakerForm(present=delegate_choices(present)),
        )
    return render(request, "web/chair/home.html", context)


@login_required
def timer_fragment(request: HttpRequest, slug: str) -> HttpResponse:
    """The timer alone, for the console's page to refresh every second (htmx); without
    JavaScript the page shows it as it was when loaded."""
    congress = chaired(request, slug)
    item = current_item(congress)
    timer = sp.timer(item) if item is not None else None
    speaking = timer.speaker if timer is not None else None
    context = {
        "congress": congress,
        "timer": timer,
        "speaking": delegate_label(speaking.delegate) if speaking else "",
    }
    return render(request, "web/chair/_timer.html", context)


@login_required
@require_POST
def item_add(request: HttpRequest, slug: str) -> HttpResponse:
    congress = chaired(request, slug)
    if used_already(request):
        done_already(request)
        return _home(congress)
    form = ItemForm(request.POST, texts=congress.texts.all())
    if not form.is_valid():
        form_errors(request, form)
        return _home(congress)
    data = form.cleaned_data
    try:
        item = sp.do_add_item(
            congress,
            title=data["title"],
            planned_start=data["planned_start"],
            planned_minutes=data["planned_minutes"],
            text=congress.texts.filter(pk=data["text"]).first() if data["text"] else None,
            seconds_per_speaker=data["seconds_per_speaker"],
            seconds_per_delegation=data["seconds_per_delegation"],
            balance_by=data["balance_by"],
            acting_user=request.user,
        )
    except REFUSED as error:
        messages.error(request, str(error))
    else:
        remember_used(request)
        messages.success(request, _("Item %(n)s was added.") % {"n": item.position})
    return _home(congress)


@login_required
@require_POST
def item_current(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    congress = chaired(request, slug)
    item = get_object_or_404(AgendaItem, congress=congress, pk=item_id)
    sp.do_make_current(item, acting_user=request.user)
    return _home(congress)


@login_required
@require_POST
def speaker_add(request: HttpRequest, slug: str) -> HttpResponse:
    congress = chaired(request, slug)
    item = current_item(congress)
    if item is None:
        messages.error(request, _("Make an agenda item current first."))
        return _home(congress)
    present = delegate_choices(eligible(congress).filter(present=True))
    form = SpeakerForm(request.POST, present=present)
    if not form.is_valid():
        form_errors(request, form)
        return _home(congress)
    data = form.cleaned_data
    if data["badge"]:
        delegate = by_badge(congress, data["badge"])
        if delegate is None:
            messages.error(request, _("This badge code is not one of this congress's delegates."))
            return _home(congress)
    else:
        delegate = get_object_or_404(Delegate, congress=congress, pk=data["delegate"])
    try:
        sp.do_ask_for_floor(item, delegate, data["kind"], acting_user=request.user)
    except REFUSED as error:
        messages.error(request, str(error))  # on the list already: a second send adds nobody
    return _home(congress)


@login_required
@require_POST
def speaker_next(request: HttpRequest, slug: str) -> HttpResponse:
    """Give the floor to the next speaker, if the floor is still where the chair saw it
    (`after`: the last speaker to start when the page was shown): the same press sent
    twice moves the list on once."""
    congress = chaired(request, slug)
    item = current_item(congress)
    if item is None:
        return _home(congress)
    with transaction.atomic():
        AgendaItem.objects.select_for_update().filter(pk=item.pk).first()
        if str(_last_started(item)) != request.POST.get("after", ""):
            done_already(request)
            return _home(congress)
        speaker = sp.do_next_speaker(item, acting_user=request.user)
    if speaker is None:
        messages.info(request, _("Nobody else is waiting to speak."))
    return _home(congress)


@login_required
@require_POST
def speaker_stop(request: HttpRequest, slug: str) -> HttpResponse:
    congress = chaired(request, slug)
    item = current_item(congress)
    if item is not None:
        sp.do_stop_speaker(item, acting_user=request.user)
    return _home(congress)


@login_required
@require_POST
def speaker_withdraw(request: HttpRequest, slug: str, speaker_id: int) -> HttpResponse:
    congress = chaired(request, slug)
    speaker = get_object_or_404(
        Speaker.objects.select_related("item"), pk=speaker_id, item__congress=congress
    )
    sp.do_withdraw(speaker, acting_user=request.user)
    return _home(congress)


# The protocol --------------------------------------------------------------------------


@login_required
def protocol_page(request: HttpRequest, slug: str) -> HttpResponse:
    congress = chaired(request, slug)
    built = protocol.build(congress)
    signed = {s.role: s for s in congress.signatures.select_related("signer").order_by("signed_at")}
    context = {
        "congress": congress,
        "sections": protocol.sections(built),  # the PDF's and the ODT's own sections
        "digest": built.digest,
        "signed": signed,
        "holds": protocol.signatures_hold(congress),
        "closed": congress.status == Status.CLOSED,
    }
    return render(request, "web/chair/protocol.html", context)


@login_required
def protocol_file(request: HttpRequest, slug: str, suffix: str) -> HttpResponse:
    congress = chaired(request, slug)
    kinds = {
        "pdf": "application/pdf",
        "odt": "application/vnd.oasis.opendocument.text",
    }
    if suffix not in kinds:
        raise Http404
    data = protocol.render(congress, f".{suffix}", acting_user=request.user)
    response = HttpResponse(data, content_type=kinds[suffix])
    response["Content-Disposition"] = f'attachment; filename="protocol-{congress.slug}.{suffix}"'
    return response


@login_required
@require_POST
def protocol_sign(request: HttpRequest, slug: str) -> HttpResponse:
    congress = chaired(request, slug)
    try:
        protocol.do_sign(congress, request.POST.get("role", ""), acting_user=request.user)
    except REFUSED as error:
        messages.error(request, str(error))  # signed already: the same sentence, nothing new
    else:
        messages.success(request, _("The protocol is signed."))
    return redirect("chair_protocol", slug=congress.slug)
