"""The chair's buttons pressed at once on a real PostgreSQL (two laptops, a double click):
the floor moves on once, a vote is closed and published once."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from kenes.ballots.models import Ballot
from kenes.congress import hall
from kenes.congress import speakers as sp
from kenes.congress.models import HallVote, Speaker
from tests.concurrency import run_together
from tests.web import chair_congress

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]

seated = chair_congress.seated


def _chair(officers) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(officers["admin"])
    return client


def test_next_speaker_pressed_on_two_laptops_at_once_moves_the_floor_once(seated, officers):
    congress, seats = seated
    item = sp.do_add_item(congress, title="Прения", acting_user="test")
    sp.do_make_current(item, acting_user="test")
    for s in seats[:4]:
        sp.do_ask_for_floor(item, s.delegate, "general", acting_user="test")
    clients = [_chair(officers) for _ in range(4)]
    jobs = [
        (lambda c=c: c.post("/chair/s1/speakers/next/", {"after": "0"}).status_code)
        for c in clients
    ]
    results, errors = run_together(jobs)
    assert not errors, errors
    assert results == [302] * 4
    assert Speaker.objects.filter(item=item, started_at__isnull=False).count() == 1


def test_a_vote_closed_from_two_laptops_at_once_is_counted_once(seated, officers):
    congress, _seats = seated
    vote = hall.do_create_vote(congress, title="Повестка", acting_user="test")
    hall.do_open_vote(vote, acting_user="test")
    clients = [_chair(officers) for _ in range(3)]
    jobs = [(lambda c=c: c.post(f"/chair/s1/votes/{vote.pk}/close/").status_code) for c in clients]
    results, errors = run_together(jobs)
    assert not errors, errors
    assert results == [302] * 3
    vote = HallVote.objects.select_related("election").get(pk=vote.pk)
    assert vote.election.phase == "published"
    assert Ballot.objects.filter(election=vote.election).count() == 0
