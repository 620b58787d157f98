"""Consultations: creating, moving phase, issuing codes, taking part, moderating.

`check_*` functions validate, `do_*` functions change state. Every officer's action takes a
keyword-only `acting_user` and is audited in the same transaction. What participants do
(add a statement, vote) is not audited: an entry per opinion would time-stamp who said
what (docs/agenda.md).
"""

from __future__ import annotations

import contextlib
import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.agenda import phases, selection, tasks
from kenes.agenda.models import (
    Consultation,
    OpinionVote,
    Participant,
    Phase,
    Statement,
    StatementStatus,
)
from kenes.audit import services as audit
from kenes.core.plain_text import control_characters
from kenes.participation import services as codes
from kenes.participation.codes import normalise
from kenes.registry.models import Member
from kenes.registry.selectors import group_slugs_of, members_in_good_standing
from kenes.security.keys import Sealed
from kenes.security.sealing import blind_index, service_index

MAX_STATEMENT = 300
"""Characters in a statement: one thought that reads on a small screen."""

AGREE, DISAGREE, PASS = 1, -1, 0
VALUES = {"agree": AGREE, "disagree": DISAGREE, "pass": PASS}


class AgendaError(Exception):
    """A refused action, with a sentence that says what to do."""


def _phase_name(phase: str) -> str:
    return str(Phase(phase).label) if phase in Phase.values else phase


def check_action(consultation: Consultation, action: str) -> None:
    """Refuse what the consultation's phase does not allow (kenes/agenda/phases.py)."""
    if not phases.allows(consultation.phase, action):
        raise AgendaError(
            _("This consultation is in the phase “%(phase)s”: that is not possible now.")
            % {"phase": _phase_name(consultation.phase)}
        )


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def do_create_consultation(
    title: str,
    *,
    question: str,
    description: str = "",
    cutoff_on: datetime.date,
    region_code: str = "",
    group: Any = None,
    moderation: bool = True,
    acting_user: Any,
) -> Consultation:
    if region_code and group is not None:
        raise AgendaError(
            _("Who takes part is the whole party, one region or one group, not both.")
        )
    with transaction.atomic():
        consultation = Consultation.objects.create(
            title=title,
            question=question,
            description=description,
            cutoff_on=cutoff_on,
            region_code=region_code,
            group=group,
            moderation=moderation,
            seed=secrets.randbelow(2**31),
        )
        audit.record(
            "agenda.create",
            acting_user=acting_user,
            target_type="consultation",
            target_id=consultation.pk,
            detail={"title": title, "region": region_code, "group": getattr(group, "pk", None)},
        )
    return consultation


def do_move_phase(consultation: Consultation, target: str, *, acting_user: Any) -> None:
    """Move to the next phase; closing revokes the personal codes."""
    with transaction.atomic():
        consultation = _locked(consultation)
        if not phases.can_move(consultation.phase, target):
            raise AgendaError(
                _("This consultation cannot go from “%(old)s” to “%(new)s”.")
                % {"old": _phase_name(consultation.phase), "new": _phase_name(target)}
            )
        old = consultation.phase
        consultation.phase = target
        consultation.save(update_fields=["phase"])
        if target == phases.CLOSED:
            codes.do_revoke_codes(consultation.purpose, acting_user=acting_user)
        audit.record(
            f"agenda.{target}",
            acting_user=acting_user,
            target_type="consultation",
            target_id=consultation.pk,
            detail={"old": old, "new": target},
        )
    if target == phases.REPORT:
        request_recompute(consultation, force=True)


def electorate(consultation: Consultation) -> Any:
    """Members in good standing on the cut-off date, in the consultation's region or group."""
    return members_in_good_standing(
        consultation.cutoff_on, region_code=consultation.region_code, group_id=consultation.group_id
    )


def do_issue_codes(
    consultation: Consultation, *, acting_user: Any, members: Iterable[Member] | None = None
) -> list[codes.IssuedCode]:
    """Personal codes for the electorate (or some of its members); returned once.

    A member who gets a new code becomes a new participant: the participant key is a hash
    of (consultation, code) under the service key (`participant_key_for_code`), so that a
    sealed server takes part and a seized copy cannot name participants by member id.
    """
    if consultation.phase not in (phases.COLLECT, phases.VOTE):
        raise AgendaError(_("Codes are issued only while members can still vote."))
    eligible = electorate(consultation)
    people = list(eligible if members is None else eligible.filter(pk__in=[m.pk for m in members]))
    return codes.do_issue_codes(consultation.purpose, people, acting_user=acting_user)


