"""Logging in and out (Django's views, Kenes' templates; django-axes locks out guessers),
and two-step login for officers (kenes.web.twostep)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from kenes.audit import services as audit
from kenes.registry import accounts
from kenes.registry.scoping import is_trustee
from kenes.security.keys import Sealed
from kenes.web import twostep
from kenes.web.forms_officers import OwnPasswordForm
from kenes.web.middleware import PASSWORD_TO_CHANGE


class LoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy(
            "Only if you turned on two-step login with an app. With a passkey or security "
            "key, leave it empty: it is asked for next."
        ),
    )

    #: the password was right and the officer has a passkey: the second step comes next
    second_step_due = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is None:
            return cleaned
        device = twostep.confirmed_device(user)
        passkey = twostep.has_passkey(user)
        code = cleaned.get("otp_token") or ""
        if device is not None and (code.strip() or not passkey):
            try:
                problem = twostep.check_code(device, code)
            except Sealed:
                if passkey:  # the key still works while sealed
                    self.second_step_due = True
                    return cleaned
                raise forms.ValidationError(twostep.sealed_sentence(), code="sealed") from None
            if problem:
                if code.strip():
                    twostep.do_record_second_step(user, method=twostep.APP, passed=False)
                raise forms.ValidationError(problem, code="otp")
            user.otp_device = device
        elif passkey:
            self.second_step_due = True
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        one_time = accounts.is_one_time_password(form.cleaned_data.get("password") or "")
        if form.second_step_due:
            # no login yet: the session only remembers who gave the right password
            twostep.start_pending(
                self.request, form.get_user(), one_time=one_time, next_url=self.get_success_url()
            )
            return redirect("second_step")
        response = super().form_valid(form)
        device = getattr(form.get_user(), "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
            twostep.do_record_second_step(form.get_user(), method=twostep.APP, passed=True)
        if one_time:
            # The password an admin handed over: replaced before anything else opens.
            self.request.session[PASSWORD_TO_CHANGE] = True
            return redirect("password_change")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        cooloff = settings.AXES_COOLOFF_TIME
        context["lockout_minutes"] = (
            round(cooloff.total_seconds() / 60)
            if isinstance(cooloff, datetime.timedelta)
            else round(float(cooloff) * 60)
        )
        return context


def finish_login(request: HttpRequest, user: Any, device: Any) -> str:
    """The second step passed: log the officer in, verified by that device; where to go."""
    state = twostep.pending(request) or {}
    request.session.pop(twostep.PENDING, None)
    auth_login(request, user, backend=state.get("backend") or None)
    otp_login(request, device)
    if state.get("one_time"):
        request.session[PASSWORD_TO_CHANGE] = True
        return str(reverse("password_change"))
    return str(state.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))


@never_cache
def second_step(request: HttpRequest) -> HttpResponse:
    """After the right password: a passkey (kenes.web.views.passkeys) or the app's code."""
    user = twostep.pending_user(request)
    if user is None:
        request.session.pop(twostep.PENDING, None)
        messages.info(request, _("Log in again: the second step was not taken in time."))
        return redirect("login")
    device = twostep.confirmed_device(user)
    error = None
    if request.method == "POST" and device is not None:
        try:
            error = twostep.check_code(device, request.POST.get("code", ""))
        except Sealed:
            error = twostep.sealed_sentence()
        else:
            if error is None:
                twostep.do_record_second_step(user, method=twostep.APP, passed=True)
                return redirect(finish_login(request, user, device))
            if request.POST.get("code", "").strip():
                twostep.do_record_second_step(user, method=twostep.APP, passed=False)
    context = {
        "device": device,
        "has_passkey": twostep.has_passkey(user),
        "sealed": not twostep.can_open_secrets(),
        "error": error,
        "passkey_config": passkey_config(request, register=False),
    }
    return render(request, "web/second_step.html", context, status=400 if error else 200)


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def two_step(request: HttpRequest) -> HttpResponse:
    """The account's second steps: the app's code on (scan, confirm) or off (confirm with a
    code), and passkeys or security keys added or removed."""
    user = request.user
    if not twostep.can_open_secrets():
        error = twostep.sealed_sentence() if request.method == "POST" else None
        return _two_step_page(request, error=error, sealed=True)
    device = twostep.confirmed_device(user)
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        if device is not None:
            error = twostep.check_code(device, code)
            if error is None:
                twostep.do_turn_off(acting_user=user)
                messages.success(request, _("Two-step login is off."))
                return redirect("two_step")
        else:
            pending = twostep.pending_device(user)
            error = twostep.check_code(pending, code)
            if error is None:
                twostep.do_turn_on(pending, acting_user=user)
                otp_login(request, pending)
                messages.success(request, _("Two-step login is on."))
                return redirect("two_step")
    return _two_step_page(request, error=error)


