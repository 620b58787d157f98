"""Two-step login for officers: a time-based code (TOTP, RFC 6238) from an app.

An officer who turned it on must give the current code with the password.
Wrong codes slow further tries down (django-otp's throttling); turning it on
or off is audited. Secrets are made and checked by django-otp; the QR code is
drawn here as SVG, so nothing is fetched from another host.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.audit import services as audit


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def check_code(device: TOTPDevice, code: str) -> str | None:
    """None if the code is right; otherwise a sentence saying what to do."""
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        return _("Too many wrong codes. Wait a minute, then enter the code your app shows now.")
    cleaned = "".join(code.split())
    if not cleaned:
        return _("Enter the 6-digit code from your authenticator app.")
    if not device.verify_token(cleaned):
        return _("The code is wrong or has expired. Enter the code your app shows now.")
    return None


def pending_device(user: Any) -> TOTPDevice:
    """The device being set up (made once, so reloading the page keeps the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="app", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base-32, in groups of four, for apps without a camera."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def do_turn_on(device: TOTPDevice, *, acting_user: Any) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=acting_user).exclude(pk=device.pk).delete()
        audit.record(
            "account.two_step_on",
            acting_user=acting_user,
            target_type="user",
            target_id=acting_user.get_username(),
        )


def do_turn_off(*, acting_user: Any) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=acting_user).delete()
        audit.record(
            "account.two_step_off",
            acting_user=acting_user,
            target_type="user",
            target_id=acting_user.get_username(),
        )
