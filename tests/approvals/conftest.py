"""Fixtures for bulk reads that other officers approve (kenes.registry.approvals): a second
national admin and regional coordinator, a coordinator of another group, a trustee, and a
consultation of Almaty city (KZ-75) whose codes the regional coordinator hands out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kenes.agenda import moderation, services
from kenes.registry.services import do_grant_role
from tests.web.conftest import registry  # noqa: F401, F811  (the pages' small registry)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def more_officers(officers, groups):  # type: ignore[no-untyped-def]
    """officers plus admin2, admin3, regional2 (KZ-75), farmers (group) and trustee."""
    User = get_user_model()
    found = dict(officers)
    for name in ("admin2", "admin3", "regional2", "farmers", "trustee"):
        found[name] = User.objects.create_user(name, password="pw-" + name + "-long-enough")
    do_grant_role(found["admin2"], "admin", acting_user="test")
    do_grant_role(found["admin3"], "admin", acting_user="test")
    do_grant_role(found["regional2"], "regional", region_code="KZ-75", acting_user="test")
    do_grant_role(found["farmers"], "group", group=groups["farmers"], acting_user="test")
    do_grant_role(found["trustee"], "trustee", acting_user="test")
    return found


@pytest.fixture
def client_of(more_officers):  # type: ignore[no-untyped-def]
    def make(name: str) -> Client:
        client = Client()
        client.force_login(more_officers[name])
        return client

    return make


@pytest.fixture
def consultation(registry, officers):  # type: ignore[no-untyped-def]  # noqa: F811
    made = services.do_create_consultation(
        "Almaty consultation",
        question="За что должна бороться партия?",
        cutoff_on=timezone.localdate(),
        region_code="KZ-75",
        acting_user=officers["admin"],
    )
    moderation.do_add_seed_statements(made, ["Честные суды"], acting_user=officers["admin"])
    return made


def issue_codes(client: Client, consultation: Any, **asked: Any) -> Any:
    """The redirect to the files page after issuing the consultation's codes."""
    response = client.post(
        reverse("agenda_codes", args=[consultation.pk]), {"confirm": "on", **asked}, **EN
    )
    assert response.status_code == 302
    return response


def download_forms(client: Client, files_url: str) -> list[str]:
    """The download forms the files page offers (none while the read waits for approval)."""
    page = client.get(files_url, **EN)
    assert page.status_code == 200
    return re.findall(r'<form method="post" action="(/files/[^"]+)"', page.content.decode())
