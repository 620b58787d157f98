"""May this member sit as a delegate? Checked when a delegate is added and again on demand,
so an ineligible delegate is flagged before the congress, not found by the examiner (Alga!
was refused registration over ineligible names among its founders).

The checks are those an examiner could cite (kenes.registry.readiness): good standing on
the congress's day, a valid IIN whose birth date is the member's, the kind's least age, a
plausible age, consent recorded. Opening IINs and birth dates needs the server unsealed.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from kenes.core.rules import load_jurisdiction
from kenes.registry.models import Member
from kenes.registry.readiness import good_standing, member_defects

PROBLEMS = {
    "not_in_good_standing": _("not a member in good standing on the congress's day"),
    "consent_missing": _("no consent to the processing of personal data recorded"),
    "iin_invalid": _("the IIN is not valid"),
    "iin_birthdate_mismatch": _("the IIN does not match the date of birth"),
    "underage": _("younger than the least age for a delegate"),
    "implausible_age": _("the date of birth gives an implausible age"),
    "region_missing": _("no region recorded"),
}


def problems_of(
    member_ids: Iterable[int], *, on: datetime.date, min_age: int
) -> dict[int, list[str]]:
    """member id -> problem codes (empty: eligible on `on`)."""
    ids = sorted(set(member_ids))
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    members = Member.objects.filter(pk__in=ids)
    standing = set(members.filter(good_standing(on)).values_list("pk", flat=True))
    for pk in ids:
        if pk not in standing:
            found[pk].append("not_in_good_standing")
    for pk in members.filter(region_code="").values_list("pk", flat=True):
        found[pk].append("region_missing")
    # The readiness checks read only the least age of the rule: the congress kind's.
    rule = dataclasses.replace(load_jurisdiction().registration_rule_on(on), min_age=min_age)
    for code, pks in member_defects(members, rule, on).items():
        for pk in pks:
            found[pk].append(code)
    return {pk: sorted(codes) for pk, codes in found.items()}
