"""Two people for every bulk read of personal data (issue 12).

The registration dossier, a codes file with phones or with more than `api_limit` members,
and a member list as a file are not handed to the officer who asks: asking makes a
`ReadRequest` and its files (kenes.registry.prepared) are held. `approvals_needed` OTHER
officers who may read the same members (kenes.registry.scoping, Action.APPROVE_BULK_READ)
must approve it; the requester never counts. Once approved, and no earlier than
`delay_hours` after it was asked for, the files are queued and made ONCE, each carrying
a watermark that names the requester, the request's number and the date (`watermark`), so
a leaked copy names its source; downloaded once, then deleted; a file nobody fetches
expires (prepared.KEEP_FOR), and so does a request nobody approves (`WAIT_FOR_APPROVAL`).
One refusal ends a request. The API answers a member list longer than `api_limit` with a
403 that points to the requests page (kenes.registry.api): no token reopens it.

Every trustee is told: the requests page lists every open request to trustees and admins,
and the navigation shows how many there are. Every step is in the audit log, in the
transaction of the step (bulk_read.request / approve / refuse / expire / download).

States are data (ReadRequestState): requested → approved → made → downloaded, or
refused, or expired. The numbers are one row (BulkReadSettings) the national admin sets.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.registry import prepared
from kenes.registry.models import (
    BulkReadSettings,
    PreparedFile,
    PreparedFileStatus,
    ReadApproval,
    ReadRequest,
    ReadRequestState,
)
from kenes.registry.scoping import Action, can

WAIT_FOR_APPROVAL = datetime.timedelta(hours=72)
"""A request nobody approved within this time (after its delay) expires: the sealed codes
or the member list it holds are not kept waiting longer."""

MOST_APPROVALS = 9
LONGEST_DELAY_HOURS = 168
LARGEST_API_LIMIT = 100_000
LARGEST_SCREEN_ROWS = 1_000_000

OPEN_STATES = (ReadRequestState.REQUESTED, ReadRequestState.APPROVED, ReadRequestState.MADE)


def _requests() -> QuerySet[ReadRequest]:
    """Requests without their sealed member list, read only when a scope is checked: the
    notices, the trustees' list and the housekeeping work while the server is sealed."""
    return ReadRequest.objects.defer("members")


class ApprovalError(Exception):
    """A step on a request that cannot be taken; the message is a sentence for the officer."""


# ---- the numbers ------------------------------------------------------------------------


def current_settings() -> BulkReadSettings:
    found = BulkReadSettings.objects.filter(pk=1).first()
    return found if found is not None else BulkReadSettings(pk=1)


def api_limit() -> int:
    return current_settings().api_limit


def check_settings(
    *,
    approvals_needed: int,
    api_limit: int,
    delay_hours: int,
    screen_rows_per_day: int | None = None,
) -> list[str]:
    """What is wrong with these numbers, as sentences (empty: they may be saved)."""
    errors = []
    if not 1 <= approvals_needed <= MOST_APPROVALS:
        errors.append(
            _(
                "Between 1 and %(most)s other officers must approve a bulk read: no one may "
                "read the registry alone."
            )
            % {"most": MOST_APPROVALS}
        )
    if not 0 <= api_limit <= LARGEST_API_LIMIT:
        errors.append(
            _("The API's limit is a number of members from 0 to %(most)s.")
            % {"most": LARGEST_API_LIMIT}
        )
    if not 0 <= delay_hours <= LONGEST_DELAY_HOURS:
        errors.append(
            _("The delay is a number of hours from 0 to %(most)s (a week).")
            % {"most": LONGEST_DELAY_HOURS}
        )
    if screen_rows_per_day is not None and not 0 <= screen_rows_per_day <= LARGEST_SCREEN_ROWS:
        errors.append(
            _(
                "The daily screen limit is a number of members from 0 (no member shown on "
                "screen) to %(most)s."
            )
            % {"most": LARGEST_SCREEN_ROWS}
        )
    return errors


