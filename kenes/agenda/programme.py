"""The programme builder: officers turn consensus statements into ordered planks.

Planks are edited text with the statements behind them; `programme_text` is the draft that
goes to a ratification motion (the web layer creates the motion in the ballots app, since
agenda may not import ballots, and keeps its id on the consultation).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kenes.agenda.models import Consultation, Plank, Statement, StatementStatus
from kenes.agenda.services import AgendaError
from kenes.audit import services as audit


def _record(action: str, consultation: Consultation, *, acting_user: Any, **detail: Any) -> None:
    audit.record(
        f"agenda.{action}",
        acting_user=acting_user,
        target_type="consultation",
        target_id=consultation.pk,
        detail=detail,
    )


def do_add_plank(
    consultation: Consultation,
    *,
    title: str,
    text: str,
    statement_ids: Iterable[int],
    acting_user: Any,
) -> Plank:
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise AgendaError(_("A plank needs a title and a text."))
    if consultation.ratification_election_id is not None:
        raise AgendaError(
            _("The programme has been sent to ratification: it can no longer change.")
        )
    statements = list(
        Statement.objects.filter(
            consultation=consultation, pk__in=list(statement_ids), status=StatementStatus.APPROVED
        )
    )
    with transaction.atomic():
        last = Plank.objects.filter(consultation=consultation).aggregate(m=Max("position"))["m"]
        plank = Plank.objects.create(
            consultation=consultation,
            title=title[:300],
            text=text,
            position=0 if last is None else last + 1,
        )
        plank.statements.set(statements)
        _record(
            "plank_add",
            consultation,
            acting_user=acting_user,
            plank=plank.pk,
            statements=[s.pk for s in statements],
        )
    return plank


def do_move_plank(plank: Plank, step: int, *, acting_user: Any) -> None:
    """Swap the plank with its neighbour above (step −1) or below (step +1)."""
    with transaction.atomic():
        planks = list(
            Plank.objects.select_for_update().filter(consultation_id=plank.consultation_id)
        )
        order = [p.pk for p in planks]
        i = order.index(plank.pk)
        j = i + (1 if step > 0 else -1)
        if not 0 <= j < len(planks):
            return
        planks[i], planks[j] = planks[j], planks[i]
        for position, p in enumerate(planks):
            if p.position != position:
                p.position = position
                p.save(update_fields=["position"])
        _record(
            "plank_move",
            plank.consultation,
            acting_user=acting_user,
            plank=plank.pk,
            step=1 if step > 0 else -1,
        )


def do_remove_plank(plank: Plank, *, acting_user: Any) -> None:
    with transaction.atomic():
        consultation = plank.consultation
        _record("plank_remove", consultation, acting_user=acting_user, plank=plank.pk)
        plank.delete()


def programme_text(consultation: Consultation) -> str:
    """The draft programme as plain text: numbered planks, title then text."""
    parts = [
        f"{n}. {plank.title}\n{plank.text}"
        for n, plank in enumerate(Plank.objects.filter(consultation=consultation), start=1)
    ]
    return "\n\n".join(parts)


def check_ratifiable(consultation: Consultation) -> str:
    if consultation.ratification_election_id is not None:
        raise AgendaError(_("The programme has already been sent to a ratification motion."))
    text = programme_text(consultation)
    if not text:
        raise AgendaError(_("Add at least one plank before sending the programme."))
    return text


def do_record_ratification(
    consultation: Consultation, election_id: int, *, acting_user: Any
) -> None:
    """Keep the ratification motion's id (call inside the transaction that created it)."""
    updated = Consultation.objects.filter(
        pk=consultation.pk, ratification_election_id__isnull=True
    ).update(ratification_election_id=election_id)
    if not updated:
        raise AgendaError(_("The programme has already been sent to a ratification motion."))
    consultation.ratification_election_id = election_id
    _record("ratify", consultation, acting_user=acting_user, election=election_id)
