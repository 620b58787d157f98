"""A member's own data: what the movement holds about them, opened with their personal data
code, and the corrections they ask for (issue 12; docs/my-data.md).

The code is a personal code like a vote's (kenes.participation.services), of its own purpose
`PURPOSE`, one live code per member, handed out by an officer of the member's group on paper
(slips) or in the codes file without phones. A vote's code does not open this page: vote
codes travel through SMS gateways and mail merges and die at the close; a vote code that
also opened the member's address and groups would give whoever handled the vote's codes file
the whole record of every voter.

Who answers a member's requests is decided in kenes.registry.scoping
(`Action.ANSWER_DATA_REQUESTS`, `data_requests_for`): an officer of the member's group. A
correction is applied through the registry's edit service (`do_update_member`: its checks,
its audit entry) in the same transaction as the request's new state and its own audit
entry. What a member typed and an officer's reason are sealed at rest.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.audit import services as audit
from kenes.core.roster.cells import collapse_spaces, normalise_phone, parse_date
from kenes.core.rules import load_jurisdiction
from kenes.participation.models import CorrectionRequest, CorrectionState, PersonalCode
from kenes.participation.services import IssuedCode, do_issue_codes, find_code
from kenes.participation.voters import tokens_of_member
from kenes.registry.models import Member
from kenes.registry.scoping import Action, can, data_requests_for
from kenes.registry.selectors import group_names_of
from kenes.registry.services import do_update_member, refuse_out_of_scope

PURPOSE = "my-data"
"""What a member's personal data code opens (PersonalCode.purpose)."""

BY_CODE = "member (personal code)"
"""The audit log's actor for what a member does with their code (they have no account)."""

OPEN_LIMIT = 5
"""Open requests one member may have at once: enough for a whole wrong record (name, birth
date, phone, address, region), and a leaked code cannot flood the officers' page."""

VALUE_LIMIT = 300
NOTE_LIMIT = 1000

# The fields a member may ask to correct, and the Member attribute each one changes. Not
# the IIN: it is the record's identity (its blind index keeps a person from being entered
# twice); a wrong IIN is settled in person, with the identity card, as a merge is.
CORRECTABLE: dict[str, str] = {
    "full_name": "full_name",
    "birth_date": "birth_date",
    "phone": "phone",
    "address": "address",
    "region": "region_code",
}

FIELD_NAMES = {
    "full_name": gettext_lazy("full name"),
    "birth_date": gettext_lazy("date of birth"),
    "phone": gettext_lazy("phone"),
    "address": gettext_lazy("address"),
    "region": gettext_lazy("region"),
}


# Codes ----------------------------------------------------------------------------------


def do_issue_data_codes(members: Iterable[Member], *, acting_user: Any) -> list[IssuedCode]:
    """New personal data codes for those of `members` whose requests `acting_user` answers
    (others are left out); each replaces the member's earlier data code."""
    wanted = [m.pk for m in members]
    people = list(data_requests_for(acting_user).filter(pk__in=wanted).order_by("pk"))
    return do_issue_codes(PURPOSE, people, acting_user=acting_user)


def member_for_code(text: str) -> int | None:
    """The id of the member whose live data code `text` is, or None.

    The same work for any text that can be a code: one probe of the unique keyed hash (the
    service key), whether the code is right, wrong, revoked or another purpose's (a vote's).
    """
    found = find_code(text, [PURPOSE])
    return found.member_id() if found else None


# What is held ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Looks:
    """How often one kind of entry in the audit log concerned the member's record."""

    action: str
    count: int
    days: list[datetime.date]  # newest first, each day once


@dataclass(frozen=True)
class CodeUse:
    """A personal code the member was given: which vote or consultation it was for."""

    purpose: str
    issued_on: datetime.date
    live: bool


@dataclass
class OwnRecord:
    member: Member
    groups: list[str]
    officers_looks: list[Looks] = field(default_factory=list)
    own_looks: Looks | None = None
    codes: list[CodeUse] = field(default_factory=list)
    corrections: list[CorrectionRequest] = field(default_factory=list)


def mask_iin(iin: str | None) -> str:
    """The IIN with all but its last four digits hidden (a shoulder, a screenshot)."""
    if not iin:
        return ""
    return "•" * max(0, len(iin) - 4) + iin[-4:]


