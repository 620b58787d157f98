"""Congress pages: the list, a new congress, a congress (its rules, delegates by region
beside the seats shared out, open and close), seating delegates by IIN, and badges per
region. The door and the quorum panel are in kenes.web.views.congress_door.

Who may do what is decided by kenes.registry.scoping (SEE_CONGRESS, MANAGE_CONGRESS,
KEEP_DOOR, PRINT_BADGES); every change is a kenes.congress.services call. Badge codes are
shown once, on the page that answers the POST that made them, and stored only as hashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kenes.audit.services import record_standalone
from kenes.congress import services
from kenes.congress.eligibility import PROBLEMS
from kenes.congress.models import Congress, Delegate, Status
from kenes.congress.services import CongressError, Seated
from kenes.core.congress.badge import badge_qr_svg
from kenes.core.seats import ApportionmentError
from kenes.parliament.delegates import apportion_delegates
from kenes.registry.models import Member
from kenes.registry.scoping import Action, can, delegate_regions_seen_by
from kenes.registry.services import find_members_by_iin
from kenes.security.keys import Sealed
from kenes.security.sealing import fingerprint
from kenes.web import labels
from kenes.web.congress_words import rule_lines
from kenes.web.forms_congress import ApportionForm, BadgesForm, CongressForm, SeatForm
from kenes.web.forms_elections import ConfirmForm
from kenes.web.views.common import page_of
from kenes.web.views.congress_door import congress_for, quorum_context

# The list and a new congress -------------------------------------------------------------


@login_required
def congress_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.SEE_CONGRESS):
        raise PermissionDenied
    page = page_of(request, Congress.objects.select_related("kind"))
    rows = [{"congress": c, "kind": c.kind.label} for c in page.object_list]
    return render(
        request,
        "web/congress/list.html",
        {
            "page": page,
            "rows": rows,
            "may_create": can(request.user, Action.MANAGE_CONGRESS),
        },
    )


@login_required
def congress_add(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.MANAGE_CONGRESS):
        raise PermissionDenied
    form = CongressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            congress = services.do_create_congress(
                slug=data["slug"],
                title=data["title"],
                kind=data["kind"],
                standing_on=data["standing_on"],
                starts_at=data["starts_at"],
                place=data["place"],
                acting_user=request.user,
            )
        except CongressError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” was created.") % {"title": congress.title})
            return redirect("congress_detail", slug=congress.slug)
    return render(request, "web/congress/add.html", {"form": form})


# A congress ------------------------------------------------------------------------------


@dataclass
class RegionRow:
    code: str
    name: str
    seated: int = 0
    eligible: int = 0
    flagged: int = 0
    present: int = 0
    apportioned: int | None = None
    delegates: list[dict[str, Any]] = field(default_factory=list)
    shown: bool = False  # the user sees this region's delegates by name
    may_print: bool = False


def _apportionment(request: HttpRequest, seated: int) -> tuple[ApportionForm, dict[str, int]]:
    """Seats per region shared out by members in good standing (shown, not enforced)."""
    default = {"seats": str(seated or 100)}
    form = ApportionForm({**default, **request.GET.dict()})
    if not form.is_valid():
        return form, {}
    try:
        result = apportion_delegates(form.cleaned_data["seats"], by="region")
    except (ApportionmentError, Sealed):
        return form, {}
    return form, dict(result.delegates)


def _names(member_ids: list[int]) -> dict[int, str]:
    return dict(
        Member.objects.filter(pk__in=member_ids)
        .only("pk", "full_name")
        .values_list("pk", "full_name")
    )


def region_rows(request: HttpRequest, congress: Congress) -> tuple[list[RegionRow], ApportionForm]:
    user = request.user
    seen = delegate_regions_seen_by(user)
    delegates = list(
        Delegate.objects.filter(congress=congress).values(
            "pk", "member_id", "region_code", "problems", "checked_on", "present"
        )
    )
    form, seats = _apportionment(request, len(delegates))
    rows: dict[str, RegionRow] = {}
    for code in {*seats, *(d["region_code"] for d in delegates)}:
        rows[code] = RegionRow(
            code=code,
            name=labels.region_name(code),
            apportioned=seats.get(code),
            shown=seen is None or code in seen,
            may_print=can(user, Action.PRINT_BADGES, code),
        )
    named = [d for d in delegates if rows[d["region_code"]].shown]
    names = _names([d["member_id"] for d in named]) if named else {}
    for d in delegates:
        row = rows[d["region_code"]]
        row.seated += 1
        eligible = d["checked_on"] is not None and not d["problems"]
        row.eligible += eligible
        row.flagged += not eligible
        row.present += d["present"]
        if row.shown:
            row.delegates.append(
                {
                    "name": names.get(d["member_id"], ""),
                    "problems": [str(PROBLEMS.get(p, p)) for p in d["problems"]],
                    "checked_on": d["checked_on"],
                    "present": d["present"],
                }
            )
    if named:
        record_standalone(
            "member.list",
            acting_user=user,
            target_type="congress",
            target_id=congress.pk,
            detail={"count": len(named)},
        )
    for row in rows.values():
        row.delegates.sort(key=lambda d: d["name"])
    return sorted(rows.values(), key=lambda r: r.name), form


@login_required
def congress_detail(request: HttpRequest, slug: str) -> HttpResponse:
    congress = congress_for(request, slug, Action.SEE_CONGRESS)
    regions, apportion_form = region_rows(request, congress)
    manage = can(request.user, Action.MANAGE_CONGRESS)
    printable = [r.code for r in regions if r.may_print and r.seated]
    return render(
        request,
        "web/congress/detail.html",
        {
            **quorum_context(congress),
            "panel": "page",
            "kind": congress.kind.label,
            "rules": rule_lines(congress),
            "regions": regions,
            "apportion_form": apportion_form,
            "manage": manage and congress.status != Status.CLOSED,
            "may_open": manage and congress.status == Status.PLANNED,
            "may_close": manage and congress.status == Status.OPEN,
            "keep_door": can(request.user, Action.KEEP_DOOR) and congress.status != Status.CLOSED,
            "seat_form": SeatForm(),
            "badges_form": BadgesForm(regions=printable) if printable else None,
            "closed": congress.status == Status.CLOSED,
            "chair": can(request.user, Action.CHAIR_CONGRESS),
        },
    )


def _confirmed(request: HttpRequest) -> bool:
    if ConfirmForm(request.POST).is_valid():
        return True
    messages.error(request, _("Tick the box to confirm, then press the button again."))
    return False


def _move(request: HttpRequest, slug: str, step: Any, done: str) -> HttpResponse:
    """Open or close, behind the ticked box; the service's refusal as the message."""
    congress = congress_for(request, slug, Action.MANAGE_CONGRESS)
    if _confirmed(request):
        try:
            step(congress, acting_user=request.user)
        except CongressError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
    return redirect("congress_detail", slug=congress.slug)


