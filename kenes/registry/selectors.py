"""Read-only questions other apps ask the registry (aggregates, no personal data)."""

from __future__ import annotations

import datetime
from collections import Counter
from fractions import Fraction

from django.db.models import Count, QuerySet

from kenes.registry.models import ConstituentGroup, Member, Membership
from kenes.registry.readiness import good_standing


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
    counted = Member.objects.filter(good_standing(on))
    groups_of = Counter(
        Membership.objects.filter(member__in=counted).values_list("member_id", flat=True)
    )
    shares: dict[str, Fraction] = {g.slug: Fraction(0) for g in ConstituentGroup.objects.all()}
    pairs = Membership.objects.filter(member__in=counted).values_list("member_id", "group__slug")
    # Counted per (group, k) first: a few fractions to add, not one per membership.
    per_k = Counter((slug, groups_of[member_id]) for member_id, slug in pairs.iterator(2000))
    for (slug, k), n in per_k.items():
        shares[slug] += Fraction(n, k)
    return shares


def members_in_good_standing(
    on: datetime.date, *, region_code: str = "", group_id: int | None = None
) -> QuerySet[Member]:
    """The people who may take part on `on` (an electorate): whole party, a region or a group."""
    members = Member.objects.filter(good_standing(on))
    if region_code:
        members = members.filter(region_code=region_code)
    if group_id is not None:
        members = members.filter(
            pk__in=Membership.objects.filter(group_id=group_id).values("member")
        )
    return members.order_by("pk")
