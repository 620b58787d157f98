"""The door and the quorum panel of a congress. Both read nothing sealed: they work while
the server is sealed (badge codes are checked against keyed hashes under the service key;
the door's answer then leaves out the name it cannot read).

The door has one field for the badge code (a USB scanner types the QR code into it, then
Enter); after a POST the page is fetched again, so a reload does not send the code twice,
and a code sent twice records nothing the second time (kenes.congress.services).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kenes.congress import services
from kenes.congress.kinds import quorum_words
from kenes.congress.models import Congress, Status
from kenes.congress.services import CongressError
from kenes.registry.models import Member
from kenes.registry.scoping import Action, can
from kenes.security.keys import Sealed
from kenes.web import labels
from kenes.web.forms_congress import DoorForm

#: Seconds between two refreshes of the quorum panel (htmx polling; without JavaScript the
#: panel's own page reloads itself).
QUORUM_REFRESH_SECONDS = 3


def congress_for(request: HttpRequest, slug: str, action: Action) -> Congress:
    """The congress, 403 if the user may not do `action`, 404 if there is none."""
    if not can(request.user, action):
        raise PermissionDenied
    return get_object_or_404(Congress.objects.select_related("kind"), slug=slug)


def quorum_context(congress: Congress) -> dict[str, Any]:
    state = services.quorum(congress)
    return {
        "congress": congress,
        "quorum": state,
        "quorum_rule": quorum_words(congress.rules),
        "refresh_seconds": QUORUM_REFRESH_SECONDS,
    }


@login_required
def congress_quorum(request: HttpRequest, slug: str) -> HttpResponse:
    """The quorum panel alone: the fragment htmx polls, or (without htmx) a page that reloads
    itself, for a second screen at the door or in the hall."""
    congress = congress_for(request, slug, Action.SEE_CONGRESS)
    context = quorum_context(congress)
    if getattr(request, "htmx", False):
        shown = request.GET.get("panel")
        context["panel"] = shown if shown in ("alone", "door", "page") else "page"
        return render(request, "web/congress/_quorum.html", context)
    return render(request, "web/congress/quorum.html", {**context, "panel": "alone"})


# The door --------------------------------------------------------------------------------


def _door_answer(result: services.DoorResult, arriving: bool) -> str:
    try:
        name = Member.objects.only("pk", "full_name").get(pk=result.delegate.member_id).full_name
    except Sealed:
        name = _("a delegate")  # the server is sealed: the name cannot be read, the door works
    region = labels.region_name(result.delegate.region_code)
    if arriving:
        if result.changed:
            return _("%(name)s (%(region)s): checked in.") % {"name": name, "region": region}
        return _("%(name)s (%(region)s) is already in the hall: nothing changed.") % {
            "name": name,
            "region": region,
        }
    if result.changed:
        return _("%(name)s (%(region)s): checked out.") % {"name": name, "region": region}
    return _("%(name)s (%(region)s) is not in the hall: nothing changed.") % {
        "name": name,
        "region": region,
    }


@login_required
def congress_door(request: HttpRequest, slug: str) -> HttpResponse:
    """One field for the badge code; arrive (Enter) or leave; the answer in one line. After a
    POST the page is fetched again (a reload does not send the code twice; if it were sent
    twice, the second records nothing)."""
    congress = congress_for(request, slug, Action.KEEP_DOOR)
    if request.method == "POST":
        form = DoorForm(request.POST)
        arriving = request.POST.get("direction", "in") != "out"
        if form.is_valid():
            try:
                result = services.do_check_in(
                    congress,
                    form.cleaned_data["badge"],
                    arriving=arriving,
                    acting_user=request.user,
                )
            except CongressError as error:
                messages.error(request, str(error))
            else:
                answer = _door_answer(result, arriving)
                if result.changed:
                    messages.success(request, answer)
                else:
                    messages.info(request, answer)
        else:
            messages.error(request, _("Scan the badge or type its code, then press Enter."))
        return redirect("congress_door", slug=congress.slug)
    return render(
        request,
        "web/congress/door.html",
        {
            **quorum_context(congress),
            "panel": "door",
            "form": DoorForm(),
            "closed": congress.status == Status.CLOSED,
        },
    )
