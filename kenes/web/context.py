"""Template context: what the navigation may show to the current user."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kenes.agenda.rules import sees_consultations
from kenes.ballots.rules import sees_elections
from kenes.parliament.rules import sees_scenarios
from kenes.registry.scoping import Action, can


def _sections(user: Any) -> dict[str, bool]:
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
            Action.KEEP_CUSTODY,
            Action.ANSWER_DATA_REQUESTS,
            Action.SEE_CONGRESS,
        )
    }
    nav["elections"] = sees_elections(user)
    nav["scenarios"] = sees_scenarios(user)
    nav["consultations"] = sees_consultations(user)
    return nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`nav`: the sections the user may open, worked out only if a template asks.

    Pages without the officers' navigation (the voter pages, served most under load)
    then pay nothing for the roles look-ups.
    """
    user = getattr(request, "user", None)
    return {"nav": SimpleLazyObject(lambda: _sections(user))}
