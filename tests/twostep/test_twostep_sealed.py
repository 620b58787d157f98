"""App-code secrets are sealed under the field key: a copy of the database holds none of them;
existing secrets are sealed by a migration that refuses while the server is sealed; while
sealed, trustees log in with a passkey and unseal from the custody page.

The files are those of a real `kenes` on a temporary var dir (its SQLite file and log, as an
adversary copies them); the key holder is a real process (tests/custody/conftest.py).
"""

from __future__ import annotations

import base64
import json
import re
from html import unescape

import pytest
from cryptography.exceptions import InvalidTag
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from kenes.audit.models import AuditEntry
from kenes.registry.models import RoleKind
from kenes.registry.services import do_grant_role
from kenes.twostep.models import SealedTOTPDevice, seal_secret
from tests.custody.conftest import files_under
from tests.twostep.soft_authenticator import SoftAuthenticator
from tests.twostep.test_passkeys import add_key, passkey_step, password_step

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

SEALED_CODE = (
    "The server is sealed, so the code from your app cannot be checked until the trustees "
    "unseal it. A passkey or security key still works."
)

SET_UP_BY_THE_PAGE = """
import base64, json, re
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from kenes.twostep.models import SealedTOTPDevice

user = get_user_model().objects.create_user("officer-aigerim", password="pw-aigerim-long-enough")
client = Client(HTTP_HOST="localhost")
client.force_login(user)
page = client.get("/account/two-step/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
key = base64.b32decode(secret + "=" * (-len(secret) % 8))
done = client.post("/account/two-step/", {"code": "%06d" % totp(key)})
assert done.status_code == 302, done.status_code
assert SealedTOTPDevice.objects.get(user=user).confirmed
print(json.dumps({"base32": secret, "hex": key.hex()}))
"""

CLEAR_DEVICE = """
import json
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

user = get_user_model().objects.create_user("officer-dana", password="pw-dana-long-enough")
device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
print(json.dumps({"hex": device.key}))
"""

CHECK_SEALED_DEVICE = """
import json, time
from binascii import unhexlify
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from kenes.twostep.models import SealedTOTPDevice

device = SealedTOTPDevice.objects.get(user__username="officer-dana")
key = unhexlify(device.key)
print(json.dumps({
    "clear_rows": TOTPDevice.objects.count(),
    "verified": device.verify_token("%06d" % totp(key)),
    "hex": key.hex(),
}))
"""


def _needles(raw: bytes, base32: str) -> list[bytes]:
    """The secret in every form an app or a database might hold it."""
    grouped = " ".join(base32[i : i + 4] for i in range(0, len(base32), 4))
    return [
        raw,
        raw.hex().encode(),
        raw.hex().upper().encode(),
        base32.encode(),
        base32.lower().encode(),
        grouped.encode(),
        base64.b64encode(raw).rstrip(b"="),
        base64.urlsafe_b64encode(raw).rstrip(b"="),
    ]


def _found(files: dict, needles: list[bytes]) -> list[str]:  # type: ignore[type-arg]
    return sorted({str(path) for path, data in files.items() for n in needles if n in data})


def _shell(custody, script: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    done = custody.kenes("shell", "-c", script)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_database_files_hold_no_app_secret_after_set_up(custody):
    assert custody.kenes("migrate", "-v0").returncode == 0
    made = _shell(custody, SET_UP_BY_THE_PAGE)
    raw = bytes.fromhex(made["hex"])
    files = files_under(custody.var)
    database = [p for p in files if p.name.startswith("kenes.sqlite3")]
    assert database, files.keys()
    # the search reads what the adversary reads: the officer's name is there in the clear
    assert _found(files, [b"officer-aigerim"])
    assert _found(files, _needles(raw, made["base32"])) == []


def test_existing_secrets_are_sealed_by_the_migration_which_waits_while_sealed(custody):
    """A server upgraded with officers' app codes in django-otp's clear table."""
    assert custody.kenes("migrate", "-v0").returncode == 0
    assert custody.kenes("migrate", "twostep", "0001", "-v0").returncode == 0
    made = _shell(custody, CLEAR_DEVICE)
    clear_hex = made["hex"].encode()
    assert _found(files_under(custody.var), [clear_hex])  # the control: there in the clear

    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    refused = custody.kenes("migrate", "twostep", "-v0")
    assert refused.returncode == 1
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "The server is sealed: personal data cannot be read until 3 of the 5 trustees "
            "unseal it (`kenes unseal`)."
        )
    )
    listed = custody.kenes("showmigrations", "twostep").stdout
    assert "[ ] 0002_seal_existing_totp_secrets" in listed  # nothing changed
    assert _found(files_under(custody.var), [clear_hex])

    assert custody.unseal(shares[:3]).returncode == 0
    assert custody.kenes("migrate", "twostep", "-v0").returncode == 0
    checked = _shell(custody, CHECK_SEALED_DEVICE)
    assert checked == {"clear_rows": 0, "verified": True, "hex": made["hex"]}
    raw = bytes.fromhex(made["hex"])
    base32 = base64.b32encode(raw).decode().rstrip("=")
    assert _found(files_under(custody.var), _needles(raw, base32)) == []


