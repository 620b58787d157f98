"""Fixtures for the web pages: a small registry and a logged-in client per role."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client

from kenes.registry.importing import do_import_members
from tests.conftest import csv_bytes, person
from tests.named import member_named


@pytest.fixture
def registry(groups):  # type: ignore[no-untyped-def]
    """Workers in Almaty city (KZ-75), farmers in Karaganda Region; person 5 in both."""

    def load(rows: list[list[str]], slug: str) -> None:
        do_import_members(
            io.BytesIO(csv_bytes(rows)),
            filename=f"{slug}.csv",
            group=groups[slug],
            acting_user="test",
        )

    load([person(n, region="Алматы") for n in range(1, 6)], "workers")
    load(
        [person(n, region="Карагандинская область") for n in range(10, 14)]
        + [person(5, region="Алматы")],
        "farmers",
    )
    return {
        "worker": member_named(person(1)[0]),
        "farmer": member_named(person(10)[0]),
        "both": member_named(person(5)[0]),
    }


@pytest.fixture
def client_for(officers) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """A test client logged in as one of the officers (admin, regional, group, auditor, nobody)."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(officers[role])
        return client

    return make
