"""What one officer is shown of one member: the whole record, or what their group entered.

A group coordinator whose group joined a person already in the registry (same IIN,
name, birth date and region) sees what they typed and nothing another group stored:
docs/security.md, "Merging". Scoping decides who sees the record
(kenes.registry.scoping.records_for); this module builds the card from it.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from kenes.registry.models import ConstituentGroup, Member
from kenes.registry.rosters import entered_for
from kenes.registry.scoping import groups_seen, own_group_ids, records_for


@dataclass(frozen=True)
class MemberCard:
    """What one officer is shown of one member (the page and the API draw this).

    `whole_record` is False for a group coordinator whose group joined a person whose
    record another group made: they see the record's name, IIN, birth date and region
    (they typed the same), the party-wide status, and of the rest only what their group
    entered.
    """

    pk: int
    full_name: str
    iin: str | None
    birth_date: datetime.date | None
    sex: str
    region_code: str
    status: str
    phone: str | None
    address: str | None
    joined_on: datetime.date | None
    left_on: datetime.date | None
    consent_on: datetime.date | None
    consent_method: str
    created_at: datetime.datetime | None
    groups: list[ConstituentGroup]
    whole_record: bool


def member_card(member: Member, *, acting_user: Any) -> MemberCard:
    """The fields of `member` that `acting_user` may see (after `get_member_for_viewing`)."""
    groups = groups_seen(acting_user, member)
    if records_for(acting_user).filter(pk=member.pk).exists():
        return MemberCard(
            pk=member.pk,
            full_name=member.full_name,
            iin=member.iin,
            birth_date=member.birth_date,
            sex=member.sex,
            region_code=member.region_code,
            status=member.status,
            phone=member.phone,
            address=member.address,
            joined_on=member.joined_on,
            left_on=member.left_on,
            consent_on=member.consent_on,
            consent_method=member.consent_method,
            created_at=member.created_at,
            groups=groups,
            whole_record=True,
        )
    typed = entered_by_groups(member.pk, own_group_ids(acting_user))
    return MemberCard(
        pk=member.pk,
        full_name=member.full_name,
        iin=member.iin,
        birth_date=member.birth_date,
        sex="",
        region_code=member.region_code,
        status=member.status,
        phone=typed.get("phone") or None,
        address=typed.get("address") or None,
        joined_on=_day(typed.get("joined_on")),
        left_on=None,
        consent_on=_day(typed.get("consent_on")),
        consent_method=typed.get("consent_method") or "",
        created_at=None,
        groups=groups,
        whole_record=False,
    )


def _day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def entered_by_groups(member_id: int, group_ids: set[int]) -> dict[str, Any]:
    """What these groups typed for the person (the first group's value of each field)."""
    typed: dict[str, Any] = {}
    for text in entered_for(member_id, sorted(group_ids)):
        for field, value in json.loads(text).items():
            if value and field not in typed:
                typed[field] = value
    return typed
