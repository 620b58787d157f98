"""Content-Security-Policy (nothing from any other host) and the onion service's address
for Tor Browser, the one-time password's required change, and required two-step login."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", POLICY)
        else:
            response.setdefault(
                "Content-Security-Policy",
                POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if settings.KENES_ONION_LOCATION and request.is_secure():
            # Tor Browser offers to switch to the onion service (it reads this over HTTPS only).
            location = settings.KENES_ONION_LOCATION.rstrip("/") + request.get_full_path()
            response.setdefault("Onion-Location", location)
        return response


PASSWORD_TO_CHANGE = "kenes_password_to_change"
"""Session key: this session logged in with a one-time password (kenes.registry.accounts)."""


class PasswordChangeRequiredMiddleware:
    """After a login with the one-time password an admin handed over (first login, or after
    a reset), the officer sees only the page that replaces it (and can log out or switch
    the language): the admin, or whoever saw the password on the way, cannot use it for
    anything but that. Set by the login view; cleared when the password is changed.
    Runs before two-step login is asked for: the password first, then the second step.
    """

    ALWAYS_OPEN = ("password_change", "logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:  # a voter: no session to read
            return self.get_response(request)
        if (
            request.session.get(PASSWORD_TO_CHANGE)
            and request.user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL or "/static/")
            and request.path not in {reverse(name) for name in self.ALWAYS_OPEN}
        ):
            messages.warning(
                request,
                _("Replace the password you were given with your own before you continue."),
            )
            return redirect("password_change")
        return self.get_response(request)


class TwoStepRequiredMiddleware:
    """With KENES_TWO_STEP=required, a signed-in officer whose session was not confirmed
    with a two-step code sees only the page that turns two-step login on (and can log out).

    Accounts in Kenes belong to officers only (members vote with codes), and an officer's
    password is what an adversary would phish or guess first. Voting, consultation and
    published-result pages need no account and are not affected.
    """

    ALWAYS_OPEN = (
        "two_step",
        "passkey_add_begin",
        "passkey_add_complete",
        "passkey_texts",
        "password_change",
        "logout",
        "set_language",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:  # nobody is signed in: a
            return self.get_response(request)  # voter's page skips loading the user
        user = getattr(request, "user", None)
        if (
            settings.KENES_TWO_STEP == "required"
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL or "/static/")
            and request.path not in {reverse(name) for name in self.ALWAYS_OPEN}
        ):
            messages.warning(
                request,
                _("This movement requires two-step login: turn it on to continue."),
            )
            return redirect("two_step")
        return self.get_response(request)
