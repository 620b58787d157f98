"""A member's own data, opened with their personal data code (no account), and the officers'
page of the corrections members ask for (kenes.participation.my_data; docs/my-data.md).

The member's pages are private like the voter's (`vote.private`: never cached, the address
never a referrer to another host) and work without JavaScript. The code is only ever sent in
a POST body: a personal link carries it after "#", which browsers never send. A wrong code
is counted against the client's address like a wrong vote code (the same throttle and
"too many wrong codes" page); a right code always works.

While the server is sealed these pages answer the one sentence of kenes.web.sealed before
anything else: no code is looked up, nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kenes.participation import my_data
from kenes.participation.models import CorrectionState
from kenes.registry.models import ConstituentGroup, Member, MemberStatus
from kenes.registry.scoping import Action, can, data_requests_for, import_groups_for, in_group
from kenes.registry.services import find_members_by_iin
from kenes.security.keys import field_keys
from kenes.web import labels
from kenes.web.my_data_votes import votes_of
from kenes.web.views.codes import hand_out, refuse_code
from kenes.web.views.vote import private

CODE_FIELD = "my-data-code"


def _unsealed() -> None:
    """Raise `Sealed` (the middleware's one sentence, 503) if the field keys are not here."""
    field_keys()


def _code(request: HttpRequest) -> str:
    return str(request.POST.get("code", ""))[:64]


def _wrong_code(request: HttpRequest, code: str) -> HttpResponse:
    sentence = _(
        "This code does not open anyone's data. Check it against your slip and type it again; "
        "a vote's code does not open this page."
    )
    return refuse_code(
        request,
        "my_data",
        lambda: render(
            request, "web/my_data/start.html", {"code": code, "error": sentence}, status=400
        ),
    )


def _record_context(member_id: int, code: str) -> dict[str, Any]:
    record = my_data.read_own_record(member_id)
    member: Member = record.member
    looks = [
        {"label": labels.audit_action(item.action), "count": item.count, "days": item.days}
        for item in record.officers_looks
    ]
    corrections = [
        {
            "field": my_data.field_name(item.field),
            "value": item.value,
            "state": item.state,
            "state_label": CorrectionState(item.state).label,
            "reason": item.reason or "",
            "created_at": item.created_at,
            "handled_at": item.handled_at,
        }
        for item in record.corrections
    ]
    return {
        "code": code,
        "member": member,
        "full_name": member.full_name,
        "iin": my_data.mask_iin(member.iin),
        "region": labels.region_name(member.region_code),
        "status": MemberStatus(member.status).label if member.status else "",
        "consent_method": labels.consent_method(member.consent_method),
        "groups": record.groups,
        "votes": votes_of(member_id, record.codes),
        "looks": looks,
        "own_looks": record.own_looks,
        "corrections": corrections,
        "fields": my_data.field_choices(),
    }


@private
@require_http_methods(["GET", "POST"])
def my_data_start(request: HttpRequest) -> HttpResponse:
    """Type the personal data code; a right code shows the member's data at once."""
    _unsealed()
    if request.method == "GET":
        return render(request, "web/my_data/start.html", {"code": ""})
    code = _code(request)
    member_id = my_data.member_for_code(code)
    if member_id is None:
        return _wrong_code(request, code)
    return render(request, "web/my_data/record.html", _record_context(member_id, code))


@private
@require_POST
def my_data_correction(request: HttpRequest) -> HttpResponse:
    """Ask for a correction; the code comes again with the form (the member has no session)."""
    _unsealed()
    code = _code(request)
    member_id = my_data.member_for_code(code)
    if member_id is None:
        return _wrong_code(request, code)
    field = str(request.POST.get("field", ""))[:32]
    value = str(request.POST.get("value", ""))[:1000]
    note = str(request.POST.get("note", ""))[:2000]
    try:
        my_data.do_request_correction(member_id, field, value, note)
    except ValidationError as error:
        context = {
            "code": code,
            "fields": my_data.field_choices(),
            "error": " ".join(error.messages),
            "field": field,
            "value": value,
            "note": note,
        }
        return render(request, "web/my_data/correction.html", context, status=400)
    # POST, redirect, GET: reloading the answer asks nothing again.
    response = HttpResponseRedirect(reverse("my_data_sent"))
    response.status_code = 303
    return response


@private
@require_http_methods(["GET"])
def my_data_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/my_data/sent.html")


# The officers' page ---------------------------------------------------------------------


def _issue_groups(user: Any) -> list[ConstituentGroup]:
    """Groups whose members' data codes `user` may hand out: a national admin's every group,
    a group coordinator's own (the members themselves are scoped by `data_requests_for`)."""
    if not can(user, Action.ANSWER_DATA_REQUESTS):
        return []
    return list(import_groups_for(user).order_by("name"))


def _shown(field: str, value: Any) -> str:
    """A record's value as the officer reads it (a date day first, a region by name)."""
    if value in (None, ""):
        return "—"
    if field == "birth_date":
        return value.strftime("%d.%m.%Y")
    if field == "region":
        return labels.region_name(value)
    return str(value)


def _written(field: str, typed: str) -> str:
    """What applying would write, or the sentence saying why it cannot."""
    try:
        return _shown(field, my_data.check_correction(field, typed))
    except ValidationError as error:
        return " ".join(error.messages)


@login_required
@require_http_methods(["GET"])
def data_requests(request: HttpRequest) -> HttpResponse:
    """The open correction requests of the members whose requests the officer answers."""
    shown = my_data.read_requests(request.user)
    items = [
        {
            "request": item,
            "member": item.member,
            "full_name": item.member.full_name,
            "field": my_data.field_name(item.field),
            "value": item.value,
            "note": item.note or "",
            "now": _shown(item.field, getattr(item.member, my_data.CORRECTABLE[item.field])),
            "written": _written(item.field, item.value),
        }
        for item in shown
    ]
    context = {"items": items, "groups": _issue_groups(request.user)}
    return render(request, "web/my_data/requests.html", context)


@login_required
@require_POST
def data_request_apply(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        my_data.do_apply_correction(request_id, acting_user=request.user)
    except ValidationError as error:
        for sentence in error.messages:
            messages.error(request, sentence)
    else:
        messages.success(request, _("Corrected: the member's record now holds the new value."))
    return redirect("data_requests")


@login_required
@require_POST
def data_request_refuse(request: HttpRequest, request_id: int) -> HttpResponse:
    reason = str(request.POST.get("reason", ""))[:2000]
    try:
        my_data.do_refuse_correction(request_id, reason, acting_user=request.user)
    except ValidationError as error:
        for sentence in error.messages:
            messages.error(request, sentence)
    else:
        messages.success(request, _("Refused; the member reads your reason on their page."))
    return redirect("data_requests")


@login_required
@require_POST
def data_codes_issue(request: HttpRequest) -> HttpResponse:
    """Personal data codes for the members of one group, or for one member found by IIN (a
    lost slip); each replaces the member's earlier data code. Handed out as slips and a codes
    file without phones."""
    if not can(request.user, Action.ANSWER_DATA_REQUESTS):
        raise PermissionDenied
    scope = data_requests_for(request.user)
    iin = str(request.POST.get("iin", "")).strip()[:20]
    if iin:
        found = [m.pk for m in find_members_by_iin(iin, acting_user=request.user)]
        members = scope.filter(pk__in=found)
        title, stem = _("Your data in the movement"), "my-data-code"
        nobody = _("No member whose requests you answer has this IIN; check it.")
    else:
        try:
            group_id = int(request.POST.get("group", ""))
        except ValueError:
            group_id = 0
        group = next((g for g in _issue_groups(request.user) if g.pk == group_id), None)
        if group is None:
            messages.error(request, _("Choose one of your groups."))
            return redirect("data_requests")
        members = in_group(scope, group)
        title = _("Your data in the movement: %(group)s") % {"group": group.name}
        stem = f"my-data-codes-{group.slug}"
        nobody = _("This group has no member whose record it keeps.")
    # Never phones in this codes file: a data code goes on paper, not through an SMS gateway
    # (docs/my-data.md), whatever the form sent.
    request.POST = request.POST.copy()
    request.POST.pop("phones", None)
    with transaction.atomic():
        issued = my_data.do_issue_data_codes(members.order_by("pk"), acting_user=request.user)
        if not issued:
            messages.error(request, nobody)
            return redirect("data_requests")
        return hand_out(
            request,
            issued,
            start="my_data",
            file_stem=stem,
            purpose=my_data.PURPOSE,
            title=title,
            slip_kind="my_data",
            back_url=reverse("data_requests"),
        )
