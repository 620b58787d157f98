"""Passkeys and security keys: added from the account page, used as the second step after the
password, checked by the server against the stored public key (real ES256 signatures from a
software authenticator; nothing of the verifier is replaced)."""

from __future__ import annotations

import json
import re
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp_webauthn.models import WebAuthnCredential

from kenes.audit.models import AuditEntry
from kenes.registry.accounts import do_reset_password
from kenes.twostep.models import SealedTOTPDevice
from kenes.web.labels import AUDIT_ACTIONS
from kenes.web.twostep import PENDING
from tests.twostep.soft_authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _post_json(client: Client, name: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(reverse(name), json.dumps(body or {}), content_type="application/json", **EN)


def add_key(client: Client, authenticator: SoftAuthenticator) -> WebAuthnCredential:
    begin = _post_json(client, "passkey_add_begin")
    assert begin.status_code == 200, begin.content
    done = _post_json(client, "passkey_add_complete", authenticator.create(begin.json()))
    assert done.status_code == 200, done.content
    return WebAuthnCredential.objects.get(pk=done.json()["id"])


def password_step(client: Client, name: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("login"),
        {"username": name, "password": f"pw-{name}-long-enough", **extra},
        **EN,
    )


def passkey_step(client: Client, authenticator: SoftAuthenticator, **kwargs):  # type: ignore[no-untyped-def]
    begin = _post_json(client, "passkey_login_begin")
    assert begin.status_code == 200, begin.content
    return _post_json(client, "passkey_login_complete", authenticator.get(begin.json(), **kwargs))


@pytest.fixture
def with_key(officers):  # type: ignore[no-untyped-def]
    """The group coordinator with a security key added from the account page."""
    authenticator = SoftAuthenticator()
    client = Client()
    client.force_login(officers["group"])
    credential = add_key(client, authenticator)
    return authenticator, credential


def test_adding_a_key_stores_its_public_key_and_is_audited(officers):
    authenticator = SoftAuthenticator()
    client = Client()
    client.force_login(officers["group"])
    page = client.get(reverse("two_step"), **EN)
    assert b'id="passkey-register-button"' in page.content
    credential = add_key(client, authenticator)
    assert credential.user == officers["group"]
    assert credential.credential_id == authenticator.credential_id
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), authenticator.key.public_key().public_bytes(*_uncompressed())
    )
    assert public.public_numbers().x.to_bytes(32, "big") in bytes(credential.public_key)
    (entry,) = AuditEntry.objects.filter(action="account.passkey_added")
    assert entry.actor == "group" and entry.detail == {"passkey": credential.pk}
    listed = client.get(reverse("two_step"), **EN).content.decode()
    assert reverse("passkey_remove", args=[credential.pk]) in listed


def _uncompressed():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint


def test_a_registration_signed_for_another_origin_is_refused(officers):
    client = Client()
    client.force_login(officers["group"])
    begin = _post_json(client, "passkey_add_begin").json()
    forged = SoftAuthenticator().create(begin, origin="https://kenes.example.org")
    assert _post_json(client, "passkey_add_complete", forged).status_code == 422
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEntry.objects.filter(action="account.passkey_added").exists()


def test_with_a_key_the_password_alone_logs_nobody_in(with_key):
    client = Client()
    response = password_step(client, "group")
    assert response.status_code == 302 and response["Location"] == reverse("second_step")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302  # to the login page
    page = client.get(reverse("second_step"), **EN)
    assert page.status_code == 200
    assert b'id="passkey-verification-button"' in page.content


def test_the_key_logs_the_officer_in_verified_and_is_audited(with_key):
    authenticator, credential = with_key
    client = Client()
    password_step(client, "group")
    done = passkey_step(client, authenticator)
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(credential.user_id)
    assert client.session["otp_device_id"] == credential.persistent_id
    assert client.get(reverse("dashboard")).status_code == 200
    credential.refresh_from_db()
    assert credential.sign_count == authenticator.sign_count == 1
    (entry,) = AuditEntry.objects.filter(action="account.second_step_passed")
    assert entry.actor == "group" and entry.detail == {"method": "passkey"}


def test_a_signature_by_another_private_key_is_refused_and_audited(with_key):
    authenticator, _credential = with_key
    client = Client()
    password_step(client, "group")
    thief = ec.generate_private_key(ec.SECP256R1())
    refused = passkey_step(client, authenticator, signing_key=thief)
    assert refused.status_code == 422, refused.content
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302
    (entry,) = AuditEntry.objects.filter(action="account.second_step_refused")
    assert entry.actor == "group" and entry.detail == {"method": "passkey"}
    assert not AuditEntry.objects.filter(action="account.second_step_passed").exists()


def test_an_assertion_made_for_a_phishing_site_is_refused(with_key):
    authenticator, _credential = with_key
    client = Client()
    password_step(client, "group")
    refused = passkey_step(client, authenticator, origin="https://kenes-login.example.net")
    assert refused.status_code == 422
    assert "_auth_user_id" not in client.session


def test_an_assertion_counts_once(with_key):
    """The challenge is used up by its first try: a captured answer cannot be replayed."""
    authenticator, _credential = with_key
    client = Client()
    password_step(client, "group")
    begin = _post_json(client, "passkey_login_begin").json()
    answer = authenticator.get(begin)
    assert _post_json(client, "passkey_login_complete", answer).status_code == 200
    client.post(reverse("logout"))
    other = Client()
    password_step(other, "group")
    _post_json(other, "passkey_login_begin")  # a fresh challenge, not the captured one
    assert _post_json(other, "passkey_login_complete", answer).status_code == 422
    assert "_auth_user_id" not in other.session


