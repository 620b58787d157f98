"""Template context: what the navigation may show to the current user."""

from typing import Any

from django.http import HttpRequest

from kenes.agenda.rules import sees_consultations
from kenes.ballots.rules import sees_elections
from kenes.parliament.rules import sees_scenarios
from kenes.registry.scoping import Action, can


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav = {
        action.value: can(user, action)
        for action in (
            Action.VIEW_AGGREGATES,
            Action.LIST_MEMBERS,
            Action.IMPORT_MEMBERS,
            Action.VIEW_AUDIT_LOG,
            Action.EXPORT_DOSSIER,
            Action.MANAGE_GROUPS,
            Action.MANAGE_ROLES,
        )
    }
    nav["elections"] = sees_elections(user)
    nav["scenarios"] = sees_scenarios(user)
    nav["consultations"] = sees_consultations(user)
    return {"nav": nav}
