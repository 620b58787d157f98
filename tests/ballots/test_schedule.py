"""A vote's period (finding 21): the worker opens and closes on time, each step once.

The runner is called with the moment it believes it is (`now`), as a worker that woke up at
that time would; nothing here sleeps or waits for the clock.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from kenes.audit.models import AuditEntry
from kenes.ballots import casting, phases, schedule, services, voting
from kenes.ballots.models import Election, VoterRoll
from kenes.ballots.services import BallotError
from kenes.participation.models import PersonalCode
from kenes.registry.models import Role
from tests.concurrency import run_together

HOUR = datetime.timedelta(hours=1)


def _draft(members, admin, *, candidates=3):  # type: ignore[no-untyped-def]
    election = services.do_create_election(
        "Совет", cutoff_on=timezone.localdate(), acting_user=admin
    )
    for member in members[:candidates]:
        services.do_add_candidate(election, member, acting_user=admin)
    return election


def _scheduled(members, admin, **kwargs):  # type: ignore[no-untyped-def]
    now = timezone.now()
    election = _draft(members, admin, **kwargs)
    schedule.do_set_schedule(
        election, opens_at=now + HOUR, closes_at=now + 3 * HOUR, acting_user=admin
    )
    election.refresh_from_db()
    return election


def _actions(election: Election) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="election", target_id=str(election.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_nothing_happens_before_the_opening_time(members, officers):
    election = _scheduled(members, officers["admin"])
    assert schedule.run_due(election.opens_at - datetime.timedelta(seconds=1)) == []
    election.refresh_from_db()
    assert election.phase == phases.DRAFT


@pytest.mark.django_db
def test_the_runner_opens_at_the_time_through_do_open_in_the_officers_name_once(members, officers):
    admin = officers["admin"]
    election = _scheduled(members, admin)
    (step,) = schedule.run_due(election.opens_at)
    assert (step.action, step.problem) == ("open", "")
    election.refresh_from_db()
    assert election.phase == phases.OPEN and election.codes_pending
    assert VoterRoll.objects.filter(election=election).count() == len(members)
    opened = AuditEntry.objects.get(action="ballots.open", target_id=str(election.pk))
    assert (opened.actor, opened.actor_id) == ("admin", admin.pk)
    assert _actions(election).count("ballots.scheduled_step") == 1
    # A second runner, a minute later or a day later, finds nothing left to do.
    assert schedule.run_due(election.opens_at + datetime.timedelta(minutes=1)) == []
    assert _actions(election).count("ballots.open") == 1


@pytest.mark.django_db
def test_a_time_long_past_is_acted_on_once_when_the_runner_comes_back(members, officers):
    """The worker was down over the opening: the first run after it opens, once."""
    election = _scheduled(members, officers["admin"])
    late = election.opens_at + datetime.timedelta(minutes=90)
    assert [s.action for s in schedule.run_due(late)] == ["open"]
    assert schedule.run_due(late) == []
    (close,) = schedule.run_due(election.closes_at + 24 * HOUR)
    assert (close.action, close.problem) == ("close", "")
    election.refresh_from_db()
    assert election.phase == phases.CLOSED
    assert schedule.run_due(election.closes_at + 48 * HOUR) == []
    assert _actions(election).count("ballots.closed") == 1


@pytest.mark.django_db
def test_a_whole_period_missed_is_not_opened_and_closed_empty(members, officers):
    election = _scheduled(members, officers["admin"])
    with translation.override("en"):
        (step,) = schedule.run_due(election.closes_at + HOUR)
    assert step.action == "open" and "passed" in step.problem
    election.refresh_from_db()
    assert election.phase == phases.DRAFT and election.opens_at is None
    assert election.schedule_problem == step.problem
    assert schedule.run_due(election.closes_at + 2 * HOUR) == []


@pytest.mark.django_db
def test_the_scheduled_close_goes_through_do_close_and_the_box_is_filled(members, officers):
    admin = officers["admin"]
    election = _scheduled(members, admin)
    schedule.run_due(election.opens_at)
    issued = schedule.do_hand_out_codes(election, acting_user=admin)
    code = issued[0].code
    loaded = voting.election_to_cast(election.pk, address="192.0.2.1")
    assert loaded is not None
    casting.do_cast(loaded, code, [[0]])
    schedule.run_due(election.closes_at)
    election.refresh_from_db()
    assert election.phase == phases.CLOSED and election.envelope_private_key == ""
    assert services.counted_ballots(election).count() == 1
    assert not PersonalCode.objects.filter(purpose=election.purpose, revoked_at=None).exists()


@pytest.mark.django_db
def test_codes_of_a_scheduled_opening_are_handed_out_once_by_an_officer(members, officers):
    """The codes do_open made at the scheduled time were seen by nobody: they are replaced
    by codes an officer hands out (shown once); a second hand-out is refused."""
    admin = officers["admin"]
    election = _scheduled(members, admin)
    schedule.run_due(election.opens_at)
    unseen = set(
        PersonalCode.objects.filter(purpose=election.purpose, revoked_at=None).values_list(
            "pk", flat=True
        )
    )
    assert len(unseen) == len(members)
    issued = schedule.do_hand_out_codes(election, acting_user=admin)
    assert len(issued) == len(members)
    live = PersonalCode.objects.filter(purpose=election.purpose, revoked_at=None)
    assert live.count() == len(members) and not unseen & set(live.values_list("pk", flat=True))
    assert voting.find_open_ballot(issued[0].code, address="192.0.2.1") == election
    election.refresh_from_db()
    assert not election.codes_pending
    with translation.override("en"), pytest.raises(BallotError, match="handed out already"):
        schedule.do_hand_out_codes(election, acting_user=admin)


@pytest.mark.django_db
def test_a_vote_opened_by_hand_has_no_codes_to_hand_out(members, officers):
    admin = officers["admin"]
    election = _draft(members, admin)
    services.do_open(election, acting_user=admin)
    with translation.override("en"), pytest.raises(BallotError, match="handed out already"):
        schedule.do_hand_out_codes(election, acting_user=admin)


@pytest.mark.django_db
def test_an_opening_that_cannot_happen_is_tried_once_and_says_why(members, officers):
    election = _scheduled(members, officers["admin"], candidates=1)  # one candidate, one seat
    with translation.override("en"):
        (step,) = schedule.run_due(election.opens_at)
    assert "more candidates than seats" in step.problem
    election.refresh_from_db()
    assert election.phase == phases.DRAFT and election.opens_at is None
    assert election.schedule_problem == step.problem
    assert not VoterRoll.objects.filter(election=election).exists()
    assert schedule.run_due(election.closes_at) == []
    entry = AuditEntry.objects.get(action="ballots.scheduled_step", target_id=str(election.pk))
    assert entry.detail["done"] is False


@pytest.mark.django_db
def test_an_officer_who_lost_the_role_no_longer_opens_through_the_schedule(
    members, officers, groups
):
    coordinator = officers["group"]
    election = services.do_create_election(
        "Группа",
        kind="motion",
        cutoff_on=timezone.localdate(),
        group=groups["workers"],
        acting_user=coordinator,
    )
    now = timezone.now()
    schedule.do_set_schedule(election, opens_at=now + HOUR, closes_at=None, acting_user=coordinator)
    Role.objects.filter(user=coordinator).delete()
    with translation.override("en"):
        (step,) = schedule.run_due(now + HOUR)
    assert "no longer runs" in step.problem
    election.refresh_from_db()
    assert election.phase == phases.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("opens", "closes", "sentence"),
    [
        (-HOUR, None, "has passed"),
        (HOUR, 30 * datetime.timedelta(minutes=1), "close after it opens"),
        (800 * 24 * HOUR, None, "two years"),
    ],
)
def test_a_period_that_cannot_be_kept_is_refused_and_nothing_changes(
    members, officers, opens, closes, sentence
):
    election = _draft(members, officers["admin"])
    now = timezone.now()
    with translation.override("en"), pytest.raises(BallotError, match=sentence):
        schedule.do_set_schedule(
            election,
            opens_at=now + opens,
            closes_at=None if closes is None else now + closes,
            acting_user=officers["admin"],
        )
    election.refresh_from_db()
    assert election.opens_at is None and election.closes_at is None
    assert "ballots.schedule" not in _actions(election)


@pytest.mark.django_db
def test_an_open_vote_gets_a_closing_time_and_keeps_its_opening(members, officers):
    admin = officers["admin"]
    election = _draft(members, admin)
    services.do_open(election, acting_user=admin)
    now = timezone.now()
    schedule.do_set_schedule(election, opens_at=now + HOUR, closes_at=now + HOUR, acting_user=admin)
    election.refresh_from_db()
    assert election.opens_at is None and election.closes_at == now + HOUR
    services.do_close(election, acting_user=admin)
    with translation.override("en"), pytest.raises(BallotError, match="closed"):
        schedule.do_set_schedule(election, opens_at=None, closes_at=now + HOUR, acting_user=admin)


@pytest.mark.django_db
def test_kenes_schedule_run_json_names_each_step(members, officers):
    election = _draft(members, officers["admin"])
    Election.objects.filter(pk=election.pk).update(
        opens_at=timezone.now() - HOUR, scheduled_by=officers["admin"]
    )
    out = StringIO()
    call_command("schedule", "run", "--json", stdout=out)
    (step,) = json.loads(out.getvalue())["steps"]
    assert step["election"] == election.pk and step["action"] == "open" and step["done"]
    out = StringIO()
    call_command("schedule", "run", stdout=out)
    assert "Nothing was due" in out.getvalue()


# --- the real worker and real races ------------------------------------------------------


@pytest.fixture
def threads_db(transactional_db):  # type: ignore[no-untyped-def]
    """See tests/registry/test_import_bounds.py: lets the flush empty the audit table."""
    yield
    if connection.vendor == "sqlite":
        append_only = importlib.import_module("kenes.audit.migrations.0002_append_only")
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
            cursor.execute("DELETE FROM audit_auditentry")
            cursor.execute(append_only.SQLITE[1])


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_setting_a_time_asks_the_worker_and_the_worker_opens_at_that_time(
    threads_db, members, officers
):
    """A real db_worker: the task deferred to the opening time does not run before it; once
    the time has come (the clock moved on: the times are set back an hour), it opens."""
    admin = officers["admin"]
    with override_settings(TASKS=DB_TASKS):
        election = _scheduled(members, admin)
        deferred = DBTaskResult.objects.filter(task_path="kenes.ballots.tasks.run_schedule")
        assert sorted(deferred.values_list("run_after", flat=True)) == [
            election.opens_at,
            election.closes_at,
        ]
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        worker.run()  # nothing is ready yet
        election.refresh_from_db()
        assert election.phase == phases.DRAFT
        Election.objects.filter(pk=election.pk).update(opens_at=election.opens_at - 2 * HOUR)
        deferred.filter(run_after=election.opens_at).update(run_after=election.opens_at - 2 * HOUR)
        worker.run()
    election.refresh_from_db()
    assert election.phase == phases.OPEN and election.codes_pending
    assert _actions(election).count("ballots.open") == 1


ON_POSTGRES = pytest.mark.skipif(
    os.environ.get("KENES_TEST_DB") != "postgres",
    reason="races are run on PostgreSQL (make test runs it there)",
)


@ON_POSTGRES
def test_runners_racing_on_postgres_open_once_and_close_once(threads_db, members, officers):
    election = _scheduled(members, officers["admin"])
    results, errors = run_together([lambda: schedule.run_due(election.opens_at)] * 6)
    assert not errors, errors
    steps = [step for found in results for step in found]  # type: ignore[attr-defined]
    assert [(s.action, s.problem) for s in steps] == [("open", "")]
    assert VoterRoll.objects.filter(election=election).count() == len(members)
    assert PersonalCode.objects.filter(purpose=election.purpose).count() == len(members)
    results, errors = run_together([lambda: schedule.run_due(election.closes_at)] * 6)
    assert not errors, errors
    steps = [step for found in results for step in found]  # type: ignore[attr-defined]
    assert [(s.action, s.problem) for s in steps] == [("close", "")]
    actions = _actions(election)
    assert actions.count("ballots.open") == actions.count("ballots.closed") == 1
