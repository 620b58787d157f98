"""Officers' pages for elections and motions: list, create, candidates, open, close, publish.

Who may do what is decided by kenes.ballots.rules; which buttons a phase offers by
kenes.ballots.phases; members are found only through kenes.registry.scoping.
Personal codes are handed out once, as files made in the background, and never stored in
the clear (kenes.web.views.codes).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.audit.services import fingerprint_text, record_standalone
from kenes.ballots import box, phases, schedule, services
from kenes.ballots.models import Election, Phase
from kenes.ballots.rules import Action, can, may_call, may_create, sees_elections, visible_elections
from kenes.ballots.services import BallotError
from kenes.participation.services import IssuedCode
from kenes.registry.models import Member
from kenes.registry.name_search import by_name, in_order, name_order, with_name
from kenes.registry.scoping import members_for
from kenes.registry.screen_budget import check_screen_budget
from kenes.web import labels
from kenes.web.forms_elections import (
    METHOD_SENTENCES,
    STV_LABELS,
    CandidateForm,
    ConfirmForm,
    ElectionForm,
    MemberSearchForm,
    PaperBallotsForm,
    ReissueForm,
    ScheduleForm,
)
from kenes.web.views.codes import hand_out
from kenes.web.views.common import page_of

SEARCH_LIMIT = 20


def _election(request: HttpRequest, election_id: int, action: Action) -> Election:
    """The election, 404 if unknown, 403 if the user may not do `action` with it."""
    election = get_object_or_404(Election.objects.select_related("group"), pk=election_id)
    if not can(request.user, action, election):
        raise PermissionDenied
    return election


def electorate_label(election: Election) -> str:
    if election.group_id is not None:
        return _("group %(name)s") % {"name": election.group.name}
    if election.region_code:
        return labels.region_name(election.region_code)
    return _("the whole party")


def _turnout(request: HttpRequest, election: Election) -> dict[str, Any] | None:
    """x of N voted, for those who may see it, once there is a voter roll."""
    if election.phase == phases.DRAFT or not can(request.user, Action.VIEW_TURNOUT, election):
        return None
    voted, size = services.turnout(election), election.electorate_size
    return {"voted": voted, "size": size, "percent": round(100 * voted / size) if size else 0}


@login_required
def election_list(request: HttpRequest) -> HttpResponse:
    if not sees_elections(request.user):
        raise PermissionDenied
    elections = visible_elections(request.user).select_related("group").order_by("-pk")
    page = page_of(request, elections)
    rows = [
        {
            "election": e,
            "electorate": electorate_label(e),
            "turnout": _turnout(request, e),
        }
        for e in page.object_list
    ]
    return render(
        request,
        "web/elections/list.html",
        {"page": page, "rows": rows, "may_create": may_create(request.user)},
    )


@login_required
def election_add(request: HttpRequest) -> HttpResponse:
    if not may_create(request.user):
        raise PermissionDenied
    form = ElectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = data["group"]
        if not may_call(
            request.user, region_code=data["region_code"], group_id=group.pk if group else None
        ):
            raise PermissionDenied  # the form offers only electorates the user runs
        try:
            election = services.do_create_election(
                data["title"],
                description=data["description"],
                kind=data["kind"],
                method=data["method"],
                stv_rules=data["stv_rules"],
                seats=data["seats"],
                cutoff_on=data["cutoff_on"],
                region_code=data["region_code"],
                group=group,
                quorum_percent=data["quorum_percent"],
                majority=data["majority"],
                base=data["base"],
                acting_user=request.user,
            )
        except BallotError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” was created.") % {"title": election.title})
            return redirect("election_detail", election_id=election.pk)
    return render(request, "web/elections/add.html", {"form": form})


def _steps(election: Election) -> list[dict[str, Any]]:
    current = phases.PHASES.index(election.phase)
    return [
        {
            "label": Phase(p).label,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, p in enumerate(phases.PHASES)
    ]


def _search(request: HttpRequest, election: Election, query: str) -> list[Member]:
    """Up to 20 members of the electorate the user may see, by name; the look is audited.

    In a draft, those already standing are left out: the list is for adding candidates.
    """
    members = members_for(request.user)
    if election.phase == phases.DRAFT:
        members = members.exclude(pk__in=election.candidates.values("member"))
    matching = with_name(members.filter(pk__in=services.electorate(election).values("pk")), query)
    listed = Member.objects.only("pk", "full_name", "region_code")
    ids = name_order(matching)
    if ids is None:  # too many to open every name: the first entered, by name
        found = by_name(listed.filter(pk__in=matching.order_by("pk")[:SEARCH_LIMIT]))
    else:
        found = in_order(listed, ids[:SEARCH_LIMIT])
    record_standalone(
        "member.list",
        acting_user=request.user,
        target_type="election",
        target_id=election.pk,
        detail={"query": {"name": fingerprint_text(query)}, "count": len(found)},
    )
    return found


@login_required
def election_detail(request: HttpRequest, election_id: int) -> HttpResponse:
    """GET: the page; POST: set the vote's period, or hand out a scheduled opening's codes."""
    if request.method == "POST":
        return _detail_post(request, _election(request, election_id, Action.MANAGE))
    return _detail_page(request, _election(request, election_id, Action.VIEW_TURNOUT))


def _schedule_form(election: Election, data: Any = None) -> ScheduleForm:
    initial = {"opens_at": election.opens_at, "closes_at": election.closes_at}
    return ScheduleForm(data, initial=initial, open_already=election.phase != phases.DRAFT)


def _detail_post(request: HttpRequest, election: Election) -> HttpResponse:
    if request.POST.get("step") == "hand_out":
        if not _confirmed(request):
            return _to_detail(election)
        try:
            with transaction.atomic():  # the codes are issued and sealed for hand-out together
                issued = schedule.do_hand_out_codes(election, acting_user=request.user)
                response = _hand_out(request, election, issued)
        except BallotError as error:
            messages.error(request, str(error))
            return _to_detail(election)
        messages.success(request, _("Download the codes file and the slips below: each only once."))
        return response
    form = _schedule_form(election, request.POST)
    if form.is_valid():
        try:
            schedule.do_set_schedule(
                election,
                opens_at=form.cleaned_data.get("opens_at"),
                closes_at=form.cleaned_data.get("closes_at"),
                acting_user=request.user,
            )
        except BallotError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The vote's period is saved."))
            return _to_detail(election)
    return _detail_page(request, election, schedule_form=form)


def _detail_page(
    request: HttpRequest, election: Election, *, schedule_form: ScheduleForm | None = None
) -> HttpResponse:
    phase = election.phase
    manage = can(request.user, Action.MANAGE, election)
    actions = {
        "add_candidate": manage
        and not election.is_motion
        and phases.allows(phase, "add_candidate"),
        "open": manage and phases.can_move(phase, phases.OPEN),
        "close": manage and phases.can_move(phase, phases.CLOSED),
        "publish": manage and phases.can_move(phase, phases.PUBLISHED),
        "paper": manage and phases.allows(phase, "enter_paper"),
        # A new code is of use only while codes can cast ballots.
        "reissue": manage and phases.allows(phase, "cast"),
        "schedule": manage and phase in (phases.DRAFT, phases.OPEN),
        "hand_out": manage and phase == phases.OPEN and election.codes_pending,
    }
    search = MemberSearchForm(request.GET or None)
    matches: list[Member] | None = None
    screen_budget = None
    if (actions["add_candidate"] or actions["reissue"]) and search.is_valid():
        query = search.cleaned_data["q"].strip()
        if query:
            budget = check_screen_budget(
                "election", acting_user=request.user, target_type="election", target_id=election.pk
            )
            screen_budget = budget if budget.used_up else None
        if query and screen_budget is None:
            matches = _search(request, election, query)
    context = {
        "election": election,
        "steps": _steps(election),
        "electorate": electorate_label(election),
        "electorate_size": services.electorate(election).count()
        if phase == phases.DRAFT
        else election.electorate_size,
        "method_sentence": None
        if election.is_motion
        else METHOD_SENTENCES.get(election.method, election.method),
        "stv_rules": STV_LABELS.get(election.stv_rules, election.stv_rules)
        if election.method == "stv"
        else None,
        "candidates": election.candidates.all(),
        "turnout": _turnout(request, election),
        "actions": actions,
        "search": search,
        "matches": matches,
        "screen_budget": screen_budget,
        "published": phase == phases.PUBLISHED,
        "schedule_form": schedule_form or _schedule_form(election),
        "late": _late(election),
    }
    return render(request, "web/elections/detail.html", context)


def _late(election: Election) -> bool:
    """A scheduled step more than two minutes overdue: is the background worker running?"""
    moment = election.opens_at if election.phase == phases.DRAFT else election.closes_at
    if election.phase not in (phases.DRAFT, phases.OPEN) or moment is None:
        return False
    return moment < timezone.now() - datetime.timedelta(minutes=2)


def _to_detail(election: Election) -> HttpResponse:
    return redirect("election_detail", election_id=election.pk)


@login_required
def election_candidates(request: HttpRequest, election_id: int) -> HttpResponse:
    """GET: the search lives on the election's page; POST: add one member as a candidate."""
    election = _election(request, election_id, Action.MANAGE)
    if request.method != "POST":
        query = urlencode({"q": request.GET.get("q", "")})
        return redirect(f"{reverse('election_detail', args=[election.pk])}?{query}#candidates")
    form = CandidateForm(request.POST)
    member = None
    if form.is_valid():
        member = (
            members_for(request.user)
            .filter(pk=form.cleaned_data["member"])
            .filter(pk__in=services.electorate(election).values("pk"))
            .first()
        )
    if form.has_error("statement"):
        messages.error(request, " ".join(form.errors["statement"]))
        return _to_detail(election)
    if member is None:
        messages.error(request, _("Choose a member of this electorate from the search results."))
        return _to_detail(election)
    try:
        candidate = services.do_add_candidate(
            election, member, statement=form.cleaned_data["statement"], acting_user=request.user
        )
    except BallotError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is now a candidate.") % {"name": candidate.name})
    return _to_detail(election)


