"""Texts and amendments (kenes.congress.amendments): the chair's and the drafting
committee's pages, and the delegates' page where a delegate tables an amendment with their
badge code, without an account, before the text's deadline.

A wrong badge code on the delegates' page counts against the client's address like a wrong
voting code (kenes.participation.throttle): badge codes cannot be tried by the thousand.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kenes.congress import amendments as am
from kenes.congress.models import Amendment, Congress, CongressText, Status
from kenes.participation import throttle
from kenes.web.forms_chair import (
    DecideForm,
    MergeForm,
    OrderForm,
    RecommendForm,
    TableForm,
    TextForm,
)
from kenes.web.views.chair import (
    REFUSED,
    by_badge,
    chaired,
    delegate_label,
    done_already,
    form_errors,
    remember_used,
    used_already,
)


@login_required
def text_list(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the congress's texts and the form for a new one; POST: add it."""
    congress = chaired(request, slug)
    if request.method == "POST":
        back = redirect("chair_texts", slug=congress.slug)
        if used_already(request):
            done_already(request)
            return back
        form = TextForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return back
        try:
            text = am.do_add_text(
                congress,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                amendments_until=form.cleaned_data["amendments_until"],
                acting_user=request.user,
            )
        except REFUSED as error:
            messages.error(request, str(error))
            return back
        remember_used(request)
        return redirect("chair_text", slug=congress.slug, text_id=text.pk)
    return render(
        request,
        "web/chair/texts.html",
        {
            "congress": congress,
            "texts": congress.texts.all(),
            "form": TextForm(),
            "amend_url": request.build_absolute_uri(reverse("amend_start", args=[slug])),
        },
    )


def _text(request: HttpRequest, slug: str, text_id: int) -> CongressText:
    congress = chaired(request, slug)
    return get_object_or_404(
        CongressText.objects.select_related("congress"), congress=congress, pk=text_id
    )


# The workflow file's words (amendment-workflow.toml), for the translation catalogue.
STATES = {
    "tabled": gettext_lazy("tabled, waiting for the committee"),
    "recommended": gettext_lazy("the committee has recommended"),
    "withdrawn": gettext_lazy("withdrawn by its proposer"),
    "adopted": gettext_lazy("adopted by the hall"),
    "rejected": gettext_lazy("rejected by the hall"),
    "merged": gettext_lazy("merged into another amendment"),
    "done": gettext_lazy("written into a new version of the text"),
}
RECOMMENDATIONS = {
    "adopt": gettext_lazy("adopt as tabled"),
    "adopt_modified": gettext_lazy("adopt in the committee's wording"),
    "reject": gettext_lazy("reject"),
    "merged": gettext_lazy("merged with another amendment"),
}


def _state_name(state: str) -> str:
    return str(STATES.get(state, am.workflow()["states"].get(state, state)))


@login_required
def text_detail(request: HttpRequest, slug: str, text_id: int) -> HttpResponse:
    text = _text(request, slug, text_id)
    versions = list(text.versions.order_by("number"))
    shown = []
    for before, after in zip([None, *versions], versions, strict=False):
        shown.append(
            {
                "version": after,
                "diff": am.diff_html(before.body, after.body) if before else None,
                "paragraphs": am.paragraphs(after.body),
                # The first version's note is the service's word "draft"; later ones are
                # sentences written in the language of whoever merged them.
                "note": _("draft") if after.note == "draft" else after.note,
            }
        )
    rows = []
    for a in Amendment.objects.filter(text=text).select_related("by_delegate__member", "by_group"):
        rows.append(
            {
                "amendment": a,
                "state": _state_name(a.state),
                "by": delegate_label(a.by_delegate)
                if a.by_delegate
                else (a.by_group.name if a.by_group else "—"),
                "recommendation": str(RECOMMENDATIONS.get(a.recommendation, a.recommendation)),
            }
        )
    return render(
        request,
        "web/chair/text.html",
        {
            "congress": text.congress,
            "text": text,
            "versions": list(reversed(shown)),
            "rows": rows,
            "recommend_form": RecommendForm(),
            "merge_form": MergeForm(),
            "order_form": OrderForm(),
            "decide_form": DecideForm(),
            "adopted_waiting": Amendment.objects.filter(
                text=text, state="adopted", version=am.latest(text).number
            ).exists(),
        },
    )


def _amendment(request: HttpRequest, slug: str, text_id: int, number: int) -> Amendment:
    text = _text(request, slug, text_id)
    return get_object_or_404(Amendment.objects.select_related("text"), text=text, number=number)


def _back(text: CongressText | Any) -> HttpResponse:
    return redirect("chair_text", slug=text.congress.slug, text_id=text.pk)


