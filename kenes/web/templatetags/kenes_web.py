"""Small template helpers: region names, statuses, paging links, the current nav section."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kenes.audit.services import is_member_token
from kenes.registry.models import ImportStatus, MemberStatus
from kenes.web import labels, numbers

register = template.Library()


@register.filter
def region_name(code: str) -> str:
    """A region's name in the current language (the code itself if unknown)."""
    return labels.region_name(code)


@register.filter
def consent_method(value: str | None) -> str:
    return labels.consent_method(value)


@register.filter
def member_status(value: str) -> str:
    return str(MemberStatus(value).label) if value in MemberStatus.values else value


@register.filter
def import_status(value: str) -> str:
    return str(ImportStatus(value).label) if value in ImportStatus.values else value


@register.filter
def minutes(value: Any) -> int | str:
    """A timedelta (or hours as a number) as whole minutes; '' if unknown."""
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 60)
    if isinstance(value, int | float):
        return round(value * 60)
    return ""


@register.filter
def percent(value: float) -> int:
    return round(float(value) * 100)


@register.filter
def number(value: Any, places: Any = None) -> str:
    """A figure in the reader's format ("1320.5000" -> "1 320,5" in Russian); `places`
    rounds first."""
    return numbers.localized(value, int(places) if places not in (None, "") else None)


@register.filter
def data_text(text: Any) -> str:
    """A text from the jurisdiction data (a law, a rule's name, a source) in the reader's
    language."""
    return labels.data_text(text)


@register.filter
def registration_rule_title(rule_id: str) -> str:
    """A registration rule's law in the reader's language, not its id ("kz-2022")."""
    return labels.registration_rule_title(rule_id)


@register.filter
def registration_rule_choice(rule_id: str) -> str:
    return labels.registration_rule_choice(rule_id)


@register.filter
def seat_rules_name(rules_id: str) -> str:
    """Seat rules by their name in the reader's language, not their id ("kz-majilis-2023")."""
    return labels.seat_rules_name(rules_id)


@register.filter
def audit_action(code: str) -> str:
    """An audit action code ("role.grant") as words in the reader's language."""
    return labels.audit_action(code)


@register.filter
def audit_target(target_type: str) -> str:
    """What an audit entry acted on ("member", "election") in the reader's words."""
    return labels.audit_target(target_type)


@register.filter
def audit_target_id(entry: Any) -> str:
    """An entry's target id to read: a member's token (64 hex characters that only the
    server's secret ties to a member) shortened to its first 12, enough to see that several
    entries are about one member."""
    target_id = str(entry.target_id)
    if is_member_token(entry.target_type, target_id):
        return target_id[:12] + "…"
    return target_id


@register.filter
def audit_detail(detail: Any) -> list[tuple[str, str]]:
    """An audit entry's detail as (label, value) pairs to read, not JSON."""
    return labels.audit_detail(detail)


@register.filter
def detail_summary(detail: Any, limit: int = 160) -> str:
    """An audit entry's detail as short one-line JSON."""
    if not detail:
        return ""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, section: str) -> SafeString | str:
    """` aria-current="page"` on the link of the section the page belongs to."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", "") or ""
    if name.startswith(section):
        return format_html(' aria-current="{}"', "page")
    return ""


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """The current URL's query string with `page` replaced."""
    request = context["request"]
    query = request.GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
