"""Small template helpers: region names, statuses, paging links, the current nav section."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kenes.registry.models import ImportStatus, MemberStatus
from kenes.web import labels

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
