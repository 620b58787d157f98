"""Read-only questions other apps ask the registry (aggregates, no personal data)."""

from __future__ import annotations

import datetime
from collections import Counter
from fractions import Fraction

from django.db.models import Count, QuerySet

from kenes.registry import rosters
from kenes.registry.models import ConstituentGroup, GroupStanding, Member
from kenes.registry.readiness import good_standing
from kenes.registry.rosters import (
    groups_by_member,
    groups_of_member,
    ids_in,
    member_ids_of,
    open_rosters,
)


def good_standing_by_region(on: datetime.date) -> dict[str, int]:
    """Members in good standing on `on`, per current region code (each person once)."""
    rows = (
        Member.objects.filter(good_standing(on)).values_list("region_code").annotate(n=Count("pk"))
    )
    return dict(rows.order_by())


def good_standing_by_group(on: datetime.date) -> dict[str, Fraction]:
    """Members in good standing per group slug, a person in k groups counting 1/k in each.

    So the groups' shares add up to the party's members: nobody counts twice.
    """
    counted = set(
        Member.objects.filter(good_standing(on)).values_list("pk", flat=True).iterator(5000)
    )
    slugs = dict(ConstituentGroup.objects.values_list("pk", "slug"))
    shares: dict[str, Fraction] = {slug: Fraction(0) for slug in slugs.values()}
    # Every roster is opened (sealed: raises Sealed); members counted are intersected.
    rosters = {gid: r.ids & counted for gid, r in open_rosters(list(slugs)).items()}
    groups_of = Counter(pk for ids in rosters.values() for pk in ids)
    # Counted per (group, k) first: a few fractions to add, not one per membership.
    for gid, ids in rosters.items():
        per_k = Counter(groups_of[pk] for pk in ids)
        for k, n in per_k.items():
            shares[slugs[gid]] += Fraction(n, k)
    return shares


def members_in_good_standing(
    on: datetime.date, *, region_code: str = "", group_id: int | None = None
) -> QuerySet[Member]:
    """The people who may take part on `on` (an electorate): whole party, a region or a group."""
    members = Member.objects.filter(good_standing(on))
    if region_code:
        members = members.filter(region_code=region_code)
    if group_id is not None:
        members = members.filter(ids_in(member_ids_of(group_id)))
    return members.order_by("pk")


def group_slugs_of(member_id: int) -> list[str]:
    """The slugs of the groups a member belongs to (opens the rosters: needs the key)."""
    return [g.slug for g in groups_of_member(member_id)]


def count_good_standing_by_group(on: datetime.date) -> dict[int, int]:
    """Members in good standing on `on` per group id (each person once in each of their
    groups); opens every roster (Sealed while sealed) and keeps the counts for then."""
    counted = set(
        Member.objects.filter(good_standing(on)).values_list("pk", flat=True).iterator(5000)
    )
    counts = {gid: len(r.ids & counted) for gid, r in open_rosters().items()}
    kept = dict(GroupStanding.objects.values_list("group_id", "members"))
    if kept != counts:
        GroupStanding.objects.bulk_create(
            [GroupStanding(group_id=gid, members=n, counted_on=on) for gid, n in counts.items()],
            update_conflicts=True,
            unique_fields=["group"],
            update_fields=["members", "counted_on"],
        )
    return counts


def kept_good_standing_by_group() -> dict[int, int]:
    """The counts `count_good_standing_by_group` kept last (for pages while sealed)."""
    return dict(GroupStanding.objects.values_list("group_id", "members"))


def group_names_of(member_id: int) -> list[str]:
    """The names of the groups a member belongs to, sorted (opens the rosters)."""
    return sorted(g.name for g in groups_of_member(member_id))


def group_slugs_by_member(member_ids: list[int]) -> dict[int, list[str]]:
    """Each member's group slugs (opens every roster once)."""
    return {pk: [g.slug for g in gs] for pk, gs in groups_by_member(member_ids).items()}


def group_sizes() -> dict[int, int]:
    """Each group's member count by group id (no key needed: sizes are not sealed)."""
    return rosters.group_sizes()
