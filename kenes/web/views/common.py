"""Helpers shared by the page families."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from kenes.registry.models import Member
from kenes.registry.readiness import good_standing

PAGE_SIZE = 50
# What a member list shows: never the sealed fields, which would be decrypted for nothing.
LIST_FIELDS = ("pk", "full_name", "region_code", "status")


def page_of(request: HttpRequest, items: Sequence[Any] | Any, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def good_standing_by_group() -> dict[int, int]:
    """Members in good standing today per group id: an aggregate, not personal data."""
    rows = (
        Member.objects.filter(good_standing(timezone.localdate()))
        .values_list("memberships__group")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return {group_id: n for group_id, n in rows if group_id is not None}