# Taking part ---------------------------------------------------------------------------


def find_consultation(code: str) -> Consultation | None:
    """The consultation (collecting, voting or reporting) this personal code opens, or None.

    By the code's index alone (no member row is read): works while the server is sealed.
    """
    live = (phases.COLLECT, phases.VOTE, phases.REPORT)
    for consultation in Consultation.objects.filter(phase__in=live).order_by("pk"):
        if codes.find_code(code, [consultation.purpose]) is not None:
            return consultation
    return None


def participant_key(consultation: Consultation, member: Member) -> str:
    """The key of participants made before the service key: a keyed hash of (consultation,
    member) under the FIELD key (custody). Looked up only while unsealed, so that a member
    of a consultation begun before the change stays the same participant."""
    return participant_key_of(consultation.pk, member.pk)


def participant_key_of(consultation_id: int, member_id: int) -> str:
    return blind_index(f"agenda-participant:{consultation_id}:{member_id}")


def participant_key_for_code(consultation_id: int, code: str) -> str:
    """A participant: a keyed hash of (consultation, personal code) under the service key.

    The service key is not in custody, so a seized copy holds it: keyed by the member id
    (a few bits of entropy) the participants — and their opinions — would be named by
    trying every member; keyed by the code (75 random bits, stored nowhere in the clear)
    they are not. A reissued code is a new participant (docs/ballots-threat-model.md).
    """
    return service_index(f"agenda-participant:{consultation_id}:{normalise(code) or ''}")


def participant_for_code(consultation: Consultation, code: str) -> Participant | None:
    """The participant behind a personal code, created (with its labels) at first use.

    Reads nothing sealed to take part (the region comes with the code row), so it works
    while the server is sealed; the groups and a participant made before the service key
    need the member id, sealed on the code row, and are found only while unsealed.
    """
    found_code = codes.find_code(code, [consultation.purpose])
    if found_code is None:
        return None
    key = participant_key_for_code(consultation.pk, code)
    found = Participant.objects.filter(consultation=consultation, key=key).first()
    if found is not None:
        return found
    member_id: int | None = None
    with contextlib.suppress(Sealed):  # one made before the service key, found while unsealed
        member_id = found_code.member_id()
        legacy = participant_key_of(consultation.pk, member_id)
        found = Participant.objects.filter(consultation=consultation, key=legacy).first()
        if found is not None:
            return found
    region_code = found_code.region_code
    # A member's groups are sealed (kenes.registry.rosters): while sealed, someone who
    # first takes part counts in no group (docs/security.md, "Group memberships").
    slugs: list[str] = []
    if member_id is not None:
        with contextlib.suppress(Sealed):
            slugs = sorted(group_slugs_of(member_id))
    Participant.objects.bulk_create(
        [
            Participant(
                consultation=consultation,
                key=key,
                groups=slugs,
                region_code=region_code,
            )
        ],
        ignore_conflicts=True,  # two first requests at once: one row
    )
    return Participant.objects.get(consultation=consultation, key=key)


def check_statement_text(text: str) -> str:
    if control_characters(text):
        raise AgendaError(
            _(
                "The statement contains invisible control characters. "
                "Type or paste it again as plain text."
            )
        )
    cleaned = " ".join(text.split())
    if not cleaned:
        raise AgendaError(_("Write the statement first."))
    if len(cleaned) > MAX_STATEMENT:
        raise AgendaError(
            _("A statement has at most %(n)s characters: say one thing, briefly.")
            % {"n": MAX_STATEMENT}
        )
    return cleaned


def do_add_statement(consultation: Consultation, participant: Participant, text: str) -> Statement:
    """A participant's statement: waiting for approval when the consultation is moderated."""
    cleaned = check_statement_text(text)
    with transaction.atomic():
        consultation = _locked(consultation)
        check_action(consultation, "add_statement")
        if participant.consultation_id != consultation.pk:
            raise AgendaError(_("This code does not open this consultation."))
        if Statement.objects.filter(consultation=consultation, text__iexact=cleaned).exists():
            raise AgendaError(_("This statement is already there: vote on it instead."))
        return Statement.objects.create(
            consultation=consultation,
            text=cleaned,
            status=StatementStatus.PENDING if consultation.moderation else StatementStatus.APPROVED,
            seeded=False,
            created_on=timezone.localdate(),
        )


