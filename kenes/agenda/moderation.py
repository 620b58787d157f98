"""Coordinators moderate statements: add seed statements, approve, hide, merge duplicates.

Every action is audited in the same transaction (kenes.audit.services.record).

Merging a duplicate into a statement does NOT move the duplicate's votes. Agreeing with one
wording is not agreeing with another, and a member who voted on both would count twice.
The duplicate becomes "merged" (kept, with its votes, out of the analysis and out of the
voting queue); its voters have not voted on the kept statement, so the selection rule
shows it to them next, and they vote on its wording themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.agenda import phases
from kenes.agenda.models import Consultation, Statement, StatementStatus
from kenes.agenda.services import AgendaError, check_statement_text
from kenes.audit import services as audit

MAX_REASON = 300


def _record(action: str, statement: Statement, *, acting_user: Any, **detail: Any) -> None:
    audit.record(
        f"agenda.{action}",
        acting_user=acting_user,
        target_type="statement",
        target_id=statement.pk,
        detail={"consultation": statement.consultation_id, **detail},
    )


def _locked(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().get(pk=statement.pk)


def _check_open(consultation: Consultation) -> None:
    if consultation.phase not in (phases.COLLECT, phases.VOTE):
        raise AgendaError(_("Statements are moderated only while members can still vote."))


def do_add_seed_statements(
    consultation: Consultation, texts: Iterable[str], *, acting_user: Any
) -> list[Statement]:
    """Officers' statements, approved at once; blank lines and repeats are skipped."""
    _check_open(consultation)
    existing = {
        t.casefold()
        for t in Statement.objects.filter(consultation=consultation).values_list("text", flat=True)
    }
    added: list[Statement] = []
    with transaction.atomic():
        for text in texts:
            if not text.strip():
                continue
            cleaned = check_statement_text(text)
            if cleaned.casefold() in existing:
                continue
            existing.add(cleaned.casefold())
            statement = Statement.objects.create(
                consultation=consultation,
                text=cleaned,
                status=StatementStatus.APPROVED,
                seeded=True,
                created_on=timezone.localdate(),
            )
            _record("seed", statement, acting_user=acting_user)
            added.append(statement)
    return added


def do_approve(statement: Statement, *, acting_user: Any) -> None:
    with transaction.atomic():
        statement = _locked(statement)
        _check_open(statement.consultation)
        if statement.status == StatementStatus.MERGED:
            raise AgendaError(
                _("A merged statement stays merged: approve the one it was merged into.")
            )
        old = statement.status
        statement.status = StatementStatus.APPROVED
        statement.hidden_reason = ""
        statement.save(update_fields=["status", "hidden_reason"])
        _record("approve", statement, acting_user=acting_user, old=old)


def do_hide(statement: Statement, reason: str, *, acting_user: Any) -> None:
    """Hide a statement from voting and analysis; the reason is required and audited."""
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise AgendaError(_("Say why the statement is hidden."))
    with transaction.atomic():
        statement = _locked(statement)
        _check_open(statement.consultation)
        old = statement.status
        statement.status = StatementStatus.HIDDEN
        statement.hidden_reason = reason
        statement.save(update_fields=["status", "hidden_reason"])
        _record("hide", statement, acting_user=acting_user, old=old, reason=reason)


def do_merge(duplicate: Statement, into: Statement, *, acting_user: Any) -> None:
    """Merge `duplicate` into `into` (see the module docstring: votes are not moved)."""
    if duplicate.pk == into.pk or duplicate.consultation_id != into.consultation_id:
        raise AgendaError(_("Merge a statement into another statement of the same consultation."))
    with transaction.atomic():
        duplicate, into = _locked(duplicate), _locked(into)
        _check_open(duplicate.consultation)
        if into.status != StatementStatus.APPROVED:
            raise AgendaError(_("Merge duplicates into an approved statement."))
        old = duplicate.status
        duplicate.status = StatementStatus.MERGED
        duplicate.merged_into = into
        duplicate.save(update_fields=["status", "merged_into"])
        # Keep merges one level deep: what pointed at the duplicate now points at `into`.
        Statement.objects.filter(merged_into=duplicate).update(merged_into=into)
        _record("merge", duplicate, acting_user=acting_user, old=old, into=into.pk)