@login_required
@require_POST
def amendment_recommend(request: HttpRequest, slug: str, text_id: int, number: int) -> HttpResponse:
    amendment = _amendment(request, slug, text_id, number)
    form = RecommendForm(request.POST)
    if form.is_valid():
        try:
            am.do_recommend(
                amendment,
                form.cleaned_data["recommendation"],
                wording=form.cleaned_data["wording"],
                acting_user=request.user,
            )
        except REFUSED as error:
            messages.error(request, str(error))
    else:
        form_errors(request, form)
    return _back(amendment.text)


@login_required
@require_POST
def amendment_merge(request: HttpRequest, slug: str, text_id: int, number: int) -> HttpResponse:
    amendment = _amendment(request, slug, text_id, number)
    form = MergeForm(request.POST)
    if form.is_valid():
        other = Amendment.objects.filter(
            text=amendment.text, number=form.cleaned_data["into"]
        ).first()
        if other is None:
            messages.error(request, _("There is no amendment with this number."))
        else:
            try:
                am.do_merge_into(amendment, other, acting_user=request.user)
            except REFUSED as error:
                messages.error(request, str(error))
    else:
        form_errors(request, form)
    return _back(amendment.text)


@login_required
@require_POST
def amendment_decide(request: HttpRequest, slug: str, text_id: int, number: int) -> HttpResponse:
    """The hall's decision, when it was taken without a vote in Kenes (a show of hands)."""
    amendment = _amendment(request, slug, text_id, number)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            am.do_decide(amendment, form.cleaned_data["adopted"], acting_user=request.user)
        except REFUSED as error:
            messages.error(request, str(error))
    else:
        form_errors(request, form)
    return _back(amendment.text)


@login_required
@require_POST
def text_order(request: HttpRequest, slug: str, text_id: int) -> HttpResponse:
    text = _text(request, slug, text_id)
    form = OrderForm(request.POST)
    if form.is_valid():
        try:
            am.do_set_order(text, form.cleaned_data["numbers"], acting_user=request.user)
        except REFUSED as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The order of the votes is set."))
    else:
        form_errors(request, form)
    return _back(text)


@login_required
@require_POST
def text_merge_adopted(request: HttpRequest, slug: str, text_id: int) -> HttpResponse:
    """Write the adopted amendments into a new version (sent twice: the second finds none
    waiting and says so)."""
    text = _text(request, slug, text_id)
    try:
        merged = am.do_merge_adopted(text, acting_user=request.user)
    except REFUSED as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Version %(n)s was written.") % {"n": merged.version.number})
    return _back(text)


# The delegates' page (no account) ------------------------------------------------------


def _open_texts(congress: Congress) -> list[CongressText]:
    now = timezone.now()
    if congress.status == Status.CLOSED:
        return []
    return [
        t for t in congress.texts.all() if t.amendments_until is None or t.amendments_until >= now
    ]


def amend_start(request: HttpRequest, slug: str) -> HttpResponse:
    congress = get_object_or_404(Congress, slug=slug)
    return render(
        request,
        "web/chair/amend_start.html",
        {"congress": congress, "texts": _open_texts(congress)},
    )


def amend_text(request: HttpRequest, slug: str, text_id: int) -> HttpResponse:
    congress = get_object_or_404(Congress, slug=slug)
    text = get_object_or_404(CongressText, congress=congress, pk=text_id)
    version = am.latest(text)
    parts = am.paragraphs(version.body)
    form = TableForm(request.POST or None, paragraphs=parts)
    address = throttle.client_address(request)
    if request.method == "POST":
        minutes = throttle.wait_minutes(address)
        if minutes:
            return _throttled(request, congress, minutes)
        if form.is_valid():
            data = form.cleaned_data
            if by_badge(congress, data["badge"]) is None:
                minutes = throttle.record_failure(address)
                if minutes:
                    return _throttled(request, congress, minutes)
                form.add_error(
                    "badge", _("This badge code is not one of this congress's delegates.")
                )
            else:
                try:
                    amendment = am.do_table(
                        text,
                        paragraph=data["paragraph"],
                        proposed=data["proposed"],
                        reason=data["reason"],
                        badge=data["badge"],
                        acting_user=None,
                    )
                except REFUSED as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        _("Your amendment is tabled as number %(n)s to “%(title)s”.")
                        % {"n": amendment.number, "title": text.title},
                    )
                    return redirect("amend_start", slug=congress.slug)
    return render(
        request,
        "web/chair/amend_text.html",
        {
            "congress": congress,
            "text": text,
            "version": version,
            "form": form,
            "open": text in _open_texts(congress),
        },
    )


def _throttled(request: HttpRequest, congress: Congress, minutes: int) -> HttpResponse:
    context = {"minutes": minutes, "back_url": reverse("amend_start", args=[congress.slug])}
    response = render(request, "web/codes/throttled.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