def do_vote(participant: Participant, statement_id: int, value: int) -> None:
    """Agree (+1), disagree (−1) or pass (0); a new vote on a statement replaces the earlier."""
    if value not in (AGREE, DISAGREE, PASS):
        raise AgendaError(_("Choose agree, disagree or pass."))
    with transaction.atomic():
        consultation = Consultation.objects.get(pk=participant.consultation_id)
        check_action(consultation, "vote")
        if not Statement.objects.filter(
            pk=statement_id, consultation=consultation, status=StatementStatus.APPROVED
        ).exists():
            raise AgendaError(_("This statement is no longer open for votes."))
        OpinionVote.objects.bulk_create(
            [OpinionVote(statement_id=statement_id, participant=participant, value=value)],
            update_conflicts=True,
            unique_fields=["statement", "participant"],
            update_fields=["value"],
        )
        request_recompute(consultation)


def next_statement(participant: Participant) -> Statement | None:
    """The next statement for this participant (kenes/agenda/selection.py), or None."""
    consultation = participant.consultation
    open_statements = (
        Statement.objects.filter(consultation=consultation, status=StatementStatus.APPROVED)
        .exclude(votes__participant=participant)
        .annotate(n=Count("votes"))
        .values_list("pk", "n")
    )
    counts = dict(open_statements)
    divergence = {
        int(k): float(v) for k, v in ((consultation.analysis or {}).get("divergence") or {}).items()
    }
    chosen = selection.next_statement(
        counts,
        counts,
        divergence,
        seed=int(consultation.seed),
        participant_key=participant.key,
    )
    return Statement.objects.get(pk=chosen) if chosen is not None else None


def progress(participant: Participant) -> tuple[int, int]:
    """(statements voted on, approved statements)."""
    approved = Statement.objects.filter(
        consultation_id=participant.consultation_id, status=StatementStatus.APPROVED
    )
    voted = approved.filter(votes__participant=participant).count()
    return voted, approved.count()


# Recomputing the analysis --------------------------------------------------------------

STALE_GROWTH_PERCENT = 10
"""The analysis is stale once the votes grew by 10% since it was computed ..."""
STALE_AFTER = datetime.timedelta(minutes=10)
"""... or it is older than this and any vote came in since."""
STUCK_AFTER = datetime.timedelta(minutes=30)
"""A request older than this is taken as lost (a worker died) and may be made again."""


def is_stale(
    votes_counted: int | None,
    computed_at: datetime.datetime | None,
    votes_now: int,
    now: datetime.datetime,
) -> bool:
    """Does the stored analysis need recomputing? (STALE_GROWTH_PERCENT, STALE_AFTER)"""
    if votes_counted is None or computed_at is None:
        return votes_now > 0
    if votes_now <= votes_counted:
        return False
    grown = (votes_now - votes_counted) * 100 >= votes_counted * STALE_GROWTH_PERCENT
    return grown or now - computed_at >= STALE_AFTER


def votes_now(consultation: Consultation) -> int:
    return OpinionVote.objects.filter(
        statement__consultation=consultation, statement__status=StatementStatus.APPROVED
    ).count()


def request_recompute(consultation: Consultation, *, force: bool = False) -> bool:
    """Enqueue one recompute if the analysis is stale (or `force`); True if this call did.

    The guard is in the database: one UPDATE claims the request only where none is pending,
    so of many concurrent voters exactly one enqueues (PostgreSQL re-checks the WHERE after
    waiting for a concurrent update of the row; SQLite serialises writers).
    """
    now = timezone.now()
    pending = consultation.recompute_requested_at
    if pending is not None and now - pending < STUCK_AFTER:
        return False
    if not force:
        stored = consultation.analysis or {}
        if not is_stale(
            stored.get("votes_counted"), consultation.analysis_at, votes_now(consultation), now
        ):
            return False
    claimed = (
        Consultation.objects.filter(pk=consultation.pk)
        .filter(
            Q(recompute_requested_at__isnull=True) | Q(recompute_requested_at__lt=now - STUCK_AFTER)
        )
        .update(recompute_requested_at=now)
    )
    if not claimed:
        return False
    pk = consultation.pk
    transaction.on_commit(lambda: tasks.recompute.enqueue(pk))
    return True
