"""Passkeys and security keys (WebAuthn), through django-otp-webauthn's ceremony views.

Adding a key needs a signed-in officer (and, if they already have a second step, a session
verified by it: the library refuses otherwise); the new key and its audit row are written
in one transaction. Logging in with a key is the second step after the password: the
officer is not logged in until the key's signature is verified here, against the public key
stored at registration (kenes.web.twostep, docs/custody.md). Passwordless login is off.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library

from kenes.web import twostep
from kenes.web.views.accounts import finish_login


def refusal_sentence(code: str, *, adding: bool) -> str:
    """The library's refusals (English, by code) as one sentence in the reader's language."""
    if code == "no_login_under_way":
        return _("Log in again: give your user name and password first.")
    if code == "invalid_state":
        return _("Start again: press the button once more.")
    if code == "user_not_verified":
        return _("Log in with the code from your app first, then add a key.")
    if code in {"credential_not_found", "credential_user_mismatch"}:
        return _("This key is not one of your account's keys: use a key you added to it.")
    if code in {"credential_disabled", "user_disabled"}:
        return _("This account or key is switched off: ask the national admin.")
    if adding:
        return _("This key could not be added: try again, or use another key.")
    return _("This key's answer could not be verified: try again with a key of your account.")


class _Sentences:
    adding = False

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            return JsonResponse(
                {"detail": refusal_sentence(exc.code, adding=self.adding), "code": exc.code},
                status=exc.status_code,
            )
        raise exc


class PasskeyAddBegin(_Sentences, library.BeginCredentialRegistrationView):
    adding = True


class PasskeyAddComplete(_Sentences, library.CompleteCredentialRegistrationView):
    adding = True

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().post(*args, **kwargs)
            if response.status_code == 200:
                credential = twostep.WebAuthnCredential.objects.get(
                    pk=_json(response)["id"], user=self.request.user
                )
                twostep.record_passkey_added(credential, acting_user=self.request.user)
        return response


class NoLoginUnderWay(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "no_login_under_way"

    def __init__(self) -> None:
        super().__init__(code="no_login_under_way")


class _SecondStep:
    """The officer is the one whose password was right a moment ago (kenes.web.twostep)."""

    request: HttpRequest

    def get_user(self) -> Any:
        return twostep.pending_user(self.request)

    def check_can_authenticate(self) -> None:
        if self.get_user() is None:
            raise NoLoginUnderWay


class PasskeyLoginBegin(_Sentences, _SecondStep, library.BeginCredentialAuthenticationView):
    pass


class PasskeyLoginComplete(_Sentences, _SecondStep, library.CompleteCredentialAuthenticationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.get_user()
        try:
            return super().post(*args, **kwargs)
        except exceptions.OTPWebAuthnApiError:
            twostep.do_record_second_step(user, method=twostep.PASSKEY, passed=False)
            raise

    def complete_auth(self, device: Any) -> None:
        twostep.do_record_second_step(device.user, method=twostep.PASSKEY, passed=True)
        self._next = finish_login(self.request, device.user, device)

    def get_success_url(self) -> str:
        return self._next


def _json(response: HttpResponse) -> dict[str, Any]:
    return dict(json.loads(response.content))


passkey_add_begin = never_cache(PasskeyAddBegin.as_view())
passkey_add_complete = never_cache(PasskeyAddComplete.as_view())
passkey_login_begin = never_cache(PasskeyLoginBegin.as_view())
passkey_login_complete = never_cache(PasskeyLoginComplete.as_view())

__all__ = [
    "passkey_add_begin",
    "passkey_add_complete",
    "passkey_login_begin",
    "passkey_login_complete",
]
