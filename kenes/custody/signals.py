"""Custody events for the audit log, sent by the commands of this app.

kenes.custody sits below kenes.audit in the layers (it must work before and without the
database), so its commands cannot write audit rows themselves: they send `custody_event`
after the change, and kenes.registry.custody writes the row.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from django.dispatch import Signal

#: kwargs: action ("seal", "unseal", "init"), detail (a dict holding no share or key)
custody_event = Signal()

#: kwargs: key_id. The receiver (kenes.registry.sealed_columns, which may see every model)
#: answers {"uses": {"table.column": count}, "columns": n, "values": n}: how many sealed
#: values still name the key, among how many sealed values in how many columns.
key_uses = Signal()


def count_key_uses(key_id: str) -> dict[str, Any] | None:
    """What the database holds under `key_id`; None when no app answers (nothing counted)."""
    answers = [answer for _, answer in key_uses.send(sender="kenes custody", key_id=key_id)]
    if not answers:
        return None
    uses: dict[str, int] = {}
    columns = values = 0
    for answer in answers:
        uses.update(answer["uses"])
        columns += int(answer["columns"])
        values += int(answer["values"])
    return {"uses": uses, "columns": columns, "values": values}


def tell(action: str, *, detail: dict[str, Any]) -> str:
    """Send the event; "" when it was recorded, else a sentence for the operator.

    The change is already made: a database that cannot be reached does not undo a seal,
    it only means the audit log does not show it.
    """
    try:
        custody_event.send(sender=f"kenes {action}", action=action, detail=detail)
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"Not written to the audit log: the database cannot be reached ({first_line})."
    return ""
