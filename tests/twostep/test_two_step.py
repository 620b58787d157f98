"""Two-step login: with it on, the password alone does not let anyone in."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import totp

from kenes.audit.models import AuditEntry
from kenes.twostep.models import SealedTOTPDevice as TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "pw-admin-long-enough"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _login(client, **extra):
    return client.post(
        reverse("login"),
        {"username": "admin", "password": PASSWORD, **extra},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def device(officers):
    return TOTPDevice.create_for(officers["admin"], name="app", confirmed=True)


def test_without_two_step_the_password_is_enough(client, officers):
    assert _login(client).status_code == 302


def test_with_two_step_the_password_alone_is_refused(client, device):
    response = _login(client)
    assert response.status_code == 200
    assert "authenticator app" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused(client, device):
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    assert _login(client, otp_token=wrong).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_current_code_lets_the_officer_in_verified(client, device):
    response = _login(client, otp_token=_code(device))
    assert response.status_code == 302
    assert client.session.get("otp_device_id") == device.persistent_id


@pytest.fixture
def no_throttle(settings):
    """Right after a wrong code django-otp makes the next try wait; these tests do not wait."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_turning_it_on_needs_a_code_from_the_scanned_secret_and_is_audited(
    client_for, officers, no_throttle
):
    client = client_for("group")
    page = client.get(reverse("two_step"))
    assert b"data:image/svg+xml;base64," in page.content
    pending = TOTPDevice.objects.get(user=officers["group"], confirmed=False)
    assert client.post(reverse("two_step"), {"code": "000000"}).status_code == 200
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.post(reverse("two_step"), {"code": _code(pending)}).status_code == 302
    assert TOTPDevice.objects.get(user=officers["group"]).confirmed
    assert AuditEntry.objects.filter(action="account.two_step_on", actor="group").exists()


def test_turning_it_off_needs_the_current_code(client_for, officers, no_throttle):
    device = TOTPDevice.create_for(officers["auditor"], name="app", confirmed=True)
    client = client_for("auditor")
    assert client.post(reverse("two_step"), {"code": "123"}).status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert client.post(reverse("two_step"), {"code": _code(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=officers["auditor"]).exists()
    assert AuditEntry.objects.filter(action="account.two_step_off").exists()


def test_right_after_a_wrong_code_even_the_right_one_must_wait(client, device):
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    _login(client, otp_token=wrong)
    response = _login(client, otp_token=_code(device))
    assert response.status_code == 200 and "Too many wrong codes" in response.content.decode()


@pytest.fixture
def required(settings):
    settings.KENES_TWO_STEP = "required"


def test_when_required_an_officer_without_two_step_sees_only_the_setup_page(
    client, officers, required
):
    client.force_login(officers["admin"])
    for page in ("dashboard", "members", "elections", "audit"):
        response = client.get(reverse(page))
        assert response.status_code == 302, page
        assert response["Location"] == reverse("two_step")
    assert client.get(reverse("two_step")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_when_required_turning_two_step_on_opens_the_pages(client, officers, required):
    client.force_login(officers["admin"])
    client.get(reverse("two_step"))  # makes the device being set up
    pending = TOTPDevice.objects.get(user=officers["admin"], confirmed=False)
    response = client.post(reverse("two_step"), {"code": _code(pending)})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_when_required_a_login_with_the_code_opens_the_pages(client, device, required):
    response = _login(client, otp_token=_code(device))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_when_required_members_still_vote_and_read_results_without_an_account(client, required):
    assert client.get(reverse("vote")).status_code == 200
    assert client.get(reverse("results")).status_code == 200