def _confirmed(request: HttpRequest) -> bool:
    if ConfirmForm(request.POST).is_valid():
        return True
    messages.error(request, _("Tick the box to confirm, then press the button again."))
    return False


def _hand_out(request: HttpRequest, election: Election, issued: list[IssuedCode]) -> HttpResponse:
    """To the page of the codes' files (made in the background; kenes.web.views.codes)."""
    return hand_out(
        request,
        issued,
        start="vote",
        file_stem=f"codes-{election.pk}",
        purpose=election.purpose,
        title=election.title,
        slip_kind="election",
        back_url=reverse("election_detail", args=[election.pk]),
    )


@login_required
@require_POST
def election_open(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _election(request, election_id, Action.MANAGE)
    if not _confirmed(request):
        return _to_detail(election)
    if not phases.can_move(election.phase, phases.OPEN):
        # do_open would try to write the voter roll a second time (a resubmitted form).
        messages.error(
            request,
            _(
                "This vote was opened already and its codes were shown then. "
                "Issue a new code to a member who lost theirs."
            ),
        )
        return _to_detail(election)
    try:
        with transaction.atomic():  # the codes are issued and sealed for hand-out together
            issued = services.do_open(election, acting_user=request.user)
            response = _hand_out(request, election, issued)
    except BallotError as error:
        messages.error(request, str(error))
        return _to_detail(election)
    messages.success(
        request,
        _("The vote is open. Download the codes file and the slips below: each only once."),
    )
    return response


@login_required
@require_POST
def election_close(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _election(request, election_id, Action.MANAGE)
    if _confirmed(request):
        try:
            services.do_close(election, acting_user=request.user)
        except BallotError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The vote is closed: codes no longer open the ballot."))
    return _to_detail(election)


@login_required
@require_POST
def election_publish(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _election(request, election_id, Action.MANAGE)
    if not _confirmed(request):
        return _to_detail(election)
    try:
        box.do_publish(election, acting_user=request.user)
    except BallotError as error:
        messages.error(request, str(error))
        return _to_detail(election)
    messages.success(request, _("The result and the ballot box are published."))
    return redirect("election_result", election_id=election.pk)


@login_required
def election_paper(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _election(request, election_id, Action.MANAGE)
    if not phases.allows(election.phase, "enter_paper"):
        messages.error(
            request, _("Paper ballots can be entered only while the vote is open or closed.")
        )
        return _to_detail(election)
    form = PaperBallotsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = box.do_enter_paper_ballots(
                election,
                form.cleaned_data["text"],
                format=form.cleaned_data["format"],
                acting_user=request.user,
            )
        except BallotError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(n)s paper ballots were added.") % {"n": added})
            return _to_detail(election)
    return render(
        request,
        "web/elections/paper.html",
        {"election": election, "form": form, "options": services.options(election)},
    )


@login_required
@require_POST
def election_reissue(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _election(request, election_id, Action.MANAGE)
    form = ReissueForm(request.POST)
    member = None
    if form.is_valid():
        member = members_for(request.user).filter(pk=form.cleaned_data["member"]).first()
    if member is None:
        messages.error(request, _("Choose a member of this electorate from the search results."))
        return _to_detail(election)
    try:
        with transaction.atomic():
            code = services.do_reissue_code(election, member, acting_user=request.user)
            response = _hand_out(request, election, [IssuedCode(member.pk, member.full_name, code)])
    except BallotError as error:
        messages.error(request, str(error))
        return _to_detail(election)
    messages.success(
        request,
        _("%(name)s has a new code; their earlier code no longer works.")
        % {"name": member.full_name},
    )
    return response
