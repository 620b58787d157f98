"""After a new field key is put first, app-code secrets move to it: at their next use, or all
at once (kenes.twostep.services, for `kenes rotate-keys`); then the old key can go."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp

from kenes.security.keys import current_key, new_key
from kenes.security.sealing import sealed_key_id
from kenes.twostep.models import SealedTOTPDevice
from kenes.twostep.services import do_reseal_app_secrets

pytestmark = pytest.mark.django_db


def _login(client, name: str, code: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("login"),
        {"username": name, "password": f"pw-{name}-long-enough", "otp_token": code},
    )


def test_a_secret_moves_to_the_newest_key_when_used_and_the_old_key_can_go(
    client, officers, settings
):
    old_keys = list(settings.KENES_FIELD_KEYS)
    device = SealedTOTPDevice.create_for(officers["group"], name="app", confirmed=True)
    old_id = sealed_key_id(device.sealed_key)
    secret = device.bin_key
    settings.KENES_FIELD_KEYS = [new_key(), *old_keys]
    newest = current_key().key_id
    assert newest != old_id
    assert _login(client, "group", f"{totp(secret):06d}").status_code == 302
    device.refresh_from_db()
    assert sealed_key_id(device.sealed_key) == newest
    settings.KENES_FIELD_KEYS = settings.KENES_FIELD_KEYS[:1]  # the old key dropped
    assert device.bin_key == secret


def test_all_secrets_move_at_once(officers, settings):
    old_keys = list(settings.KENES_FIELD_KEYS)
    secrets = {
        name: SealedTOTPDevice.create_for(officers[name], name="app", confirmed=True).bin_key
        for name in ("group", "auditor")
    }
    settings.KENES_FIELD_KEYS = [new_key(), *old_keys]
    assert do_reseal_app_secrets() == 2
    assert do_reseal_app_secrets() == 0
    settings.KENES_FIELD_KEYS = settings.KENES_FIELD_KEYS[:1]
    for name, secret in secrets.items():
        assert SealedTOTPDevice.objects.get(user=officers[name]).bin_key == secret


def test_rotate_keys_moves_the_app_secrets_too(officers, settings):
    from kenes.registry.keyrotation import do_rotate_keys

    old_keys = list(settings.KENES_FIELD_KEYS)
    secret = SealedTOTPDevice.create_for(officers["group"], name="app", confirmed=True).bin_key
    settings.KENES_FIELD_KEYS = [new_key(), *old_keys]
    assert do_rotate_keys(acting_user=officers["admin"])["app_secrets"] == 1
    settings.KENES_FIELD_KEYS = settings.KENES_FIELD_KEYS[:1]  # the old key dropped
    assert SealedTOTPDevice.objects.get(user=officers["group"]).bin_key == secret
