"""The requests page's words and the navigation's notice of bulk reads
(kenes.registry.approvals): trustees and admins see how many requests are open."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from kenes.registry import approvals
from kenes.registry.scoping import Action, can
from kenes.security.keys import Sealed

register = template.Library()


@register.filter
def bulk_read_kind(kind: str) -> str:
    """What a request reads, in the reader's words."""
    if kind == "dossier":
        return _("Registration dossier")
    if kind == "codes":
        return _("Codes file and slips")
    if kind == "members":
        return _("Member list")
    return kind


@register.simple_tag(takes_context=True)
def bulk_read_notices(context: template.Context) -> dict[str, Any]:
    """{"show": may open the requests page, "count": requests to be told of}."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"show": False, "count": 0}
    show = can(user, Action.ASK_BULK_READ) or can(user, Action.SEE_BULK_READS)
    try:
        count = approvals.notice_count(user) if show else 0
    except Sealed:  # whose scope a request covers is sealed: the page itself still works
        count = 0
    return {"show": show, "count": count}