def do_change_settings(
    *,
    approvals_needed: int,
    api_limit: int,
    delay_hours: int,
    screen_rows_per_day: int | None = None,
    acting_user: Any,
) -> BulkReadSettings:
    """Save the numbers (national admin only); ValueError with the sentences if wrong.
    `screen_rows_per_day` left out (None) keeps the daily screen limit as it is."""
    if not can(acting_user, Action.SET_BULK_READ_RULES):
        raise PermissionDenied
    errors = check_settings(
        approvals_needed=approvals_needed,
        api_limit=api_limit,
        delay_hours=delay_hours,
        screen_rows_per_day=screen_rows_per_day,
    )
    if errors:
        raise ValueError(" ".join(errors))
    with transaction.atomic():
        BulkReadSettings.objects.get_or_create(pk=1)
        row = BulkReadSettings.objects.select_for_update().get(pk=1)
        old = {"approvals": row.approvals_needed, "api_limit": row.api_limit}
        old["delay_hours"] = row.delay_hours
        old["screen_rows_per_day"] = row.screen_rows_per_day
        if screen_rows_per_day is None:
            screen_rows_per_day = row.screen_rows_per_day
        row.approvals_needed, row.api_limit, row.delay_hours = (
            approvals_needed,
            api_limit,
            delay_hours,
        )
        row.screen_rows_per_day = screen_rows_per_day
        row.changed_at, row.changed_by = timezone.now(), acting_user
        row.save()
        new = {"approvals": approvals_needed, "api_limit": api_limit, "delay_hours": delay_hours}
        new["screen_rows_per_day"] = screen_rows_per_day
        audit.record(
            "bulk_read.settings",
            acting_user=acting_user,
            target_type="read_request",
            target_id="settings",
            detail={"old": old, "new": new},
        )
    return row


# ---- asking -----------------------------------------------------------------------------


def needs_approval(kind: str, *, member_count: int, phones: bool = False) -> bool:
    """The dossier and member-list files always; a codes file when it holds phones or more
    members than the API gives without approval (a single reissued code does not wait)."""
    if kind in ("dossier", "members"):
        return True
    return phones or member_count > api_limit()


def do_request(
    kind: str,
    *,
    acting_user: Any,
    title: str,
    bundle: uuid.UUID,
    member_ids: Sequence[int] | None,
) -> ReadRequest:
    """The request for the held files of `bundle`. Call it in the transaction that made
    them (prepared.do_prepare(hold=True)): both commit, or neither."""
    rules = current_settings()
    now = timezone.now()
    not_before = now + datetime.timedelta(hours=rules.delay_hours)
    ids = None if member_ids is None else sorted(set(member_ids))
    request = ReadRequest.objects.create(
        kind=kind,
        requester=acting_user,
        title=title[:300],
        bundle=bundle,
        members=None if ids is None else json.dumps(ids),
        member_count=None if ids is None else len(ids),
        approvals_needed=rules.approvals_needed,
        not_before=not_before,
        expires_at=not_before + WAIT_FOR_APPROVAL,
    )
    audit.record(
        "bulk_read.request",
        acting_user=acting_user,
        target_type="read_request",
        target_id=request.pk,
        detail={
            "kind": kind,
            "members": request.member_count,
            "approvals_needed": rules.approvals_needed,
            "delay_hours": rules.delay_hours,
        },
    )
    return request


# ---- approving and refusing -------------------------------------------------------------


def check_may_decide(request: ReadRequest, *, acting_user: Any) -> None:
    """Raise ApprovalError (a sentence) unless `acting_user` may approve or refuse it now."""
    if request.requester_id == getattr(acting_user, "pk", None):
        raise ApprovalError(
            _("You asked for this read yourself: other officers must approve or refuse it.")
        )
    if not can(acting_user, Action.APPROVE_BULK_READ, request):
        raise ApprovalError(
            _(
                "Your role does not let you read every member this request covers, so you "
                "cannot approve or refuse it."
            )
        )
    if request.state != ReadRequestState.REQUESTED:
        raise ApprovalError(
            _("This request is no longer waiting for approval: it is %(state)s.")
            % {"state": request.get_state_display()}
        )