def _looks(member_id: int) -> tuple[list[Looks], Looks | None]:
    """The audit log's entries about the member's record, by kind: officers' (an account
    acted) and the member's own (their code opened the page). Entries of the system and of
    bulk reads that name no single member are not among them (docs/my-data.md)."""
    entries = audit.entries_about_member(member_id)
    counts: dict[str, int] = defaultdict(int)
    days: dict[str, list[datetime.date]] = defaultdict(list)
    own_count, own_days = 0, []
    for action, actor, actor_id, at in entries.values_list("action", "actor", "actor_id", "at"):
        day = timezone.localdate(at)
        if actor == BY_CODE and actor_id is None:
            own_count += 1
            if day not in own_days:
                own_days.append(day)
        elif actor_id is not None:
            counts[action] += 1
            if day not in days[action]:
                days[action].append(day)
    officers = [Looks(a, counts[a], days[a]) for a in sorted(counts)]
    return officers, Looks("member.self_view", own_count, own_days) if own_count else None


def read_own_record(member_id: int) -> OwnRecord:
    """Everything the page shows, for the member whose data code was typed; the look is
    written to the audit log in the same transaction (it then shows on the page, so a
    member sees when their code was used)."""
    with transaction.atomic():
        member = Member.objects.get(pk=member_id)  # opens the seals: raises Sealed first
        audit.record(
            "member.self_view", acting_user=BY_CODE, target_type="member", target_id=member_id
        )
    groups = group_names_of(member_id)
    purposes = PersonalCode.objects.exclude(purpose=PURPOSE).values_list("purpose", flat=True)
    tokens = tokens_of_member(set(purposes.distinct()), member_id)
    codes = [
        CodeUse(purpose, timezone.localdate(issued_at), revoked_at is None)
        for purpose, issued_at, revoked_at in PersonalCode.objects.filter(voter__in=list(tokens))
        .order_by("-issued_at")
        .values_list("purpose", "issued_at", "revoked_at")
    ]
    officers, own = _looks(member_id)
    corrections = list(
        CorrectionRequest.objects.filter(member_id=member_id).order_by("-created_at", "-id")
    )
    return OwnRecord(member, groups, officers, own, codes, corrections)


# Corrections ----------------------------------------------------------------------------


def check_correction(field_name: str, value: str, note: str = "") -> Any:
    """The value to write for `field_name`, read from what was typed; ValidationError with a
    sentence if it cannot be one."""
    if field_name not in CORRECTABLE:
        raise ValidationError(_("Choose which of your details is wrong."))
    text = collapse_spaces(value or "")
    if not text:
        raise ValidationError(_("Write the correct value."))
    if len(text) > VALUE_LIMIT or len(note or "") > NOTE_LIMIT:
        raise ValidationError(
            _("Write at most %(value)s characters for the value and %(note)s for the note.")
            % {"value": VALUE_LIMIT, "note": NOTE_LIMIT}
        )
    rules = load_jurisdiction("kz")
    if field_name == "birth_date":
        try:
            born = parse_date(text)
        except ValueError:
            born = None
        if born is None or not datetime.date(1900, 1, 1) <= born <= timezone.localdate():
            raise ValidationError(_("Write the date of birth as DD.MM.YYYY, e.g. 05.03.1985."))
        return born
    if field_name == "phone":
        try:
            return normalise_phone(text, rules.phone)
        except ValueError:
            raise ValidationError(
                _("Write one phone number of this country, e.g. +7 701 234 56 78.")
            ) from None
    if field_name == "region":
        region = rules.find_region(text)
        if region is None:
            raise ValidationError(_("Write the name of a region, e.g. Almaty or Karaganda Region."))
        return region.code
    return text


def do_request_correction(
    member_id: int, field_name: str, value: str, note: str = ""
) -> CorrectionRequest:
    """A member's request (made with their data code) to correct one field: kept sealed,
    waiting for an officer of their group. Refused with a sentence if the value cannot be
    one, or if the member already has `OPEN_LIMIT` requests waiting."""
    check_correction(field_name, value, note)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member_id)
        waiting = list(CorrectionRequest.objects.filter(member=member, state=CorrectionState.OPEN))
        typed, noted = collapse_spaces(value), (note or "").strip() or None
        for earlier in waiting:  # the same form sent twice (a reload): one request
            if (earlier.field, earlier.value, earlier.note) == (field_name, typed, noted):
                return earlier
        if len(waiting) >= OPEN_LIMIT:
            raise ValidationError(
                _(
                    "You already have %(n)s requests waiting for an officer of your group. "
                    "Wait until they are answered."
                )
                % {"n": OPEN_LIMIT}
            )
        request = CorrectionRequest.objects.create(
            member=member,
            field=field_name,
            value=typed,
            note=noted,
        )
        audit.record(
            "correction.request",
            acting_user=BY_CODE,
            target_type="member",
            target_id=member.pk,
            detail={"field": field_name},  # no request id: its row names the member
        )
    return request


