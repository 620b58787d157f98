"""Helpers shared by the page families."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kenes.registry.models import Member
from kenes.registry.name_search import SORT_LIMIT, by_name, ids_of, in_order, name_order
from kenes.registry.screen_budget import ScreenBudget
from kenes.registry.selectors import count_good_standing_by_group, kept_good_standing_by_group
from kenes.security.keys import Sealed

PAGE_SIZE = 50
# What a member list shows: never the sealed fields, which would be decrypted for nothing.
LIST_FIELDS = ("pk", "full_name", "region_code", "status")
ID_LIST = 50_000  # a list this long is paged over its ids read once (400 kB of integers)


def page_of(request: HttpRequest, items: Sequence[Any] | Any, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def member_page(request: HttpRequest, members: QuerySet[Member]) -> Page:
    """A page of `members` (already scoped) to list: in name order when there are at most
    SORT_LIMIT of them, else in the order they were entered, each page's rows by name
    (names are sealed: the database cannot sort them)."""
    # One read of the ids serves the count and every page (up to ID_LIST members): the
    # scope and the name search are evaluated once, not once for the count and again
    # for the page.
    ids = ids_of(members, ID_LIST)
    if len(ids) <= ID_LIST:
        return member_page_of_ids(request, ids)
    listed = members.only(*LIST_FIELDS).order_by("pk")
    paginator = Paginator(listed, PAGE_SIZE)
    known = getattr(members, "found_count", None)  # counted by the name index
    if known is not None:
        paginator.count = known  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = by_name(page.object_list)
    return page


def member_page_of_ids(request: HttpRequest, ids: Sequence[int]) -> Page:
    """Like `member_page`, for ids found in Python (already scoped)."""
    if len(ids) <= SORT_LIMIT:
        ordered = name_order(Member.objects.filter(pk__in=list(ids)))
        return _page_in_order(request, ordered or [])
    page = page_of(request, sorted(set(ids)))
    listed = Member.objects.only(*LIST_FIELDS)
    page.object_list = by_name(listed.filter(pk__in=list(page.object_list)))
    return page


def _page_in_order(request: HttpRequest, ids: list[int]) -> Page:
    page = page_of(request, ids)
    listed = Member.objects.only(*LIST_FIELDS)
    page.object_list = in_order(listed, list(page.object_list))
    return page


def screen_limit_page(request: HttpRequest, budget: ScreenBudget) -> HttpResponse:
    """The answer of a page of members once the officer's daily screen limit is reached
    (kenes.registry.screen_budget): one sentence, nothing of any member; 403, a refusal."""
    return render(request, "web/members/screen_budget.html", {"budget": budget}, status=403)


def good_standing_by_group() -> dict[int, int]:
    """Members in good standing today per group id: an aggregate, not personal data.

    Counted from the rosters while unsealed (and kept); while sealed, the last count kept
    (kenes.registry.models.GroupStanding).
    """
    try:
        return count_good_standing_by_group(timezone.localdate())
    except Sealed:
        return kept_good_standing_by_group()
