"""Each kind of data is cleared exactly when its rule says, and nothing else with it.

Rows are made through the services (imports, votes, consultations) wherever a service makes
them; only their dates are moved back, as time would move them.
"""

from __future__ import annotations

import datetime
import io

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kenes.agenda import services as agenda
from kenes.audit import services as audit
from kenes.audit import verifiers
from kenes.audit.models import AuditEntry
from kenes.ballots import box, casting
from kenes.ballots import services as ballots
from kenes.ballots.models import Ballot, Election, VoterRoll
from kenes.participation import services as codes
from kenes.participation.models import CodeAttempt, PersonalCode
from kenes.registry.importing import do_import_members
from kenes.registry.models import (
    ImportBatch,
    ImportStatus,
    Member,
    MemberStatus,
    PreparedFile,
    PreparedFileStatus,
)
from kenes.retention import services
from kenes.retention.models import RetentionRule
from tests.ballots.conftest import open_election
from tests.conftest import csv_bytes, person

DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def members(groups):  # type: ignore[no-untyped-def]
    content = csv_bytes([person(n) for n in range(12)])
    do_import_members(
        io.BytesIO(content), filename="m.csv", group=groups["workers"], acting_user="test"
    )
    return list(Member.objects.order_by("pk"))


def _cleared(run: services.Run, kind: str) -> int:
    (found,) = [k for k in run.kinds if k.kind == kind]
    return found.cleared


def _leave(member: Member, on: datetime.date | None) -> None:
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.LEFT, left_on=on)


def _contacts(member: Member) -> tuple[str | None, str | None]:
    fresh = Member.objects.get(pk=member.pk)
    return fresh.phone, fresh.address


def test_contacts_of_members_who_left_are_emptied_on_the_90th_day_not_the_89th(members):
    now = timezone.now()
    today = timezone.localdate(now)
    due, not_yet, no_date, back, staying = members[:5]
    _leave(due, today - 90 * DAY)
    _leave(not_yet, today - 89 * DAY)
    _leave(no_date, None)
    # Came back: left once, a member again (the date stays, the status decides).
    Member.objects.filter(pk=back.pk).update(left_on=today - 400 * DAY)
    before = {m.pk: _contacts(m) for m in members}
    iin_before = Member.objects.get(pk=due.pk).iin

    run = services.do_apply(acting_user="test", now=now)

    assert _cleared(run, "left_contacts") == 1
    assert _contacts(due) == (None, None)
    assert Member.objects.get(pk=due.pk).iin == iin_before  # the record stays
    for kept in (not_yet, no_date, back, staying, *members[5:]):
        assert _contacts(kept) == before[kept.pk] != (None, None)


def _batch(group, status: str, finished: datetime.datetime, *, content: str | None = "x"):  # type: ignore[no-untyped-def]
    batch = ImportBatch.objects.create(
        group=group, filename="list.csv", content=content, report='{"valid": 1}', status=status
    )
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=finished)
    return batch


def test_uploaded_lists_are_emptied_30_days_after_the_import_finished(groups):
    now = timezone.now()
    group = groups["workers"]
    due = [
        _batch(group, ImportStatus.IMPORTED, now - 30 * DAY, content=None),
        _batch(group, ImportStatus.DISCARDED, now - 31 * DAY),
        _batch(group, ImportStatus.FAILED, now - 90 * DAY),
    ]
    kept = [
        _batch(group, ImportStatus.IMPORTED, now - 30 * DAY + SECOND),
        _batch(group, ImportStatus.CHECKED, now - 10 * DAY),  # waits for its confirmation
        _batch(group, ImportStatus.IMPORTING, now - 90 * DAY),
    ]

    run = services.do_apply(acting_user="test", now=now)

    assert _cleared(run, "uploaded_lists") == 3
    for batch in due:
        batch.refresh_from_db()
        assert (batch.content, batch.report) == (None, None)
        assert batch.filename == "list.csv" and batch.status != ""  # the row stays
    for batch in kept:
        batch.refresh_from_db()
        assert batch.report == '{"valid": 1}' and batch.content == "x"
    # Emptying does not move the day the rule counts from.
    assert ImportBatch.objects.get(pk=due[1].pk).updated_at == now - 31 * DAY


def test_an_upload_nobody_confirmed_is_discarded_after_14_days(groups):
    now = timezone.now()
    group = groups["workers"]
    due = [
        _batch(group, ImportStatus.CHECKED, now - 14 * DAY),
        _batch(group, ImportStatus.UPLOADED, now - 40 * DAY),
    ]
    kept = [
        _batch(group, ImportStatus.CHECKED, now - 14 * DAY + SECOND),
        _batch(group, ImportStatus.CHECKING, now - 40 * DAY),  # a worker may be on it
        _batch(group, ImportStatus.IMPORTING, now - 40 * DAY),
    ]

    run = services.do_apply(acting_user="test", now=now)

    assert _cleared(run, "unconfirmed_uploads") == 2
    for batch in due:
        batch.refresh_from_db()
        assert batch.status == ImportStatus.DISCARDED
        assert (batch.content, batch.report) == (None, None)
    for batch in kept:
        before = batch.status
        batch.refresh_from_db()
        assert batch.status == before and batch.content == "x"
    # a second run finds nothing more to discard
    again = services.do_apply(acting_user="test", now=now)
    assert _cleared(again, "unconfirmed_uploads") == 0


