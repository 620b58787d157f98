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
