"""Registration readiness: does the party meet the law's membership thresholds?

Counts members in good standing (status "member", joined on or before the
reference date) once each, per region of the chosen period (today's regions
are mapped onto the units that existed then), against the period's minimum
per region and in total. Then lists the defects an examiner could cite.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from kenes.core.iin import InvalidIIN, parse_iin
from kenes.core.roster import IMPLAUSIBLE_AGE
from kenes.core.roster.checks import age_on
from kenes.core.rules import RegistrationRule, load_jurisdiction
from kenes.registry.models import Member, MemberStatus


@dataclass(frozen=True)
class RegionReadiness:
    code: str
    name: str
    members: int
    required: int
    at_risk: int

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.members)

    @property
    def shortfall_if_struck(self) -> int:
        """The shortfall if an examiner struck every member with a citeable defect."""
        return max(0, self.required - (self.members - self.at_risk))

    @property
    def share(self) -> float:
        return 1.0 if self.required == 0 else min(1.0, self.members / self.required)


@dataclass
class Readiness:
    rule: RegistrationRule
    on: datetime.date
    total: int
    required_total: int
    regions: list[RegionReadiness]
    defect_counts: dict[str, int] = field(default_factory=dict)
    defective_member_ids: dict[str, list[int]] = field(default_factory=dict)
    not_in_good_standing: dict[str, int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.total >= self.required_total and all(r.shortfall == 0 for r in self.regions)

    @property
    def at_risk(self) -> int:
        return sum(r.at_risk for r in self.regions)

    def as_json(self) -> dict[str, Any]:
        return {
            "rules": self.rule.id,
            "on": self.on.isoformat(),
            "total": self.total,
            "required_total": self.required_total,
            "ready": self.ready,
            "regions": [
                {
                    "code": r.code,
                    "name": r.name,
                    "members": r.members,
                    "required": r.required,
                    "shortfall": r.shortfall,
                    "at_risk": r.at_risk,
                }
                for r in self.regions
            ],
            "defects": self.defect_counts,
            "not_in_good_standing": self.not_in_good_standing,
        }


def good_standing(on: datetime.date) -> Q:
    return Q(status=MemberStatus.MEMBER) & (Q(joined_on__isnull=True) | Q(joined_on__lte=on))


def member_defects(
    members: QuerySet[Member], rule: RegistrationRule, on: datetime.date
) -> dict[str, list[int]]:
    """Defects of stored members that an examiner could cite, by code → member ids.

    Decrypts IIN and birth date in memory only; nothing is written.
    """
    found: dict[str, list[int]] = {
        "consent_missing": [],
        "iin_invalid": [],
        "iin_birthdate_mismatch": [],
        "underage": [],
        "implausible_age": [],
    }
    rows = members.values_list("pk", "iin", "birth_date", "consent_on")
    for pk, iin, birth, consent_on in rows.iterator(chunk_size=2000):
        if consent_on is None:
            found["consent_missing"].append(pk)
        try:
            parsed = parse_iin(iin or "")
        except InvalidIIN:
            found["iin_invalid"].append(pk)
            parsed = None
        if birth is not None:
            if parsed is not None and parsed.birth_date != birth:
                found["iin_birthdate_mismatch"].append(pk)
            age = age_on(birth, on)
            if age < rule.min_age:
                found["underage"].append(pk)
            elif age > IMPLAUSIBLE_AGE:
                found["implausible_age"].append(pk)
    return found


def compute_readiness(
    rule_id: str | None = None, *, on: datetime.date | None = None, with_defects: bool = True
) -> Readiness:
    jurisdiction = load_jurisdiction("kz")
    rule = jurisdiction.registration_rule(rule_id)
    on = on or timezone.localdate()
    counted = Member.objects.filter(good_standing(on))
    per_unit: Counter[str] = Counter()
    for code, n in counted.values_list("region_code").annotate(n=Count("pk")).order_by():
        per_unit[rule.unit_for(code)] += n
    defects = member_defects(counted, rule, on) if with_defects else {}
    at_risk_ids = {pk for ids in defects.values() for pk in ids}
    risk_per_unit: Counter[str] = Counter()
    if at_risk_ids:
        for code in counted.filter(pk__in=at_risk_ids).values_list("region_code", flat=True):
            risk_per_unit[rule.unit_for(code)] += 1
    regions = [
        RegionReadiness(
            code=unit.code,
            name=unit.name(names_language()),
            members=per_unit.get(unit.code, 0),
            required=rule.min_per_region or 0,
            at_risk=risk_per_unit.get(unit.code, 0),
        )
        for unit in rule.region_units()
    ]
    not_good = dict(
        Member.objects.exclude(good_standing(on))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Readiness(
        rule=rule,
        on=on,
        total=sum(per_unit.values()),
        required_total=rule.min_members,
        regions=regions,
        defect_counts={code: len(ids) for code, ids in defects.items()},
        defective_member_ids=defects,
        not_in_good_standing=not_good,
    )


def names_language() -> str:
    """The language region names are shown in: the active one if Kenes has it, else Russian."""
    lang = (get_language() or "ru")[:2]
    return lang if lang in {"ru", "kk", "en"} else "ru"
