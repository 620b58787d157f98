"""Logging in and out (Django's views, Kenes' templates; django-axes locks out guessers)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

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