def test_codes_of_a_closed_vote_go_7_days_after_the_close_and_open_votes_keep_theirs(
    members, officers
):
    admin = officers["admin"]
    closed, closed_codes = open_election(members, admin, method="plurality")
    still_open, open_codes = open_election(members, admin, method="plurality")
    casting.do_cast(closed, next(iter(closed_codes.values())), [[0]])
    ballots.do_close(closed, acting_user=admin)
    closed_at = PersonalCode.objects.filter(purpose=closed.purpose).latest("revoked_at").revoked_at
    n_closed = PersonalCode.objects.filter(purpose=closed.purpose).count()
    assert n_closed == len(closed_codes)

    early = services.do_apply(acting_user="test", now=closed_at + 7 * DAY - SECOND)
    assert _cleared(early, "closed_vote_codes") == 0
    assert PersonalCode.objects.filter(purpose=closed.purpose).count() == n_closed

    run = services.do_apply(acting_user="test", now=closed_at + 7 * DAY)
    assert _cleared(run, "closed_vote_codes") == n_closed
    assert not PersonalCode.objects.filter(purpose=closed.purpose).exists()
    # The open vote's codes still open it; the closed vote's box and roll are whole.
    assert PersonalCode.objects.filter(purpose=still_open.purpose).count() == len(open_codes)
    code = next(iter(open_codes.values()))
    assert codes.find_code(code, [still_open.purpose]) is not None
    assert Ballot.objects.filter(election=closed).count() == 1
    assert VoterRoll.objects.filter(election=closed, has_voted=True).count() == 1


def test_codes_of_a_closed_consultation_go_and_a_consultation_in_report_keeps_them(
    members, officers
):
    admin = officers["admin"]
    cutoff = timezone.localdate()
    made = {}
    for name in ("closed", "report"):
        consultation = agenda.do_create_consultation(
            name, question="?", cutoff_on=cutoff, acting_user=admin
        )
        agenda.do_issue_codes(consultation, members=members[:3], acting_user=admin)
        agenda.do_move_phase(consultation, "report", acting_user=admin)
        made[name] = consultation
    agenda.do_move_phase(made["closed"], "closed", acting_user=admin)

    run = services.do_apply(acting_user="test", now=timezone.now() + 8 * DAY)

    assert _cleared(run, "closed_vote_codes") == 3
    assert not PersonalCode.objects.filter(purpose=made["closed"].purpose).exists()
    assert PersonalCode.objects.filter(purpose=made["report"].purpose).count() == 3


def test_logs_go_after_their_days_and_recent_ones_stay(officers):
    now = timezone.now()
    for n, when in enumerate((now - 30 * DAY, now - 30 * DAY + SECOND)):
        seen = {"user_agent": f"browser {n}", "ip_address": "10.0.0.1", "username": "admin"}
        attempt = AccessAttempt.objects.create(
            **seen, http_accept="*", get_data="", post_data="", failures_since_start=1
        )
        login = AccessLog.objects.create(**seen, http_accept="*")
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)
        AccessLog.objects.filter(pk=login.pk).update(attempt_time=when)
    CodeAttempt.objects.create(address_index="a" * 64, failed_at=now - DAY)
    CodeAttempt.objects.create(address_index="b" * 64, failed_at=now - DAY + SECOND)
    for status, made in (
        (PreparedFileStatus.DOWNLOADED, now - 30 * DAY),
        (PreparedFileStatus.EXPIRED, now - 40 * DAY),
        (PreparedFileStatus.READY, now - 40 * DAY),  # not fetched yet: expire_old's, not ours
        (PreparedFileStatus.FAILED, now - 30 * DAY + SECOND),
    ):
        item = PreparedFile.objects.create(
            kind="dossier", owner=officers["admin"], title="t", filename="f", status=status
        )
        PreparedFile.objects.filter(pk=item.pk).update(created_at=made)
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=now)
    Session.objects.filter(session_key=live.session_key).update(expire_date=now + SECOND)

    run = services.do_apply(acting_user="test", now=now)

    assert _cleared(run, "login_records") == 2
    assert AccessAttempt.objects.count() == 1 and AccessLog.objects.count() == 1
    assert _cleared(run, "code_attempts") == 1
    assert list(CodeAttempt.objects.values_list("address_index", flat=True)) == ["b" * 64]
    assert _cleared(run, "prepared_files") == 2
    assert sorted(PreparedFile.objects.values_list("status", flat=True)) == ["failed", "ready"]
    assert _cleared(run, "sessions") == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_finished_task_records_go_after_30_days_and_waiting_ones_never(db):
    now = timezone.now()

    def task(status: str, finished: datetime.datetime | None) -> None:
        DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="kenes.registry.tasks.check_batch",
            backend_name="default",
            run_after=now,
            finished_at=finished,
        )

    task("SUCCESSFUL", now - 30 * DAY)
    task("FAILED", now - 31 * DAY)
    task("SUCCESSFUL", now - 30 * DAY + SECOND)
    task("READY", None)

    run = services.do_apply(acting_user="test", now=now)

    assert _cleared(run, "task_records") == 2
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "READY",
        "SUCCESSFUL",
    ]