def do_approve(request_id: int, *, acting_user: Any) -> ReadRequest:
    """Count `acting_user`'s approval (once, however often it is sent); with enough of them
    the request is approved and, once its delay is over, its files are queued."""
    expire_due()
    with transaction.atomic():
        request = _locked(request_id)
        if request.approvals.filter(officer_id=acting_user.pk).exists():
            return request  # a form sent twice: counted once
        check_may_decide(request, acting_user=acting_user)
        try:
            with transaction.atomic():
                ReadApproval.objects.create(request=request, officer=acting_user)
        except IntegrityError:
            return request
        given = request.approvals.count()
        audit.record(
            "bulk_read.approve",
            acting_user=acting_user,
            target_type="read_request",
            target_id=request.pk,
            detail={"approvals": given, "approvals_needed": request.approvals_needed},
        )
        if given >= request.approvals_needed:
            now = timezone.now()
            _requests().filter(pk=request.pk, state=ReadRequestState.REQUESTED).update(
                state=ReadRequestState.APPROVED, decided_at=now
            )
            if request.not_before <= now:
                prepared.release(request.bundle)
        request.refresh_from_db()
    return request


def do_refuse(request_id: int, *, acting_user: Any) -> ReadRequest:
    """One officer who could approve refuses: the request ends, its held files are dropped."""
    expire_due()
    with transaction.atomic():
        request = _locked(request_id)
        check_may_decide(request, acting_user=acting_user)
        _requests().filter(pk=request.pk).update(
            state=ReadRequestState.REFUSED, decided_at=timezone.now(), refused_by=acting_user
        )
        prepared.withdraw(request.bundle)
        audit.record(
            "bulk_read.refuse",
            acting_user=acting_user,
            target_type="read_request",
            target_id=request.pk,
            detail={"kind": request.kind, "approvals": request.approvals.count()},
        )
        request.refresh_from_db()
    return request


def _locked(request_id: int) -> ReadRequest:
    request = _requests().select_for_update().filter(pk=request_id).first()
    if request is None:
        raise ApprovalError(_("There is no such request."))
    return request


# ---- time passing -----------------------------------------------------------------------