def test_without_the_password_step_no_key_ceremony_starts(with_key):
    authenticator, _credential = with_key
    client = Client()
    begin = _post_json(client, "passkey_login_begin")
    assert begin.status_code == 403
    assert begin.json()["code"] == "no_login_under_way"
    assert "_auth_user_id" not in client.session


def test_another_officers_key_does_not_finish_this_login(with_key, officers):
    authenticator, _credential = with_key  # the group coordinator's key
    client = Client()
    assert password_step(client, "auditor").status_code == 302  # no key: logged in at once
    auditor_key = SoftAuthenticator()
    add_key(client, auditor_key)
    client.post(reverse("logout"))
    password_step(client, "auditor")
    refused = passkey_step(client, authenticator)
    assert refused.status_code in (400, 403, 404), refused.content
    assert "_auth_user_id" not in client.session


def test_removing_a_key_is_audited_and_only_the_owner_can(with_key, officers):
    _authenticator, credential = with_key
    stranger = Client()
    stranger.force_login(officers["auditor"])
    stranger.post(reverse("passkey_remove", args=[credential.pk]))
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    owner = Client()
    owner.force_login(officers["group"])
    owner.post(reverse("passkey_remove", args=[credential.pk]))
    assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    (entry,) = AuditEntry.objects.filter(action="account.passkey_removed")
    assert entry.actor == "group" and entry.detail == {"passkey": credential.pk}
    # without a key the password alone logs in again (two-step is optional here)
    assert password_step(Client(), "group")["Location"] == reverse("dashboard")


def test_an_officer_with_an_app_code_must_use_it_to_add_a_key(officers):
    """Otherwise a stolen password would add the thief's key past the second step."""
    SealedTOTPDevice.create_for(officers["group"], name="app", confirmed=True)
    client = Client()
    client.force_login(officers["group"])  # password only: the session is not verified
    begin = _post_json(client, "passkey_add_begin")
    assert begin.status_code == 403
    assert not WebAuthnCredential.objects.exists()


def test_when_required_a_key_added_on_the_setup_page_opens_the_pages(officers, settings):
    settings.KENES_TWO_STEP = "required"
    client = Client()
    client.force_login(officers["admin"])
    assert client.get(reverse("dashboard"))["Location"] == reverse("two_step")
    add_key(client, SoftAuthenticator())
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_key_pages_load_scripts_from_this_host_only(with_key):
    owner = Client()
    owner.force_login(with_key[1].user)
    pending = Client()
    password_step(pending, "group")
    for client, name in ((owner, "two_step"), (pending, "second_step")):
        response = client.get(reverse(name), **EN)
        html = response.content.decode()
        sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
        assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        # no inline code: the only inline script is the JSON configuration
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all('type="application/json"' in attrs for attrs in inline), inline
    for path in ("django_otp_webauthn/otp_webauthn_auth.js", "kenes/passkeys.js"):
        assert finders.find(path), path


def test_the_passkey_texts_come_in_the_readers_language(with_key):
    client = Client()
    script = client.get(reverse("passkey_texts"), HTTP_ACCEPT_LANGUAGE="en")
    assert script["Content-Type"].startswith("text/javascript")
    assert b"window.gettext" in script.content and b"Verifying..." in script.content


def test_audit_labels_exist_for_every_new_action():
    with translation.override("en"):
        for action in (
            "account.passkey_added",
            "account.passkey_removed",
            "account.second_step_passed",
            "account.second_step_refused",
        ):
            assert action in AUDIT_ACTIONS


def test_with_a_key_and_an_app_the_second_step_page_takes_the_code_too(with_key, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _authenticator, credential = with_key
    device = SealedTOTPDevice.create_for(credential.user, name="app", confirmed=True)
    client = Client()
    assert password_step(client, "group")["Location"] == reverse("second_step")
    page = client.get(reverse("second_step"), **EN).content.decode()
    assert 'name="code"' in page and 'id="passkey-verification-button"' in page
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("second_step"), {"code": wrong}, **EN)
    assert refused.status_code == 400 and "_auth_user_id" not in client.session
    right = client.post(reverse("second_step"), {"code": f"{totp(device.bin_key):06d}"})
    assert right.status_code == 302 and right["Location"] == reverse("dashboard")
    assert client.session["otp_device_id"] == device.persistent_id
    rows = [
        (e.action, e.detail["method"])
        for e in AuditEntry.objects.filter(action__startswith="account.second_step")
    ]
    assert sorted(rows) == [
        ("account.second_step_passed", "app"),
        ("account.second_step_refused", "app"),
    ]


def test_a_second_step_not_taken_in_time_starts_again_at_the_password(with_key):
    authenticator, _credential = with_key
    client = Client()
    password_step(client, "group")
    session = client.session
    session[PENDING]["until"] = time.time() - 1
    session.save()
    assert client.get(reverse("second_step"))["Location"] == reverse("login")
    begin = _post_json(client, "passkey_login_begin")
    assert begin.status_code == 403 and "_auth_user_id" not in client.session


def test_a_handed_over_password_is_replaced_right_after_the_key(with_key, officers):
    authenticator, credential = with_key
    password = do_reset_password(credential.user, acting_user=officers["admin"])
    client = Client()
    step = client.post(reverse("login"), {"username": "group", "password": password})
    assert step["Location"] == reverse("second_step")
    done = passkey_step(client, authenticator)
    assert done.json()["redirect_url"] == reverse("password_change")
    assert client.get(reverse("dashboard"))["Location"] == reverse("password_change")