@login_required
@require_POST
def congress_open(request: HttpRequest, slug: str) -> HttpResponse:
    return _move(request, slug, services.do_open, _("The congress is open."))


@login_required
@require_POST
def congress_close(request: HttpRequest, slug: str) -> HttpResponse:
    return _move(request, slug, services.do_close, _("The congress is closed."))


@login_required
@require_POST
def congress_check(request: HttpRequest, slug: str) -> HttpResponse:
    congress = congress_for(request, slug, Action.MANAGE_CONGRESS)
    counts = services.do_check_eligibility(congress, acting_user=request.user)
    if counts:
        found = "; ".join(f"{PROBLEMS.get(code, code)}: {n}" for code, n in sorted(counts.items()))
        messages.warning(
            request, _("Checked again. Delegates who may not sit: %(found)s.") % {"found": found}
        )
    else:
        messages.success(request, _("Checked again: every delegate may sit."))
    return redirect("congress_detail", slug=congress.slug)


def _badges(congress: Congress, seated: list[Seated]) -> list[dict[str, Any]]:
    """What each printed badge shows (name, region, congress, short code, QR code)."""
    names = _names([s.delegate.member_id for s in seated])
    badges = [
        {
            "name": names.get(s.delegate.member_id, ""),
            "region": labels.region_name(s.delegate.region_code),
            "code": s.badge_code,
            "qr": mark_safe(badge_qr_svg(s.badge_code)),  # noqa: S308 - segno's SVG of our code
            "problems": [str(PROBLEMS.get(p, p)) for p in s.delegate.problems],
        }
        for s in seated
    ]
    badges.sort(key=lambda b: (b["region"], b["name"]))
    return badges