def _state() -> dict[str, object]:
    """Everything retention may touch, to compare before and after."""
    return {
        "members": list(Member.objects.order_by("pk").values_list("pk", "phone", "address")),
        "batches": list(ImportBatch.objects.order_by("pk").values_list("pk", "content", "report")),
        "codes": list(PersonalCode.objects.order_by("pk").values_list("pk", flat=True)),
        "attempts": list(CodeAttempt.objects.order_by("pk").values_list("pk", flat=True)),
        "rules": list(RetentionRule.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
    }


def test_a_dry_run_counts_what_is_due_and_changes_nothing(members, groups):
    now = timezone.now()
    _leave(members[0], timezone.localdate(now) - 100 * DAY)
    _batch(groups["workers"], ImportStatus.DISCARDED, now - 40 * DAY)
    CodeAttempt.objects.create(address_index="a" * 64, failed_at=now - 2 * DAY)
    before = _state()

    run = services.do_apply(acting_user="test", now=now, dry_run=True)

    assert run.dry_run and run.cleared == 0
    due = {k.kind: k.due for k in run.kinds}
    assert due["left_contacts"] == 1 and due["uploaded_lists"] == 1
    assert due["code_attempts"] == 1
    assert _state() == before


def test_a_second_run_changes_nothing_and_each_run_writes_one_entry_per_kind(members):
    now = timezone.now()
    _leave(members[0], timezone.localdate(now) - 100 * DAY)
    entries = AuditEntry.objects.count()
    first = services.do_apply(acting_user="test", now=now)
    assert _cleared(first, "left_contacts") == 1
    after_first = _state()

    second = services.do_apply(acting_user="test", now=now + SECOND)

    assert second.cleared == 0
    state = _state()
    assert state["members"] == after_first["members"]
    assert state["codes"] == after_first["codes"]
    written = list(AuditEntry.objects.filter(pk__gt=0).order_by("id"))[entries:]
    assert [e.action for e in written] == ["retention.applied"] * (2 * len(first.kinds))
    first_entry = next(e for e in written if e.target_id == "left_contacts")
    assert first_entry.detail == {"cleared": 1, "days": 90, "enabled": True}
    assert audit.verify().intact


def test_the_worker_applies_each_kind_once_a_day_however_often_it_asks(members):
    now = timezone.now()
    assert len(services.apply_if_due(now).kinds) == len(services.KINDS)
    assert services.apply_if_due(now + services.RUN_EVERY - SECOND).kinds == ()
    assert len(services.apply_if_due(now + services.RUN_EVERY).kinds) == len(services.KINDS)


def test_a_kind_switched_off_keeps_everything(members, officers):
    now = timezone.now()
    _leave(members[0], timezone.localdate(now) - 100 * DAY)
    services.do_set_rule("left_contacts", days=90, enabled=False, acting_user=officers["admin"])
    run = services.do_apply(acting_user="test", now=now)
    assert _cleared(run, "left_contacts") == 0
    assert _contacts(members[0]) != (None, None)


def test_published_results_and_the_audit_check_stay_clean_after_every_kind_is_cleared(
    members, officers
):
    admin = officers["admin"]
    election, issued = open_election(members, admin, method="plurality")
    for n, code in enumerate(issued.values()):
        casting.do_cast(election, code, [[n % 3]])
    ballots.do_close(election, acting_user=admin)
    box.do_tally(election, acting_user=admin)
    box.do_publish(election, acting_user=admin)
    election.refresh_from_db()
    result, head = election.result, election.box_head
    Member.objects.filter(pk__in=[m.pk for m in members[:6]]).update(
        status=MemberStatus.LEFT, left_on=timezone.localdate() - 400 * DAY
    )

    run = services.do_apply(acting_user="test", now=timezone.now() + 400 * DAY)

    assert _cleared(run, "closed_vote_codes") == len(issued)
    assert _cleared(run, "left_contacts") == 6
    election = Election.objects.get(pk=election.pk)
    assert (election.result, election.box_head) == (result, head)
    assert box.verify_box(election).intact
    assert audit.verify().intact
    assert all(not check.problems for check in verifiers.run_all().values())
