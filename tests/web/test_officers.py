"""The admin manages officers' accounts and roles on a page; every change is audited."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kenes.audit import services as audit
from kenes.registry.models import Role

pytestmark = pytest.mark.django_db


def _logs_in(username: str, password: str) -> bool:
    """A login through the login page (django-axes wants the request)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _login(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


CONFIRM = {"confirm": "1"}


def _password(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return re.search(r'id="one-time-password"><code>([^<]+)</code>', html).group(1)


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("regional", 403), ("group", 403), ("auditor", 403), ("nobody", 403)],
)
def test_only_the_national_admin_opens_the_officers_page(client_for, role, status):
    assert client_for(role).get(reverse("officers")).status_code == status


def test_a_new_coordinator_gets_a_one_time_password_that_logs_in_and_only_their_group(
    client_for, groups
):
    response = client_for("admin").post(
        reverse("officers"),
        {"username": "coord-traders", "kind": "group", "group": groups["farmers"].pk},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = _password(response)
    assert len(password) == 19
    user = get_user_model().objects.get(username="coord-traders")
    assert [(r.kind, r.group.slug) for r in Role.objects.filter(user=user)] == [
        ("group", "farmers")
    ]
    assert _logs_in("coord-traders", password)
    actions = audit.actions_recorded()
    assert "account.create" in actions and "role.grant" in actions


def test_a_role_without_its_scope_creates_no_account(client_for):
    response = client_for("admin").post(
        reverse("officers"), {"username": "coord-x", "kind": "regional", "region": ""}
    )
    assert response.status_code == 200
    assert "one-time-password" not in response.content.decode()
    assert not get_user_model().objects.filter(username="coord-x").exists()


def test_a_taken_login_name_is_refused(client_for):
    response = client_for("admin").post(
        reverse("officers"), {"username": "AUDITOR", "kind": "auditor"}
    )
    assert "one-time-password" not in response.content.decode()
    assert get_user_model().objects.filter(username__iexact="auditor").count() == 1


def test_granting_and_taking_away_a_role(client_for, officers):
    admin = client_for("admin")
    admin.post(
        reverse("officer_grant", args=[officers["nobody"].pk]),
        {"kind": "regional", "region": "KZ-47"},
    )
    role = Role.objects.get(user=officers["nobody"])
    assert (role.kind, role.region_code) == ("regional", "KZ-47")
    admin.post(reverse("officer_revoke", args=[role.pk]), CONFIRM)
    assert not Role.objects.filter(user=officers["nobody"]).exists()
    actions = audit.actions_recorded()
    assert "role.grant" in actions and "role.revoke" in actions


def test_a_switched_off_officer_is_logged_out_and_cannot_log_in(client_for, officers):
    coordinator = client_for("group")
    assert coordinator.get(reverse("members")).status_code == 200
    client_for("admin").post(
        reverse("officer_active", args=[officers["group"].pk]), {"active": "0", **CONFIRM}
    )
    assert coordinator.get(reverse("members")).status_code == 302  # back to the login page
    assert not _logs_in("group", "pw-group-long-enough")
    assert "account.deactivate" in audit.actions_recorded()


def test_the_admin_cannot_switch_themselves_off(client_for, officers):
    client_for("admin").post(
        reverse("officer_active", args=[officers["admin"].pk]), {"active": "0", **CONFIRM}
    )
    officers["admin"].refresh_from_db()
    assert officers["admin"].is_active


def test_a_new_password_replaces_the_old_one(client_for, officers):
    response = client_for("admin").post(
        reverse("officer_password", args=[officers["auditor"].pk]), CONFIRM
    )
    password = _password(response)
    assert not _logs_in("auditor", "pw-auditor-long-enough")
    assert _logs_in("auditor", password)
    assert "account.reset_password" in audit.actions_recorded()


def test_coordinators_cannot_change_roles(client_for, officers):
    response = client_for("regional").post(
        reverse("officer_grant", args=[officers["regional"].pk]), {"kind": "admin"}
    )
    assert response.status_code == 403
    assert not Role.objects.filter(user=officers["regional"], kind="admin").exists()


def test_an_officer_replaces_the_first_password(client_for, officers):
    client = client_for("group")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-group-long-enough",
            "new_password1": "a-new-long-passphrase-2026",
            "new_password2": "a-new-long-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert _logs_in("group", "a-new-long-passphrase-2026")
    assert "account.change_password" in audit.actions_recorded()


def test_the_new_officer_form_chooses_no_role_and_refuses_to_guess_one(client_for):
    admin = client_for("admin")
    page = admin.get(reverse("officers")).content.decode()
    role_select = re.search(r'<select name="kind"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.search(r'<option value=""[^>]*selected', role_select)
    assert not re.search(r'<option value="admin"[^>]*selected', role_select)
    with translation.override("en"):
        response = admin.post(reverse("officers"), {"username": "coord-new"})
    assert "one-time-password" not in response.content.decode()
    assert not get_user_model().objects.filter(username="coord-new").exists()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("officer_password", {}),
        ("officer_active", {"active": "0"}),
    ],
)
def test_one_click_on_a_destructive_button_only_asks(client_for, officers, url, data):
    admin = client_for("admin")
    target = officers["auditor"]
    before = target.password
    with translation.override("en"):
        response = admin.post(reverse(url, args=[target.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "one-time-password" not in html
    assert (
        'name="confirm" value="1"' in html and f'action="{reverse(url, args=[target.pk])}"' in html
    )
    target.refresh_from_db()
    assert target.password == before and target.is_active
    assert "account.reset_password" not in audit.actions_recorded()
    assert "account.deactivate" not in audit.actions_recorded()


def test_one_click_on_take_away_only_asks(client_for, officers):
    role = Role.objects.get(user=officers["regional"])
    response = client_for("admin").post(reverse("officer_revoke", args=[role.pk]))
    assert response.status_code == 200 and 'name="confirm" value="1"' in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


def test_switching_an_account_back_on_needs_no_question(client_for, officers):
    officers["auditor"].is_active = False
    officers["auditor"].save()
    client_for("admin").post(
        reverse("officer_active", args=[officers["auditor"].pk]), {"active": "1"}
    )
    officers["auditor"].refresh_from_db()
    assert officers["auditor"].is_active


def _first_password(admin: Client, groups) -> str:  # type: ignore[no-untyped-def]
    response = admin.post(
        reverse("officers"),
        {"username": "coord-first", "kind": "group", "group": groups["farmers"].pk},
    )
    return _password(response)


def test_the_first_password_opens_nothing_but_its_own_replacement(client_for, groups):
    password = _first_password(client_for("admin"), groups)
    officer = _login("coord-first", password)
    for name in ("dashboard", "members", "two_step", "officers"):
        response = officer.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    # Logging out and in again does not get around it.
    officer.post(reverse("logout"))
    officer = _login("coord-first", password)
    assert officer.get(reverse("members"))["Location"] == reverse("password_change")
    with translation.override("en"):
        same = officer.post(
            reverse("password_change"),
            {"old_password": password, "new_password1": password, "new_password2": password},
        )
    assert same.status_code == 200  # its own shape is refused as a new password
    assert officer.get(reverse("members"))["Location"] == reverse("password_change")
    done = officer.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "my-own-long-passphrase-2026",
            "new_password2": "my-own-long-passphrase-2026",
        },
    )
    assert done.status_code == 302
    assert officer.get(reverse("members")).status_code == 200
    again = _login("coord-first", "my-own-long-passphrase-2026")
    assert again.get(reverse("members")).status_code == 200


def test_a_password_reset_by_the_admin_is_one_time_too(client_for, officers):
    response = client_for("admin").post(
        reverse("officer_password", args=[officers["group"].pk]), CONFIRM
    )
    officer = _login("group", _password(response))
    assert officer.get(reverse("members"))["Location"] == reverse("password_change")
    assert officer.get(reverse("password_change")).status_code == 200
