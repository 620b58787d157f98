"""The registry's HTTP API (django-ninja; the OpenAPI schema is at /api/v1/openapi.json).

The interactive docs page is off: it would load Swagger UI from a CDN, and no
page of Kenes may load anything from another host.

Session-authenticated; every endpoint goes through the same scoping layer
and services as the pages, and every look at personal data is audited.

A member list longer than the national admin's limit (kenes.registry.approvals,
`api_limit`: 50 unless set otherwise) is a bulk read: the API answers 403 with a sentence
that points to the requests page, where the list is asked for as a file other officers
approve. The limit counts every member the query matches, not one page (paging through a
long list is reading it); no token reopens the API, so an approval always ends in one
watermarked file.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from kenes.audit import services as audit
from kenes.core.rules import UnknownRules
from kenes.registry import approvals
from kenes.registry.member_cards import member_card
from kenes.registry.name_search import with_name
from kenes.registry.readiness import compute_readiness
from kenes.registry.scoping import Action, can, groups_for, groups_seen, members_for
from kenes.registry.screen_budget import check_screen_budget
from kenes.registry.services import get_member_for_viewing

api = NinjaAPI(
    title="Kenes registry", version="1", urls_namespace="api-v1", auth=django_auth, docs_url=None
)
PAGE = 100
# Database ids are 64-bit: a larger one cannot name a member and must not reach the database.
MAX_ID = 2**63 - 1


class GroupOut(Schema):
    slug: str
    name: str
    concern: str


class MemberSummary(Schema):
    id: int
    full_name: str
    region_code: str
    status: str
    groups: list[str]


class MemberPage(Schema):
    count: int
    page: int
    members: list[MemberSummary]


class MemberDetail(MemberSummary):
    iin: str | None
    birth_date: datetime.date | None
    phone: str | None
    address: str | None
    joined_on: datetime.date | None
    consent_on: datetime.date | None
    consent_method: str


def _require(request: HttpRequest, action: Action) -> None:
    if not can(request.user, action):
        raise HttpError(403, "Your role does not allow this.")


@api.get("/groups", response=list[GroupOut])
def list_groups(request: HttpRequest) -> Any:
    _require(request, Action.VIEW_AGGREGATES)
    return list(groups_for(request.user))


@api.get("/readiness")
def readiness(request: HttpRequest, rules: str | None = None) -> Any:
    _require(request, Action.VIEW_AGGREGATES)
    try:
        return compute_readiness(rules).as_json()
    except UnknownRules as exc:
        raise HttpError(400, str(exc)) from exc


def _refuse_if_screen_limit_reached(
    request: HttpRequest, *, target_type: str = "api", target_id: Any
) -> None:
    """The API's reads count against the officer's daily screen limit like the pages'
    (kenes.registry.screen_budget): a script with a stolen session reads no more."""
    budget = check_screen_budget(
        "api", acting_user=request.user, target_type=target_type, target_id=target_id
    )
    if budget.used_up:
        raise HttpError(
            403,
            f"You were shown {budget.shown} members' rows in the last 24 hours and the daily "
            f"limit is {budget.limit}, so no more members are shown: ask for a member list "
            f"as a file on {request.build_absolute_uri(reverse('bulk_reads'))}, where other "
            "officers approve it.",
        )


@api.get("/members", response=MemberPage)
def list_members(
    request: HttpRequest, q: str = "", region: str = "", status: str = "", page: int = 1
) -> Any:
    _require(request, Action.LIST_MEMBERS)
    if page < 1:
        raise HttpError(400, "Pages are numbered from 1.")
    _refuse_if_screen_limit_reached(request, target_id="members")
    # In the order members were entered: names are sealed, and pages must not shift.
    members = members_for(request.user).order_by("pk")
    if q:
        members = with_name(members, q)
    if region:
        members = members.filter(region_code=region)
    if status:
        members = members.filter(status=status)
    count = members.count()
    limit = approvals.api_limit()
    if count > limit:
        audit.record_standalone(
            "bulk_read.api_refused",
            acting_user=request.user,
            target_type="api",
            target_id="members",
            detail={"count": count, "api_limit": limit},
        )
        raise HttpError(
            403,
            f"This query matches {count} members, more than the {limit} the API gives "
            "without a second officer's approval. Narrow it (q, region, status), or ask for "
            f"the list as a file on {request.build_absolute_uri(reverse('bulk_reads'))}: "
            "other officers approve it, and it is made once for you.",
        )
    last = max(1, -(-count // PAGE))
    if page > last:
        raise HttpError(404, f"There is no page {page}: the last page is {last}.")
    chunk = list(members[(page - 1) * PAGE : page * PAGE])
    audit.record_standalone(
        "member.list",
        acting_user=request.user,
        detail={
            "via": "api",
            "q": q,
            "region": region,
            "status": status,
            "page": page,
            "count": len(chunk),
        },
    )
    return {
        "count": count,
        "page": page,
        "members": [_summary(m, request.user) for m in chunk],
    }


@api.get("/members/{member_id}", response=MemberDetail)
def member_detail(request: HttpRequest, member_id: int) -> Any:
    if not 1 <= member_id <= MAX_ID:
        raise HttpError(404, "No such member in your scope.")
    _refuse_if_screen_limit_reached(request, target_type="member", target_id=member_id)
    try:
        member = get_member_for_viewing(member_id, acting_user=request.user, purpose="view")
    except PermissionDenied as exc:
        raise HttpError(404, "No such member in your scope.") from exc
    card = member_card(member, acting_user=request.user)
    return {
        "id": card.pk,
        "full_name": card.full_name,
        "region_code": card.region_code,
        "status": card.status,
        "groups": [g.slug for g in card.groups],
        "iin": card.iin,
        "birth_date": card.birth_date,
        "phone": card.phone,
        "address": card.address,
        "joined_on": card.joined_on,
        "consent_on": card.consent_on,
        "consent_method": card.consent_method,
    }


def _summary(member: Any, user: Any) -> dict[str, Any]:
    return {
        "id": member.pk,
        "full_name": member.full_name,
        "region_code": member.region_code,
        "status": member.status,
        "groups": [g.slug for g in groups_seen(user, member)],
    }
