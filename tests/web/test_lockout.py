"""Login lockout behind the documented proxy: keyed on the real client, never a weapon.

Real requests through the login page, with X-Forwarded-For written as our nginx writes it
(`$proxy_add_x_forwarded_for`: whatever the client sent, then the client's address), and
REMOTE_ADDR the proxy's own address for everyone.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kenes.web import lockout

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
PASSWORD = "pw-admin-long-enough"  # tests/conftest.py: officers


def _login(address: str, username: str, password: str, *, forged: str = "") -> int:
    """Status of one login through the proxy from `address` (302: logged in)."""
    chain = f"{forged}, {address}" if forged else address
    response = Client(REMOTE_ADDR=PROXY).post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=chain,
    )
    return response.status_code


@override_settings(KENES_PROXY_COUNT=1)
def test_a_guesser_behind_the_proxy_does_not_lock_the_officer_out_from_elsewhere(officers):
    for _ in range(30):
        assert _login("198.51.100.66", "admin", "wrong-password") in {200, 429}
    assert _login("198.51.100.66", "admin", PASSWORD) == 429  # the guesser's address is locked
    assert _login("203.0.113.10", "admin", PASSWORD) == 302  # the officer, from elsewhere


@override_settings(KENES_PROXY_COUNT=1)
def test_a_forged_forwarded_header_does_not_move_the_guesser_to_another_address(officers):
    for n in range(10):
        _login("198.51.100.66", "admin", "wrong-password", forged=f"192.0.2.{n}")
    assert _login("198.51.100.66", "admin", PASSWORD, forged="192.0.2.200") == 429


@override_settings(KENES_PROXY_COUNT=1)
def test_a_name_under_attack_from_many_addresses_slows_every_address_but_not_a_fresh_one(
    officers,
):
    attackers = [f"198.51.100.{n}" for n in range(1, 13)]
    for address in attackers:
        for _ in range(lockout.LIMIT_UNDER_ATTACK):
            _login(address, "admin", "wrong-password")
    assert len(attackers) * lockout.LIMIT_UNDER_ATTACK >= lockout.under_attack_threshold()
    # Every attacking address is now stopped after two tries instead of five,
    assert all(_login(address, "admin", "wrong-password") == 429 for address in attackers)
    assert _login(attackers[0], "admin", PASSWORD) == 429
    # another name is not slowed,
    assert _login(attackers[0], "regional", "pw-regional-long-enough") == 302
    # and the officer, from an address that never failed, logs in with the right password.
    assert _login("203.0.113.10", "admin", PASSWORD) == 302


@override_settings(KENES_PROXY_COUNT=1)
def test_an_officer_who_mistypes_once_during_an_attack_still_gets_in(officers):
    for n in range(1, 13):
        for _ in range(lockout.LIMIT_UNDER_ATTACK):
            _login(f"198.51.100.{n}", "admin", "wrong-password")
    assert _login("203.0.113.10", "admin", "typo") == 200
    assert _login("203.0.113.10", "admin", PASSWORD) == 302