def requests_for(user: Any, *, state: str = CorrectionState.OPEN) -> QuerySet[CorrectionRequest]:
    """The requests of the members whose requests `user` answers (scoping), oldest first."""
    members = data_requests_for(user).values("pk")
    return (
        CorrectionRequest.objects.filter(member__in=members, state=state)
        .select_related("member")
        .order_by("created_at", "id")
    )


def read_requests(user: Any, *, limit: int = 50) -> list[CorrectionRequest]:
    """The open requests `user` answers, for the officers' page: each member shown gets an
    entry in the audit log (the request shows their record's field and the typed value)."""
    if not can(user, Action.ANSWER_DATA_REQUESTS):
        refuse_out_of_scope(acting_user=user, target_type="page", target_id="data_requests")
    shown = list(requests_for(user)[:limit])
    with transaction.atomic():
        for member_id in sorted({r.member_id for r in shown}):
            audit.record(
                "correction.view",
                acting_user=user,
                target_type="member",
                target_id=member_id,
                detail={"requests": [r.pk for r in shown if r.member_id == member_id]},
            )
    return shown


def check_answers(request_id: int, *, acting_user: Any) -> None:
    """Refuse (audited, and the same whether or not the request exists) unless `acting_user`
    answers the request's member. Outside the answer's transaction: the refusal's audit
    entry must stay when the answer is refused."""
    scope = data_requests_for(acting_user).values("pk")
    if not CorrectionRequest.objects.filter(pk=request_id, member__in=scope).exists():
        refuse_out_of_scope(acting_user=acting_user, target_type="correction", target_id=request_id)


def _request_to_answer(request_id: int) -> CorrectionRequest:
    """The request, locked; ValidationError if it was answered already (a re-sent form)."""
    request = CorrectionRequest.objects.select_for_update().get(pk=request_id)
    if request.state != CorrectionState.OPEN:
        raise ValidationError(
            _("This request was answered already (%(state)s); nothing was changed.")
            % {"state": CorrectionState(request.state).label}
        )
    return request


def do_apply_correction(request_id: int, *, acting_user: Any) -> CorrectionRequest:
    """Write the requested value through the registry's edit service and mark the request
    done, in one transaction with both audit entries. A second apply (a re-sent form) finds
    the request answered and changes nothing."""
    check_answers(request_id, acting_user=acting_user)
    with transaction.atomic():
        request = _request_to_answer(request_id)
        value = check_correction(request.field, request.value)
        do_update_member(
            request.member, {CORRECTABLE[request.field]: value}, acting_user=acting_user
        )
        request.state = CorrectionState.DONE
        request.handled_at = timezone.now()
        request.save(update_fields=["state", "handled_at"])
        audit.record(
            "correction.apply",
            acting_user=acting_user,
            target_type="member",
            target_id=request.member_id,
            detail={"field": request.field},  # no request id: its row names the member
        )
    return request


def do_refuse_correction(request_id: int, reason: str, *, acting_user: Any) -> CorrectionRequest:
    """Refuse the request with a reason the member reads on their page; nothing else changes."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write why the request is refused: the member reads it."))
    if len(reason) > NOTE_LIMIT:
        raise ValidationError(
            _("Write the reason in at most %(n)s characters.") % {"n": NOTE_LIMIT}
        )
    check_answers(request_id, acting_user=acting_user)
    with transaction.atomic():
        request = _request_to_answer(request_id)
        request.state = CorrectionState.REFUSED
        request.reason = reason
        request.handled_at = timezone.now()
        request.save(update_fields=["state", "reason", "handled_at"])
        audit.record(
            "correction.refuse",
            acting_user=acting_user,
            target_type="member",
            target_id=request.member_id,
            detail={"field": request.field},  # no request id: its row names the member
        )
    return request


def field_name(code: str) -> str:
    label = FIELD_NAMES.get(code)
    return str(label) if label is not None else code


def field_choices() -> Sequence[tuple[str, str]]:
    return [(code, str(label)) for code, label in FIELD_NAMES.items()]
