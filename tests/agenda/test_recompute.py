"""The analysis: stale → one background recompute; the stored JSON; planted groups recovered."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.test import override_settings
from django_tasks.signals import task_enqueued

from kenes.agenda import services
from kenes.agenda.analysis import do_recompute
from kenes.agenda.models import Consultation, OpinionVote, Participant, Statement
from kenes.core.consensus.synthetic import planted_conversation

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("counted", "minutes_ago", "votes", "stale"),
    [
        (None, 0, 0, False),  # nothing to analyse
        (None, 0, 1, True),  # never computed
        (100, 1, 109, False),  # under 10% more, recent
        (100, 1, 110, True),  # 10% more
        (100, 11, 101, True),  # older than 10 minutes and a vote came in
        (100, 60, 100, False),  # old, but nothing new
    ],
)
def test_the_analysis_is_stale_after_ten_percent_more_votes_or_ten_minutes(
    counted, minutes_ago, votes, stale
):
    at = None if counted is None else NOW - datetime.timedelta(minutes=minutes_ago)
    assert services.is_stale(counted, at, votes, NOW) is stale


@pytest.fixture
def enqueued():  # type: ignore[no-untyped-def]
    seen: list[object] = []

    def count(sender, task_result, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(task_result)

    task_enqueued.connect(count)
    yield seen
    task_enqueued.disconnect(count)


@override_settings(TASKS=DUMMY)
def test_many_votes_on_a_stale_analysis_enqueue_exactly_one_task(
    consultation, codes, members, enqueued, django_capture_on_commit_callbacks
):
    statements = list(Statement.objects.filter(consultation=consultation))
    with django_capture_on_commit_callbacks(execute=True):
        for member in members:
            participant = services.participant_for_code(consultation, codes[member.pk])
            for statement in statements:
                services.do_vote(participant, statement.pk, services.AGREE)
    assert OpinionVote.objects.count() == len(members) * len(statements) > 30
    assert len(enqueued) == 1
    assert enqueued[0].args == [consultation.pk]
    # Once the task ran, the next votes enqueue again only when 10% more came in.
    do_recompute(consultation.pk)
    consultation.refresh_from_db()
    assert consultation.recompute_requested_at is None
    assert not services.request_recompute(consultation)


@override_settings(TASKS=DUMMY)
def test_recompute_now_enqueues_even_when_fresh_but_not_twice(
    consultation, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_recompute(consultation, force=True)
        consultation.refresh_from_db()
        assert not services.request_recompute(consultation, force=True)
    assert len(enqueued) == 1


def test_the_stored_analysis_recovers_planted_groups_and_breaks_down_by_group(officers):
    planted = planted_conversation(80, 16, 80 * 16, groups=2, seed=3, noise=0.05, pass_rate=0.05)
    consultation = Consultation.objects.create(
        title="t", question="q", cutoff_on=NOW.date(), seed=11, phase="vote"
    )
    statements = [
        Statement.objects.create(consultation=consultation, text=f"s{j}", created_on=NOW.date())
        for j in range(16)
    ]
    label = ["farmers", "workers"]
    people = [
        Participant.objects.create(
            consultation=consultation,
            key=f"k{i}",
            groups=[label[int(planted.groups[i])]],
            region_code="KZ-75" if i % 2 else "KZ-35",
        )
        for i in range(80)
    ]
    m = planted.matrix
    OpinionVote.objects.bulk_create(
        OpinionVote(statement=statements[int(c)], participant=people[int(r)], value=int(v))
        for r, c, v in zip(m.rows, m.cols, m.votes, strict=True)
    )
    result = do_recompute(consultation.pk)
    consultation.refresh_from_db()
    assert consultation.analysis == result and consultation.analysis_at is not None
    assert result["votes_counted"] == m.vote_count and result["participants"] == 80
    # Opinion groups: each found group is (almost) one planted group.
    index = {str(p.pk): i for i, p in enumerate(people)}
    assert len(result["groups"]) == 2
    for group in result["groups"]:
        planted_of = np.array([planted.groups[index[p]] for p in group["participants"]])
        assert max(np.mean(planted_of == 0), np.mean(planted_of == 1)) > 0.9
    # By constituent group: the planted groups are the labels, and they split.
    by_group = result["by_group"]
    assert by_group["labels"] == ["farmers", "workers"]
    first = by_group["statements"][0]
    assert set(first["counts"]) == {"farmers", "workers"}
    assert set(first["counts"]["farmers"]) == {"agree", "disagree", "pass", "seen"}
    assert by_group["dividing"] and by_group["dividing"][0] in {str(s.pk) for s in statements}
    assert result["by_region"]["labels"] == ["KZ-35", "KZ-75"]
    assert set(result["divergence"]) == {str(s.pk) for s in statements}
    assert result["computed_at"]


def test_a_member_in_two_groups_counts_once_in_each(consultation, codes, members):
    both = services.participant_for_code(consultation, codes[members[0].pk])
    statement = Statement.objects.filter(consultation=consultation).first()
    services.do_vote(both, statement.pk, services.AGREE)
    result = do_recompute(consultation.pk)
    row = next(s for s in result["by_group"]["statements"] if s["statement"] == str(statement.pk))
    assert row["counts"]["farmers"]["agree"] == 1 and row["counts"]["workers"]["agree"] == 1
