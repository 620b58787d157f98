"""Logging in and out (Django's views, Kenes' templates; django-axes locks out guessers),
and two-step login for officers (kenes.web.twostep)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login

from kenes.audit import services as audit
from kenes.registry import accounts
from kenes.web import twostep
from kenes.web.forms_officers import OwnPasswordForm
from kenes.web.middleware import PASSWORD_TO_CHANGE


class LoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("Only if you turned on two-step login."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        device = twostep.confirmed_device(user) if user is not None else None
        if device is not None:
            problem = twostep.check_code(device, cleaned.get("otp_token") or "")
            if problem:
                raise forms.ValidationError(problem, code="otp")
            user.otp_device = device
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        device = getattr(form.get_user(), "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
        if accounts.is_one_time_password(form.cleaned_data.get("password") or ""):
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


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def two_step(request: HttpRequest) -> HttpResponse:
    """Turn two-step login on (scan, confirm with a code) or off (confirm with a code)."""
    user = request.user
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
    context: dict[str, Any] = {"device": device, "error": error}
    if device is None:
        pending = twostep.pending_device(user)
        context.update(qr=twostep.qr_data_uri(pending), secret=twostep.secret_text(pending))
    return render(request, "web/two_step.html", context)


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