@pytest.mark.django_db
def test_a_sealed_secret_copied_onto_another_officer_does_not_open(officers):
    """Whoever can write the database cannot give themselves another officer's codes, nor
    plant their own secret on that officer's account."""
    mine = SealedTOTPDevice.create_for(officers["nobody"], name="app", confirmed=True)
    victim = SealedTOTPDevice.create_for(officers["admin"], name="app", confirmed=True)
    SealedTOTPDevice.objects.filter(pk=victim.pk).update(sealed_key=mine.sealed_key)
    victim.refresh_from_db()
    with pytest.raises(InvalidTag):
        victim.key  # noqa: B018
    code = f"{totp(mine.bin_key):06d}"
    client = Client()
    response = password_step(client, "admin", otp_token=code)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "cannot be checked for this account" in _text(response)
    assert seal_secret("00", user_id=1) != seal_secret("00", user_id=1)  # a fresh nonce each


def _trustee(name: str, *, app_code: bool, passkey: bool):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(name, password=f"pw-{name}-long-enough")
    do_grant_role(user, RoleKind.TRUSTEE, acting_user="test")
    authenticator = None
    if passkey:
        authenticator = SoftAuthenticator()
        client = Client()
        client.force_login(user)
        add_key(client, authenticator)
    device = SealedTOTPDevice.create_for(user, name="app", confirmed=True) if app_code else None
    return user, authenticator, (device.bin_key if device else None)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.mark.django_db
def test_while_sealed_trustees_log_in_with_a_key_and_unseal_from_the_page(
    custody, officers, settings
):
    settings.KENES_TWO_STEP = "required"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    trustees = [_trustee(f"trustee{n}", app_code=True, passkey=True) for n in (1, 2, 3)]
    only_code, _none, only_code_key = _trustee("trustee4", app_code=True, passkey=False)
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert custody.sealed()

    # a trustee with only an app code: the code cannot be checked, and it is not counted
    # as a wrong try either; the sentence says what still works
    client = Client()
    refused = password_step(client, "trustee4", otp_token=f"{totp(only_code_key):06d}")
    assert refused.status_code == 200
    assert SEALED_CODE in _text(refused)
    assert "_auth_user_id" not in client.session
    assert SealedTOTPDevice.objects.get(user=only_code).throttling_failure_count == 0
    # without a code the sentence is the same at once (not "enter the code", then sealed)
    refused = password_step(client, "trustee4")
    assert SEALED_CODE in _text(refused) and "_auth_user_id" not in client.session

    for (user, authenticator, _key), share in zip(trustees, shares, strict=False):
        client = Client()
        step = password_step(client, user.get_username())
        assert step["Location"] == reverse("second_step")
        page = client.get(reverse("second_step"), **EN)
        assert SEALED_CODE in _text(page)  # the app code cannot be used now
        assert 'id="passkey-verification-button"' in page.content.decode()
        done = passkey_step(client, authenticator)
        assert done.status_code == 200, done.content
        assert client.get(reverse("custody"), **EN).status_code == 200
        entered = client.post(reverse("custody_enter"), {"share": share}, follow=True, **EN)
        assert entered.status_code == 200
    assert not custody.sealed()
    assert "The server is unsealed" in _text(client.get(reverse("custody"), **EN))

    # unsealed: the app code works again, for the trustee who had only that
    client = Client()
    opened = password_step(client, "trustee4", otp_token=f"{totp(only_code_key):06d}")
    assert opened.status_code == 302 and opened["Location"] == reverse("dashboard")
    assert client.get(reverse("custody"), **EN).status_code == 200
    passed = AuditEntry.objects.filter(action="account.second_step_passed")
    assert sorted((e.actor, e.detail["method"]) for e in passed) == [
        ("trustee1", "passkey"),
        ("trustee2", "passkey"),
        ("trustee3", "passkey"),
        ("trustee4", "app"),
    ]


@pytest.mark.django_db
def test_while_sealed_the_account_page_still_adds_keys_but_not_app_codes(custody, officers):
    custody.start_holder()
    custody.init(trustees=5, threshold=3)
    client = Client()
    client.force_login(officers["group"])
    page = client.get(reverse("two_step"), **EN)
    assert page.status_code == 200
    text = _text(page)
    assert "can be neither set up nor turned off" in text
    assert "data:image/svg+xml" not in text
    add_key(client, SoftAuthenticator())
    assert not SealedTOTPDevice.objects.exists()
