"""The chair's console: hall votes (create, open, close, the roll call of a named vote, the
tellers' paper counts, results), voting codes and proxies (kenes.congress.hall, .paper,
.proxies).

Voting codes are handed out as everywhere else (kenes.web.views.codes): sealed into a codes
file and a page of printable slips made in the background, each downloaded once; a slip
carries the delegate's name and voting code, never their badge code. A proxy's mandate code
(and a giver's new code when it is revoked) is shown once, in the answer to the POST that
made it, and kept nowhere; the same POST sent again is refused by the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kenes.ballots import phases
from kenes.ballots import services as ballots
from kenes.congress import hall, paper, proxies
from kenes.congress.models import (
    AgendaItem,
    Amendment,
    Congress,
    Delegate,
    HallVote,
    NamedChoice,
    Proxy,
    Status,
)
from kenes.web.forms_chair import (
    ELECTION,
    ChooseDelegateForm,
    OnceForm,
    PaperElectionForm,
    PaperMotionForm,
    ProxyForm,
    VoteForm,
)
from kenes.web.views.chair import (
    REFUSED,
    chaired,
    delegate_choices,
    delegate_label,
    done_already,
    eligible,
    form_errors,
    remember_used,
    used_already,
)
from kenes.web.views.codes import hand_out


def _vote_form(congress: Congress, data: Any = None) -> VoteForm:
    items = [
        (i.pk, f"{i.position}. {i.title}") for i in AgendaItem.objects.filter(congress=congress)
    ]
    pending = Amendment.objects.filter(text__congress=congress, state="recommended")
    return VoteForm(
        data,
        delegates=delegate_choices(eligible(congress)),
        items=items,
        amendments=[(a.pk, f"{a.text.title}: {a.number}") for a in pending.select_related("text")],
    )


@login_required
def vote_list(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the votes and the form for a new one; POST: create it."""
    congress = chaired(request, slug)
    if request.method == "POST":
        return _vote_create(request, congress)
    votes = congress.votes.select_related("election", "item").order_by("pk")
    return render(
        request,
        "web/chair/votes.html",
        {
            "congress": congress,
            "rows": [(v, hall.vote_row(v)) for v in votes],
            "form": _vote_form(congress),
            "closed": congress.status == Status.CLOSED,
        },
    )


