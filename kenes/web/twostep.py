"""Two-step login for officers: a code from an app (TOTP, RFC 6238), a passkey or a security
key (WebAuthn, django-otp-webauthn), after the password.

The app's secret is sealed under the field key (kenes.twostep.models): a copy of the
database does not let anyone make an officer's codes, and while the server is sealed no code
can be checked. A passkey is a public key: nothing to seal, so it works while sealed, and it
is how trustees reach the custody page to unseal from the web (docs/custody.md, "Logging in
while the server is sealed"). Passkeys are a second step only, never passwordless: the
password, its lockout and the one-time-password rule stay in front.

Turning the app on or off, adding or removing a key, and each second step passed or refused
are audited. Wrong codes slow further tries down (django-otp's throttling); the QR code is
drawn here as SVG, so nothing is fetched from another host.
"""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import segno
from cryptography.exceptions import InvalidTag
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from kenes.audit import services as audit
from kenes.security.keys import Sealed, current_key
from kenes.twostep.models import SealedTOTPDevice

PASSKEY = "passkey"
APP = "app"


# --- the app code (TOTP) ------------------------------------------------------------------


def confirmed_device(user: Any) -> SealedTOTPDevice | None:
    return SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()


def check_code(device: SealedTOTPDevice, code: str) -> str | None:
    """None if the code is right; otherwise a sentence saying what to do.

    Raises Sealed while the server is sealed (the secret cannot be opened)."""
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        return _("Too many wrong codes. Wait a minute, then enter the code your app shows now.")
    try:
        device.key  # noqa: B018  (raises Sealed before a try is counted against the officer)
    except InvalidTag:
        # the sealed secret is not this officer's (a row copied or changed in the database)
        return _(
            "The code from your app cannot be checked for this account: log in with a "
            "passkey, or ask the national admin for help."
        )
    cleaned = "".join(code.split())
    if not cleaned:
        return _("Enter the 6-digit code from your authenticator app.")
    if not device.verify_token(cleaned):
        return _("The code is wrong or has expired. Enter the code your app shows now.")
    device.reseal_if_old()
    return None


def sealed_sentence() -> str:
    return _(
        "The server is sealed, so the code from your app cannot be checked until the trustees "
        "unseal it. A passkey or security key still works."
    )


def can_open_secrets() -> bool:
    """False while the server is sealed (under custody): app codes cannot be made or checked."""
    try:
        current_key()
    except Sealed:
        return False
    return True


def pending_device(user: Any) -> SealedTOTPDevice:
    """The device being set up (made once, so reloading the page keeps the same secret)."""
    device = SealedTOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or SealedTOTPDevice.create_for(user, name="app", confirmed=False)


def qr_data_uri(device: SealedTOTPDevice) -> str:
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_text(device: SealedTOTPDevice) -> str:
    """The secret in base-32, in groups of four, for apps without a camera."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def do_turn_on(device: SealedTOTPDevice, *, acting_user: Any) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        SealedTOTPDevice.objects.filter(user=acting_user).exclude(pk=device.pk).delete()
        audit.record(
            "account.two_step_on",
            acting_user=acting_user,
            target_type="user",
            target_id=acting_user.get_username(),
        )


def do_turn_off(*, acting_user: Any) -> None:
    with transaction.atomic():
        SealedTOTPDevice.objects.filter(user=acting_user).delete()
        audit.record(
            "account.two_step_off",
            acting_user=acting_user,
            target_type="user",
            target_id=acting_user.get_username(),
        )


def users_with_two_step() -> set[int]:
    """Ids of officers with an app code or a passkey turned on (the officers page)."""
    found = set(SealedTOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    found.update(
        WebAuthnCredential.objects.filter(confirmed=True).values_list("user_id", flat=True)
    )
    return found


# --- passkeys and security keys (WebAuthn) ------------------------------------------------


def relying_party_id(request: HttpRequest) -> str:
    """The host the officer reached (ALLOWED_HOSTS vetted it), without the port."""
    host = request.get_host()
    if host.startswith("["):  # an IPv6 literal: WebAuthn refuses it anyway
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


class PasskeyHelper(WebAuthnHelper):
    """The browser's origin must be this request's own: scheme and host as served."""

    def get_allowed_origins(self) -> list[str]:
        return [f"{self.request.scheme}://{self.request.get_host()}"]


def passkeys(user: Any) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user).order_by("created_at", "pk"))


def has_passkey(user: Any) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def record_passkey_added(credential: WebAuthnCredential, *, acting_user: Any) -> None:
    """Called inside the transaction that saved the credential."""
    audit.record(
        "account.passkey_added",
        acting_user=acting_user,
        target_type="user",
        target_id=acting_user.get_username(),
        detail={"passkey": credential.pk},
    )


def do_remove_passkey(credential_id: int, *, acting_user: Any) -> bool:
    """Removes one of the officer's own keys; False if there is no such key of theirs."""
    with transaction.atomic():
        deleted, _rows = WebAuthnCredential.objects.filter(
            pk=credential_id, user=acting_user
        ).delete()
        if not deleted:
            return False
        audit.record(
            "account.passkey_removed",
            acting_user=acting_user,
            target_type="user",
            target_id=acting_user.get_username(),
            detail={"passkey": credential_id},
        )
    return True


# --- the second step at login ---------------------------------------------------------------

PENDING = "kenes_second_step"
"""Session key: the password was right, the second step is still to come (no login yet)."""

PENDING_SECONDS = 300


def do_record_second_step(user: Any, *, method: str, passed: bool) -> None:
    """One audit row for a second step passed or refused (the password was right)."""
    with transaction.atomic():
        audit.record(
            "account.second_step_passed" if passed else "account.second_step_refused",
            acting_user=user,
            target_type="user",
            target_id=user.get_username(),
            detail={"method": method},
        )


def start_pending(request: HttpRequest, user: Any, *, one_time: bool, next_url: str) -> None:
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "one_time": one_time,
        "next": next_url,
        "until": time.time() + PENDING_SECONDS,
    }


def pending(request: HttpRequest) -> dict[str, Any] | None:
    """The login waiting for its second step, if it has not expired."""
    state = request.session.get(PENDING)
    if not isinstance(state, dict) or float(state.get("until", 0)) < time.time():
        return None
    return state


def pending_user(request: HttpRequest) -> Any | None:
    state = pending(request)
    if state is None:
        return None
    return get_user_model().objects.filter(pk=state["user"], is_active=True).first()
