"""The kinds of data Kenes stops keeping after a while, and what "due" means for each.

Every kind is cleared by deleting rows or emptying sealed columns (NULL): neither needs a
field key, so retention runs while the server is sealed (kenes.custody). Nothing here
touches what a published result or `kenes audit verify` needs: the ballot box, the
elections' heads and results, the voter roll, consultations' participants and opinions,
and the audit log (append-only: never deleted, whatever the rules say).

Each kind reads other apps' tables directly: this module is the one place that forgets
them by age, and it only selects by dates and states, never by what a row says.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kenes.agenda import phases as agenda_phases
from kenes.agenda.models import Consultation
from kenes.ballots import phases as ballot_phases
from kenes.ballots.models import Election
from kenes.congress.models import Congress
from kenes.congress.models import Status as CongressStatus
from kenes.participation.models import CodeAttempt, PersonalCode
from kenes.registry.models import (
    ImportBatch,
    ImportStatus,
    Member,
    MemberStatus,
    PreparedFile,
    PreparedFileStatus,
)

Due = Callable[[datetime.datetime, int], list[QuerySet[Any]]]
Clear = Callable[[QuerySet[Any], datetime.datetime], int]


def _deleted(rows: QuerySet[Any], now: datetime.datetime) -> int:
    """Delete the rows; the number of rows of the kind itself (not of what cascades)."""
    _, per_model = rows.delete()
    return int(per_model.get(rows.model._meta.label, 0))


@dataclass(frozen=True)
class Kind:
    key: str
    title: Promise
    #: When its days start counting, e.g. "after the member left".
    starts: Promise
    #: What is cleared, in one sentence.
    clears: Promise
    default_days: int
    #: Fewer days would break something still at work (a lockout, the code throttle).
    min_days: int
    due: Due
    clear: Clear = _deleted


MAX_DAYS = 3650


def _before(now: datetime.datetime, days: int) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


# Contacts of members who left -----------------------------------------------------------


def _left_contacts_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    last_day = timezone.localdate(now) - datetime.timedelta(days=days)
    return [
        Member.objects.filter(status=MemberStatus.LEFT, left_on__lte=last_day)
        .filter(Q(phone__isnull=False) | Q(address__isnull=False))
        .order_by()
    ]


def _left_contacts_clear(rows: QuerySet[Any], now: datetime.datetime) -> int:
    # `updated_at` moves: the record changed (the registry's version, kenes.registry.readiness).
    return int(rows.update(phone=None, address=None, updated_at=now))


# Uploaded member lists ------------------------------------------------------------------

FINISHED_IMPORTS = (ImportStatus.IMPORTED, ImportStatus.DISCARDED, ImportStatus.FAILED)


def _uploaded_lists_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    # `updated_at` is the batch's last step (imported, discarded, failed): a queryset
    # update does not move it, so emptying the columns keeps the day the rule counts from.
    return [
        ImportBatch.objects.filter(status__in=FINISHED_IMPORTS, updated_at__lte=_before(now, days))
        .filter(Q(content__isnull=False) | Q(report__isnull=False))
        .order_by()
    ]


def _uploaded_lists_clear(rows: QuerySet[Any], now: datetime.datetime) -> int:
    return int(rows.update(content=None, report=None))


#: An upload still waiting (uploaded, checked) that nobody confirmed or discarded: the
#: same states an officer may discard (kenes.registry.batches.discardable), never a batch a
#: worker is on.
WAITING_IMPORTS = (ImportStatus.UPLOADED, ImportStatus.CHECKED)


def _unconfirmed_uploads_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    return [
        ImportBatch.objects.filter(
            status__in=WAITING_IMPORTS, updated_at__lte=_before(now, days)
        ).order_by()
    ]


def _unconfirmed_uploads_clear(rows: QuerySet[Any], now: datetime.datetime) -> int:
    # Discarded as an officer would, file and report emptied; `updated_at` moves to now, so
    # the row's own "uploaded lists" rule counts from the day retention discarded it.
    return int(
        rows.update(status=ImportStatus.DISCARDED, content=None, report=None, updated_at=now)
    )


# Personal codes of closed votes ---------------------------------------------------------


def closed_purposes() -> list[str]:
    """What the codes of every closed vote and consultation open (kenes.participation):
    closed and published elections, closed consultations (in "report" their participants
    still read the report with their codes), closed congresses (their delegates' codes
    serve every hall vote, so they go only when the congress closes)."""
    elections = Election.objects.filter(phase__in=[ballot_phases.CLOSED, ballot_phases.PUBLISHED])
    consultations = Consultation.objects.filter(phase=agenda_phases.CLOSED)
    own = elections.filter(code_purpose="")  # shared codes (a congress's) go with their owner
    congresses = Congress.objects.filter(status=CongressStatus.CLOSED)
    return (
        [e.purpose for e in own.only("pk")]
        + [c.purpose for c in consultations.only("pk")]
        + [f"congress:{pk}" for pk in congresses.values_list("pk", flat=True)]
    )


PURPOSES_PER_QUERY = 500  # within every backend's limit of parameters


def _closed_vote_codes_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    # Every live code is revoked at the close (ballots.services.do_close, agenda's close), so
    # `revoked_at` is at latest the close: the days count from it.
    purposes = closed_purposes()
    return [
        PersonalCode.objects.filter(
            purpose__in=purposes[start : start + PURPOSES_PER_QUERY],
            revoked_at__isnull=False,
            revoked_at__lte=_before(now, days),
        ).order_by()
        for start in range(0, len(purposes), PURPOSES_PER_QUERY)
    ]


# Logs -----------------------------------------------------------------------------------


def _login_records_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    since = _before(now, days)
    return [
        model.objects.filter(attempt_time__lte=since).order_by()
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    ]


def _code_attempts_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    return [CodeAttempt.objects.filter(failed_at__lte=_before(now, days)).order_by()]


def _prepared_files_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    done = (PreparedFileStatus.DOWNLOADED, PreparedFileStatus.EXPIRED, PreparedFileStatus.FAILED)
    return [
        PreparedFile.objects.filter(status__in=done, created_at__lte=_before(now, days)).order_by()
    ]


def _sessions_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    return [Session.objects.filter(expire_date__lte=_before(now, days)).order_by()]


def _task_records_due(now: datetime.datetime, days: int) -> list[QuerySet[Any]]:
    finished = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    return [
        DBTaskResult.objects.filter(
            status__in=finished, finished_at__isnull=False, finished_at__lte=_before(now, days)
        ).order_by()
    ]


KINDS: tuple[Kind, ...] = (
    Kind(
        key="left_contacts",
        title=_("Phone and address of members who left"),
        starts=_("after the day the member left"),
        clears=_(
            "The phone and address of a member whose status is “left” are emptied; the "
            "name, IIN and the rest of the record stay (a member who left is still in "
            "the party's history). A member who left without a date is never cleared: "
            "enter the day they left."
        ),
        default_days=90,
        min_days=0,
        due=_left_contacts_due,
        clear=_left_contacts_clear,
    ),
    Kind(
        key="uploaded_lists",
        title=_("Uploaded member lists"),
        starts=_("after the import was finished, discarded or failed"),
        clears=_(
            "The uploaded file and its check report are emptied; the import's counts stay. "
            "(The file itself is deleted already when the import finishes.)"
        ),
        default_days=30,
        min_days=0,
        due=_uploaded_lists_due,
        clear=_uploaded_lists_clear,
    ),
    Kind(
        key="unconfirmed_uploads",
        title=_("Uploaded lists nobody confirmed"),
        starts=_("after the list was uploaded or last checked"),
        clears=_(
            "A list uploaded and checked but never imported or discarded is discarded: "
            "its file and check report are emptied, as if an officer had discarded it."
        ),
        default_days=14,
        min_days=1,
        due=_unconfirmed_uploads_due,
        clear=_unconfirmed_uploads_clear,
    ),
    Kind(
        key="closed_vote_codes",
        title=_("Personal codes of closed votes"),
        starts=_("after the vote or consultation closed"),
        clears=_(
            "The keyed hashes of the personal codes of closed elections, motions and "
            "consultations are deleted (the codes stopped working at the close). The "
            "ballot box, the result, the voter roll and the consultation's opinions stay: "
            "published results and the audit check need them. Ballot slots are deleted "
            "at the close itself."
        ),
        default_days=7,
        min_days=0,
        due=_closed_vote_codes_due,
    ),
    Kind(
        key="login_records",
        title=_("Login records"),
        starts=_("after the login or failed attempt"),
        clears=_(
            "Records of failed passwords, logins and lockouts (user name, address, browser) "
            "are deleted."
        ),
        default_days=30,
        min_days=1,  # a lockout lasts 30 minutes
        due=_login_records_due,
    ),
    Kind(
        key="code_attempts",
        title=_("Wrong-code records"),
        starts=_("after the wrong code was typed"),
        clears=_(
            "The keyed hashes of addresses that typed a wrong personal code are deleted "
            "(the throttle looks at the last 15 minutes only)."
        ),
        default_days=1,
        min_days=1,
        due=_code_attempts_due,
    ),
    Kind(
        key="prepared_files",
        title=_("Records of prepared files"),
        starts=_("after the file was asked for"),
        clears=_(
            "What is left of a dossier or codes file once it was downloaded, expired or "
            "failed (who asked, its title and name) is deleted; the file itself is deleted "
            "at the download or after 24 hours. The audit log keeps who asked for what."
        ),
        default_days=30,
        min_days=0,
        due=_prepared_files_due,
    ),
    Kind(
        key="sessions",
        title=_("Expired login sessions"),
        starts=_("after the session expired"),
        clears=_("Sessions of officers that expired are deleted from the database."),
        default_days=0,
        min_days=0,
        due=_sessions_due,
    ),
    Kind(
        key="task_records",
        title=_("Records of background work"),
        starts=_("after the task finished"),
        clears=_(
            "Records of finished background tasks (imports, files, projections), with "
            "their error reports, are deleted."
        ),
        default_days=30,
        min_days=0,
        due=_task_records_due,
    ),
)

BY_KEY: dict[str, Kind] = {kind.key: kind for kind in KINDS}
