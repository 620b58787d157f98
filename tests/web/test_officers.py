"""The admin manages officers' accounts and roles on a page; every change is audited."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kenes.audit import services as audit
from kenes.registry.models import Role

pytestmark = pytest.mark.django_db


def _logs_in(username: str, password: str) -> bool:
    """A login through the login page (django-axes wants the request)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


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
    admin.post(reverse("officer_revoke", args=[role.pk]))
    assert not Role.objects.filter(user=officers["nobody"]).exists()
    actions = audit.actions_recorded()
    assert "role.grant" in actions and "role.revoke" in actions


def test_a_switched_off_officer_is_logged_out_and_cannot_log_in(client_for, officers):
    coordinator = client_for("group")
    assert coordinator.get(reverse("members")).status_code == 200
    client_for("admin").post(
        reverse("officer_active", args=[officers["group"].pk]), {"active": "0"}
    )
    assert coordinator.get(reverse("members")).status_code == 302  # back to the login page
    assert not _logs_in("group", "pw-group-long-enough")
    assert "account.deactivate" in audit.actions_recorded()


def test_the_admin_cannot_switch_themselves_off(client_for, officers):
    client_for("admin").post(
        reverse("officer_active", args=[officers["admin"].pk]), {"active": "0"}
    )
    officers["admin"].refresh_from_db()
    assert officers["admin"].is_active


def test_a_new_password_replaces_the_old_one(client_for, officers):
    response = client_for("admin").post(reverse("officer_password", args=[officers["auditor"].pk]))
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
