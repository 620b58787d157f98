"""Officers' accounts and roles: the national admin's page (no CLI needed).

Taking a role away, making a new password and switching an account off each ask first:
the button leads to a page that says what will happen, and only its own button (a plain
form, no JavaScript) carries `confirm=1` and acts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.registry import accounts
from kenes.registry.models import Role
from kenes.registry.scoping import Action, can
from kenes.registry.services import check_role, do_grant_role, do_revoke_role
from kenes.web import twostep
from kenes.web.forms_officers import OfficerForm, RoleForm


def _admin_only(request: HttpRequest) -> None:
    if not can(request.user, Action.MANAGE_ROLES):
        raise PermissionDenied


def _grant(form: OfficerForm | RoleForm, user: Any, acting_user: Any) -> None:
    data = form.cleaned_data
    do_grant_role(
        user,
        data["kind"],
        region_code=data.get("region") or "",
        group=data.get("group"),
        acting_user=acting_user,
    )


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "1"


def _ask(
    request: HttpRequest, *, question: str, consequence: str, button: str, keep: dict[str, str]
) -> HttpResponse:
    """The confirmation page: posts back to this same address with `keep` and confirm=1."""
    context = {
        "question": question,
        "consequence": consequence,
        "button": button,
        "keep": keep,
        "action": request.path,
    }
    return render(request, "web/officers/confirm.html", context)


def _once(request: HttpRequest, user: Any, password: str) -> HttpResponse:
    response = render(
        request, "web/officers/password.html", {"officer": user, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    User = get_user_model()
    form = OfficerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            # The role is checked before the account exists: no account without a role.
            check_role(data["kind"], region_code=data["region"] or "", group=data["group"])
            user, password = accounts.do_create_officer(data["username"], acting_user=request.user)
            _grant(form, user, request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _once(request, user, password)
    users = User.objects.order_by("username").prefetch_related("roles__group")
    with_two_step = twostep.users_with_two_step()
    rows = [(u, list(u.roles.all()), u.pk in with_two_step) for u in users]
    return render(
        request, "web/officers/list.html", {"rows": rows, "form": form, "role_form": RoleForm()}
    )


@login_required
@require_POST
def officer_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    _admin_only(request)
    user = get_object_or_404(get_user_model(), pk=user_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            _grant(form, user, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Role granted to %(u)s.") % {"u": user.get_username()})
    else:
        messages.error(request, _("Choose a role, and its region or group."))
    return redirect("officers")


@login_required
@require_POST
def officer_revoke(request: HttpRequest, role_id: int) -> HttpResponse:
    _admin_only(request)
    role = get_object_or_404(Role.objects.select_related("user", "group"), pk=role_id)
    name = role.user.get_username()
    if not _confirmed(request):
        return _ask(
            request,
            question=_("Take the role “%(role)s” away from %(u)s?")
            % {"role": role.get_kind_display(), "u": name},
            consequence=_("They lose what this role lets them see and do at their next page."),
            button=_("Take the role away"),
            keep={},
        )
    do_revoke_role(role, acting_user=request.user)
    messages.success(request, _("Role taken from %(u)s.") % {"u": name})
    return redirect("officers")


@login_required
@require_POST
def officer_password(request: HttpRequest, user_id: int) -> HttpResponse:
    _admin_only(request)
    user = get_object_or_404(get_user_model(), pk=user_id)
    if not _confirmed(request):
        return _ask(
            request,
            question=_("Make a new password for %(u)s?") % {"u": user.get_username()},
            consequence=_(
                "Their current password stops working at once. The new one is shown once; "
                "they must replace it with their own at their next login."
            ),
            button=_("Make a new password"),
            keep={},
        )
    return _once(request, user, accounts.do_reset_password(user, acting_user=request.user))


@login_required
@require_POST
def officer_active(request: HttpRequest, user_id: int) -> HttpResponse:
    _admin_only(request)
    user = get_object_or_404(get_user_model(), pk=user_id)
    active = request.POST.get("active") == "1"
    if not active and not _confirmed(request):  # switching back on harms nobody: no question
        return _ask(
            request,
            question=_("Switch off the account of %(u)s?") % {"u": user.get_username()},
            consequence=_(
                "They are logged out at their next page and cannot log in until an admin "
                "switches the account on again. Their roles stay as they are."
            ),
            button=_("Switch the account off"),
            keep={"active": "0"},
        )
    try:
        accounts.do_set_active(user, active, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if active:
            messages.success(request, _("%(u)s can log in again.") % {"u": user.get_username()})
        else:
            messages.success(request, _("%(u)s is switched off.") % {"u": user.get_username()})
    return redirect("officers")