@never_cache
@login_required
def congress_seat(request: HttpRequest, slug: str) -> HttpResponse:
    """Seat members as delegates by IIN (looked up within the officer's scope); the answer
    shows the new delegates' badges once, ready to print."""
    congress = congress_for(request, slug, Action.MANAGE_CONGRESS)
    if request.method != "POST":
        return redirect("congress_detail", slug=congress.slug)
    form = SeatForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("iins", []):
            messages.error(request, error)
        return redirect("congress_detail", slug=congress.slug)
    found: dict[int, Member] = {}
    unknown: list[str] = []
    for iin in form.cleaned_data["iins"]:
        members = find_members_by_iin(iin, acting_user=request.user)
        if not members:
            unknown.append(iin)
        for member in members:
            found[member.pk] = member
    record_standalone(
        "member.list",
        acting_user=request.user,
        target_type="congress",
        target_id=congress.pk,
        detail={
            "query": {"iin": ["fp:" + fingerprint(i) for i in form.cleaned_data["iins"][:20]]},
            "count": len(found),
        },
    )
    already = set(
        Delegate.objects.filter(congress=congress, member_id__in=list(found)).values_list(
            "member_id", flat=True
        )
    )
    try:
        seated = services.do_add_delegates(congress, found.values(), acting_user=request.user)
    except CongressError as error:
        messages.error(request, str(error))
        return redirect("congress_detail", slug=congress.slug)
    return render(
        request,
        "web/congress/badges.html",
        {
            "congress": congress,
            "badges": _badges(congress, seated),
            "seated": len(seated),
            "flagged": sum(1 for s in seated if s.delegate.problems),
            "already": len(already),
            "unknown": unknown,
            "after_seating": True,
        },
    )


@never_cache
@login_required
def congress_badges(request: HttpRequest, slug: str) -> HttpResponse:
    """New codes for a region's delegates not in the hall, on a page to print at once."""
    congress = congress_for(request, slug, Action.SEE_CONGRESS)
    if request.method != "POST":
        return redirect("congress_detail", slug=congress.slug)
    regions = list(
        Delegate.objects.filter(congress=congress)
        .values_list("region_code", flat=True)
        .distinct()
        .order_by("region_code")
    )
    form = BadgesForm(
        request.POST, regions=[r for r in regions if can(request.user, Action.PRINT_BADGES, r)]
    )
    if not can(request.user, Action.PRINT_BADGES, request.POST.get("region", "")):
        raise PermissionDenied
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("congress_detail", slug=congress.slug)
    region = form.cleaned_data["region"]
    try:
        seated = services.do_new_badges_for_region(congress, region, acting_user=request.user)
    except CongressError as error:
        messages.error(request, str(error))
        return redirect("congress_detail", slug=congress.slug)
    return render(
        request,
        "web/congress/badges.html",
        {
            "congress": congress,
            "badges": _badges(congress, seated),
            "region": labels.region_name(region),
            "after_seating": False,
        },
    )
