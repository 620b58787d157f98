"""The hall's state on a real PostgreSQL under concurrent requests: many at once with
nothing kept compute it once (the others wait for that one and get the same copy)."""

from __future__ import annotations

import os

import pytest

from kenes.congress import live, services
from tests.concurrency import run_together
from tests.congress.conftest import make_congress

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    live.forget()
    yield
    live.forget()


def test_twelve_requests_at_once_compute_the_state_once(people, officers, monkeypatch):
    admin = officers["admin"]
    congress = make_congress(admin)
    services.do_add_delegates(congress, people, acting_user=admin)
    computed: list[str] = []
    real = live.compute

    def counted(c):  # type: ignore[no-untyped-def]
        computed.append(c.slug)  # the real computation, counted
        return real(c)

    monkeypatch.setattr(live, "compute", counted)
    jobs = [(lambda: live.live_state(congress.slug, max_age=60)) for _ in range(12)]
    results, errors = run_together(jobs)
    assert errors == []
    assert computed == ["s1"]
    assert len(results) == 12 and all(r is results[0] for r in results)
    assert results[0] is not None and results[0].state["quorum"]["entitled"] == 9