def release_due(now: datetime.datetime | None = None) -> int:
    """Queue the files of approved requests whose delay is over (the worker's housekeeping
    and the requests page call it)."""
    now = now or timezone.now()
    released = 0
    due = _requests().filter(state=ReadRequestState.APPROVED, not_before__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            request = _requests().select_for_update().filter(pk=pk).first()
            if request is not None and request.state == ReadRequestState.APPROVED:
                released += prepared.release(request.bundle)
    return released


def expire_due(now: datetime.datetime | None = None) -> int:
    """Requests nobody approved in time, and made files nobody fetched, expire (audited)."""
    now = now or timezone.now()
    prepared.expire_old(now)
    expired = 0
    unapproved = (
        _requests()
        .filter(state=ReadRequestState.REQUESTED, expires_at__lt=now)
        .values_list("pk", flat=True)
    )
    made = (
        _requests()
        .filter(state__in=[ReadRequestState.APPROVED, ReadRequestState.MADE])
        .values_list("pk", "bundle")
    )
    gone = [
        pk
        for pk, bundle in made
        if not PreparedFile.objects.filter(bundle=bundle)
        .exclude(status__in=[PreparedFileStatus.EXPIRED, PreparedFileStatus.FAILED])
        .exists()
    ]
    for pk in [*unapproved, *gone]:
        with transaction.atomic():
            request = _requests().select_for_update().filter(pk=pk).first()
            if request is None or request.state not in OPEN_STATES:
                continue
            previously = request.state
            prepared.withdraw(request.bundle)
            _requests().filter(pk=pk).update(state=ReadRequestState.EXPIRED)
            audit.record(
                "bulk_read.expire",
                acting_user="kenes",
                target_type="read_request",
                target_id=pk,
                detail={"kind": request.kind, "previously": previously},
            )
            expired += 1
    return expired


# ---- the files' life (called by kenes.registry.prepared) -------------------------------


def note_made(file_id: str) -> None:
    """A held file was made: its request is made once none of its files waits any more."""
    item = PreparedFile.objects.filter(pk=file_id).only("bundle").first()
    if item is None:
        return
    waiting = PreparedFile.objects.filter(
        bundle=item.bundle,
        status__in=[PreparedFileStatus.AWAITING, PreparedFileStatus.PENDING],
    )
    if not waiting.exists():
        _requests().filter(bundle=item.bundle, state=ReadRequestState.APPROVED).update(
            state=ReadRequestState.MADE
        )


def note_download(item: PreparedFile, *, acting_user: Any) -> None:
    """In the download's transaction: audit it; the request is downloaded once every file
    that was made has been fetched."""
    request = _requests().filter(bundle=item.bundle).first()
    if request is None:
        return
    audit.record(
        "bulk_read.download",
        acting_user=acting_user,
        target_type="read_request",
        target_id=request.pk,
        detail={"kind": item.kind, "file": item.filename},
    )
    left = PreparedFile.objects.filter(
        bundle=item.bundle,
        status__in=[
            PreparedFileStatus.AWAITING,
            PreparedFileStatus.PENDING,
            PreparedFileStatus.READY,
        ],
    )
    if not left.exists():
        _requests().filter(pk=request.pk).update(state=ReadRequestState.DOWNLOADED)


# ---- the watermark ----------------------------------------------------------------------


@dataclass(frozen=True)
class Watermark:
    """Who a file of an approved bulk read was made for: printed on every sheet or page."""

    officer: str
    login: str
    number: int
    on: datetime.date

    def line(self) -> str:
        """One sentence in the active language, for the top of a sheet or the file."""
        return _(
            "Made for %(officer)s (login %(login)s), bulk read request No. %(number)s of "
            "%(date)s. Personal data: do not pass it on."
        ) % {
            "officer": self.officer,
            "login": self.login,
            "number": self.number,
            "date": self.on.isoformat(),
        }


def request_of(item: PreparedFile) -> ReadRequest | None:
    """The request a file was held for (None: a file that needed no approval)."""
    return _requests().filter(bundle=item.bundle).select_related("requester").first()


def watermark(item: PreparedFile) -> Watermark | None:
    """The watermark of a file made for an approved request (None for any other file)."""
    request = request_of(item)
    if request is None:
        return None
    user = request.requester
    login = user.get_username()
    return Watermark(
        officer=user.get_full_name().strip() or login,
        login=login,
        number=request.pk,
        on=timezone.localdate(),
    )


# ---- what each officer sees -------------------------------------------------------------


def mine(user: Any) -> QuerySet[ReadRequest]:
    return _requests().filter(requester=user).select_related("requester")


def awaiting_decision_by(user: Any) -> list[ReadRequest]:
    """Open requests of others that `user` may approve or refuse and has not approved."""
    waiting = (
        _requests()
        .filter(state=ReadRequestState.REQUESTED)
        .exclude(requester=user)
        .exclude(approvals__officer=user)
        .select_related("requester")
    )
    return [r for r in waiting if can(user, Action.APPROVE_BULK_READ, r)]


def open_requests() -> QuerySet[ReadRequest]:
    """Every request not yet ended: what trustees are told of."""
    return _requests().filter(state__in=OPEN_STATES).select_related("requester")


def notice_count(user: Any) -> int:
    """How many requests the navigation tells `user` of: every open one for a trustee or an
    admin, else those waiting for their decision."""
    if can(user, Action.SEE_BULK_READS):
        return _requests().filter(state=ReadRequestState.REQUESTED).count()
    if not can(user, Action.ASK_BULK_READ):
        return 0
    return len(awaiting_decision_by(user))