def _two_step_page(
    request: HttpRequest, *, error: str | None, sealed: bool = False
) -> HttpResponse:
    user = request.user
    device = twostep.confirmed_device(user)
    context: dict[str, Any] = {
        "device": device,
        "error": error,
        "sealed": sealed,
        "passkeys": twostep.passkeys(user),
        "is_trustee": is_trustee(user),
        "passkey_config": passkey_config(request, register=True),
    }
    if device is None and not sealed:
        pending = twostep.pending_device(user)
        context.update(qr=twostep.qr_data_uri(pending), secret=twostep.secret_text(pending))
    return render(request, "web/two_step.html", context)


def passkey_config(request: HttpRequest, *, register: bool) -> dict[str, Any]:
    """What django-otp-webauthn's script reads (a JSON block, not code: the CSP allows it)."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginAuthenticationUrl": reverse("passkey_login_begin"),
        "completeAuthenticationUrl": reverse("passkey_login_complete"),
        "beginRegistrationUrl": reverse("passkey_add_begin"),
        "completeRegistrationUrl": reverse("passkey_add_complete"),
    }


@login_required
@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if twostep.do_remove_passkey(pk, acting_user=request.user):
        messages.success(request, _("The key is removed: it no longer logs you in."))
    else:
        messages.error(request, _("There is no such key on your account."))
    return redirect("two_step")


class PasswordChangeView(auth_views.PasswordChangeView):
    """An officer replaces the first password the admin handed over (audited).

    After a login with a one-time password (kenes.registry.accounts) this is the only page
    that opens (kenes.web.middleware.PasswordChangeRequiredMiddleware) until it is done.
    """

    template_name = "web/password_change.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("two_step")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["required"] = bool(self.request.session.get(PASSWORD_TO_CHANGE))
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(
                "account.change_password",
                acting_user=self.request.user,
                target_type="user",
                target_id=self.request.user.get_username(),
            )
        self.request.session.pop(PASSWORD_TO_CHANGE, None)
        messages.success(self.request, _("Your password is changed."))
        return response


#: The texts django-otp-webauthn's scripts show (they call a global ``gettext``).
PASSKEY_TEXTS = [
    gettext_noop("An error occurred during registration."),
    gettext_noop("An error occurred during verification."),
    gettext_noop("Finishing registration..."),
    gettext_noop("Finishing verification..."),
    gettext_noop("Register a Passkey"),
    gettext_noop("Registering..."),
    gettext_noop("Registration aborted or not allowed."),
    gettext_noop("Registration aborted."),
    gettext_noop("Registration failed. A server error occurred."),
    gettext_noop(
        "Registration failed. A technical problem occurred that prevents you from "
        "registering a Passkey for this site."
    ),
    gettext_noop("Registration failed. An unknown error occurred."),
    gettext_noop("Registration failed. The server was unable to verify this passkey."),
    gettext_noop("Registration failed. Unable to fetch registration options from server."),
    gettext_noop(
        "Registration failed. You most likely already have a Passkey registered for this site."
    ),
    gettext_noop("Registration successful!"),
    gettext_noop("Verification aborted."),
    gettext_noop("Verification canceled or not allowed."),
    gettext_noop("Verification failed. A server error occurred."),
    gettext_noop("Verification failed. An unknown error occurred."),
    gettext_noop("Verification failed. An unknown server error occurred."),
    gettext_noop("Verification failed. Could not retrieve parameters from the server."),
    gettext_noop("Verification successful!"),
    gettext_noop("Verify with Passkey"),
    gettext_noop("Verifying..."),
]


def passkey_texts(request: HttpRequest) -> HttpResponse:
    """Those texts in the reader's language, as a script from this host (no inline code:
    the Content-Security-Policy allows scripts from 'self' only)."""
    texts = json.dumps({text: _(text) for text in PASSKEY_TEXTS}, ensure_ascii=False)
    body = (
        "(function () {\n  var texts = " + texts + ";\n"
        "  window.gettext = function (text) { return texts[text] || text; };\n})();\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