def _vote_create(request: HttpRequest, congress: Congress) -> HttpResponse:
    back = redirect("chair_votes", slug=congress.slug)
    if used_already(request):
        done_already(request)
        return back
    form = _vote_form(congress, request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return back
    data = form.cleaned_data
    election = data["kind"] == ELECTION
    try:
        with transaction.atomic():
            vote = hall.do_create_vote(
                congress,
                title=data["title"],
                kind=data["kind"],
                description=data["description"],
                item=AgendaItem.objects.filter(congress=congress, pk=data["item"]).first(),
                method=data["method"],
                seats=data["seats"],
                majority=data["majority"],
                base=data["base"],
                amendment=Amendment.objects.filter(
                    text__congress=congress, pk=data["amendment"]
                ).first(),
                paper=data["paper"],
                secret=data["secret"] == "secret",
                acting_user=request.user,
            )
            if election:
                for delegate in eligible(congress).filter(pk__in=data["candidates"]):
                    ballots.do_add_candidate(
                        vote.election, delegate.member, acting_user=request.user
                    )
    except REFUSED as error:
        messages.error(request, str(error))
        return back
    remember_used(request)
    messages.success(request, _("“%(title)s” was created.") % {"title": data["title"]})
    return redirect("chair_vote", slug=congress.slug, vote_id=vote.pk)


def _vote(request: HttpRequest, slug: str, vote_id: int) -> HallVote:
    congress = chaired(request, slug)
    return get_object_or_404(
        HallVote.objects.select_related("election", "congress", "item", "amendment"),
        congress=congress,
        pk=vote_id,
    )


def _opened(vote: HallVote) -> bool:
    if vote.secret:
        return vote.election.phase != phases.DRAFT
    return vote.present_at_open is not None


def _back(vote: HallVote) -> HttpResponse:
    return redirect("chair_vote", slug=vote.congress.slug, vote_id=vote.pk)


@login_required
def vote_detail(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, slug, vote_id)
    calling = not vote.secret and _opened(vote) and vote.present_at_close is None
    counting = vote.paper and vote.paper_state in ("counting", "mismatch")
    context: dict[str, Any] = {
        "congress": vote.congress,
        "vote": vote,
        "row": hall.vote_row(vote),
        "opened": _opened(vote),
        "closed_vote": vote.present_at_close is not None,
        "candidates": list(ballots.options(vote.election)) if not vote.election.is_motion else [],
        "winners": (vote.election.result or {}).get("winners", []),
    }
    if calling:
        answers = dict(NamedChoice.objects.filter(vote=vote).values_list("delegate_id", "choice"))
        context["roll"] = [
            (pk, label, answers.get(pk, ""))
            for pk, label in delegate_choices(eligible(vote.congress).filter(present=True))
        ]
    if counting:
        context["paper_form"] = (
            PaperMotionForm() if vote.election.is_motion else PaperElectionForm()
        )
        context["tellers"] = [
            (c.teller.get_username(), c.total)
            for c in vote.paper_counts.select_related("teller").order_by("entered_at")
        ]
    return render(request, "web/chair/vote.html", context)


@login_required
@require_POST
def vote_open(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, slug, vote_id)
    if _opened(vote):
        done_already(request)
        return _back(vote)
    try:
        hall.do_open_vote(vote, acting_user=request.user)
    except REFUSED as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The vote is open."))
    return _back(vote)


@login_required
@require_POST
def vote_close(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    vote = _vote(request, slug, vote_id)
    with transaction.atomic():
        # One close at a time: the second of two presses sees the first one's close.
        locked = HallVote.objects.select_for_update().get(pk=vote.pk)
        if locked.present_at_close is not None or not _opened(vote):
            messages.info(request, _("This vote is not open: nothing was done."))
            return _back(vote)
        try:
            hall.do_close_vote(vote, acting_user=request.user)
        except REFUSED as error:
            messages.error(request, str(error))
            return _back(vote)
    messages.success(request, _("The vote is closed."))
    return _back(vote)


@login_required
@require_POST
def vote_named(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    """The roll call: each delegate's answer as the secretary hears it (sent again: the same
    answers, recorded again, nothing added)."""
    vote = _vote(request, slug, vote_id)
    present = {d.pk: d for d in eligible(vote.congress).filter(present=True)}
    recorded = 0
    for key, choice in request.POST.items():
        if not key.startswith("d-") or not choice:
            continue
        delegate = present.get(int(key[2:])) if key[2:].isdigit() else None
        if delegate is None:
            continue
        try:
            hall.do_record_named(vote, delegate, choice, acting_user=request.user)
        except REFUSED as error:
            messages.error(request, str(error))
            return _back(vote)
        recorded += 1
    messages.success(request, _("Answers recorded: %(n)s.") % {"n": recorded})
    return _back(vote)


@login_required
@require_POST
def vote_paper(request: HttpRequest, slug: str, vote_id: int) -> HttpResponse:
    """One teller's count (their own account); a second teller's must agree."""
    vote = _vote(request, slug, vote_id)
    motion = vote.election.is_motion
    form = PaperMotionForm(request.POST) if motion else PaperElectionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(vote)
    try:
        state = paper.do_enter_count(
            vote,
            counts=form.cleaned_data if motion else None,
            blt=None if motion else form.cleaned_data["blt"],
            acting_user=request.user,
        )
    except REFUSED as error:
        messages.error(request, str(error))
        return _back(vote)
    if state == "entered":
        messages.success(request, _("The two counts agree: the result is published."))
    elif state == "mismatch":
        messages.error(request, HallVote.objects.get(pk=vote.pk).paper_problem)
    else:
        messages.success(request, _("Your count is entered: a second teller enters theirs."))
    return _back(vote)


# Voting codes --------------------------------------------------------------------------


@login_required
def codes_page(request: HttpRequest, slug: str) -> HttpResponse:
    congress = chaired(request, slug)
    return render(
        request,
        "web/chair/codes.html",
        {
            "congress": congress,
            "once": OnceForm(),
            "reissue": ChooseDelegateForm(delegates=delegate_choices(eligible(congress))),
            "eligible": eligible(congress).count(),
            "closed": congress.status == Status.CLOSED,
        },
    )


def _hand_out(request: HttpRequest, congress: Congress, issued: Any) -> HttpResponse:
    return hand_out(
        request,
        issued,
        start="vote",
        file_stem=f"congress-{congress.slug}-codes",
        purpose=hall.purpose(congress),
        title=congress.title,
        slip_kind="election",
        back_url=reverse("chair_codes", args=[congress.slug]),
    )


@login_required
@require_POST
def codes_issue(request: HttpRequest, slug: str) -> HttpResponse:
    """Voting codes for every eligible delegate (a new code replaces an old one: sent twice,
    the second send does nothing, so the slips printed from the first stay good)."""
    congress = chaired(request, slug)
    back = redirect("chair_codes", slug=congress.slug)
    if used_already(request):
        done_already(request)
        return back
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm, then press the button again."))
        return back
    try:
        with transaction.atomic():
            issued = hall.do_issue_voting_codes(congress, acting_user=request.user)
            response = _hand_out(request, congress, issued)
    except REFUSED as error:
        messages.error(request, str(error))
        return back
    remember_used(request)
    return response


@login_required
@require_POST
def codes_reissue(request: HttpRequest, slug: str) -> HttpResponse:
    """A new voting code for one delegate (a lost slip); their old code stops working."""
    congress = chaired(request, slug)
    back = redirect("chair_codes", slug=congress.slug)
    form = ChooseDelegateForm(request.POST, delegates=delegate_choices(eligible(congress)))
    if not form.is_valid():
        form_errors(request, form)
        return back
    delegate = get_object_or_404(Delegate, congress=congress, pk=form.cleaned_data["delegate"])
    try:
        with transaction.atomic():
            issued = hall.do_issue_voting_codes(
                congress, delegates=[delegate], acting_user=request.user
            )
            return _hand_out(request, congress, issued)
    except REFUSED as error:
        messages.error(request, str(error))
        return back


# Proxies -------------------------------------------------------------------------------


def _proxy_form(congress: Congress, data: Any = None) -> ProxyForm:
    ok = eligible(congress)
    return ProxyForm(
        data,
        givers=delegate_choices(ok.filter(present=False)),
        holders=delegate_choices(ok.filter(present=True)),
    )


@never_cache
@login_required
def proxy_list(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the live proxies and the form; POST: give one (the mandate code shown once)."""
    congress = chaired(request, slug)
    if request.method == "POST":
        form = _proxy_form(congress, request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return redirect("chair_proxies", slug=congress.slug)
        giver = get_object_or_404(Delegate, congress=congress, pk=form.cleaned_data["giver"])
        holder = get_object_or_404(Delegate, congress=congress, pk=form.cleaned_data["holder"])
        try:
            _proxy, code = proxies.do_give(giver, holder, acting_user=request.user)
        except REFUSED as error:
            messages.error(request, str(error))
            return redirect("chair_proxies", slug=congress.slug)
        return _code_once(
            request,
            congress,
            code,
            _("Mandate code for %(holder)s, who votes for %(giver)s")
            % {"holder": delegate_label(holder), "giver": delegate_label(giver)},
        )
    live = proxies.live(congress).select_related("giver__member", "holder__member")
    return render(
        request,
        "web/chair/proxies.html",
        {
            "congress": congress,
            "allowed": bool(congress.rules.get("proxies")),
            "rows": [(p, delegate_label(p.giver), delegate_label(p.holder)) for p in live],
            "form": _proxy_form(congress),
        },
    )


@never_cache
@login_required
@require_POST
def proxy_revoke(request: HttpRequest, slug: str, proxy_id: int) -> HttpResponse:
    congress = chaired(request, slug)
    proxy = get_object_or_404(
        Proxy.objects.select_related("giver__member"), congress=congress, pk=proxy_id
    )
    try:
        code = proxies.do_revoke(proxy, acting_user=request.user)
    except REFUSED as error:
        messages.error(request, str(error))
        return redirect("chair_proxies", slug=congress.slug)
    return _code_once(
        request,
        congress,
        code,
        _("New voting code for %(giver)s") % {"giver": delegate_label(proxy.giver)},
    )


def _code_once(request: HttpRequest, congress: Congress, code: str, heading: str) -> HttpResponse:
    return render(
        request,
        "web/chair/code_once.html",
        {"congress": congress, "code": code, "heading": heading},
    )
