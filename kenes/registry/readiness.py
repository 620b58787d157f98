"""Registration readiness: does the party meet the law's membership thresholds?

Counts members in good standing (status "member", joined on or before the
reference date) once each, per region of the chosen period (today's regions
are mapped onto the units that existed then), against the period's minimum
per region and in total. Then lists the defects an examiner could cite.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import CharField, Count, F, Max, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.utils import timezone
from django.utils.translation import get_language

from kenes.core.iin import InvalidIIN, parse_iin
from kenes.core.roster import IMPLAUSIBLE_AGE
from kenes.core.roster.checks import age_on
from kenes.core.rules import RegistrationRule, load_jurisdiction
from kenes.registry.models import Member, MemberStatus, ReadinessFacts, ReadinessReport

logger = logging.getLogger(__name__)


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


DEFECTS = (
    "consent_missing",
    "iin_invalid",
    "iin_birthdate_mismatch",
    "underage",
    "implausible_age",
)

SETTLED_AGES = (19, IMPLAUSIBLE_AGE - 1)
"""Ages (inclusive) at which a member counts as settled on the day their facts were read.

Within a year of that day a settled member's age moves by one at most, so it stays within
18..IMPLAUSIBLE_AGE: neither underage (for a rule's minimum age up to 18) nor implausible,
and readiness need not open their birth date again that year. Almost every member is
settled; the bracket tells nothing an examiner's list would not."""
SETTLED_FOR = datetime.timedelta(days=364)


def iin_defect(iin: str | None, birth: datetime.date | None) -> str:
    """The IIN's defect an examiner could cite ("" if none): it is not a valid IIN, or the
    birth date it encodes is not the member's."""
    try:
        parsed = parse_iin(iin or "")
    except InvalidIIN:
        return "iin_invalid"
    if birth is not None and parsed.birth_date != birth:
        return "iin_birthdate_mismatch"
    return ""


def age_defect(birth: datetime.date | None, min_age: int, on: datetime.date) -> str:
    """ "underage" or "implausible_age" on `on` ("" if neither, or the birth date is unknown)."""
    if birth is None:
        return ""
    age = age_on(birth, on)
    if age < min_age:
        return "underage"
    if age > IMPLAUSIBLE_AGE:
        return "implausible_age"
    return ""


def _settled(birth: datetime.date | None, on: datetime.date) -> bool:
    return birth is None or SETTLED_AGES[0] <= age_on(birth, on) <= SETTLED_AGES[1]


MARK_CHARS = 64  # "v1$", the key id, "$" and the random nonce of a sealed value, and more


def seal_mark() -> Concat:
    """The head of a member's sealed IIN and birth date (ReadinessFacts.seal_mark), in SQL."""

    def head(column: str) -> Substr:
        raw = Coalesce(Cast(column, TextField()), Value(""), output_field=TextField())
        return Substr(raw, 1, MARK_CHARS, output_field=CharField())

    return Concat(head("iin"), Value("|"), head("birth_date"), output_field=CharField())


def member_defects(
    members: QuerySet[Member], rule: RegistrationRule, on: datetime.date
) -> dict[str, list[int]]:
    """Defects of stored members that an examiner could cite, by code → member ids.

    Seals are opened (in memory only) just for members whose stored facts
    (ReadinessFacts) are missing or stale, or whose age is not settled for `on`; their
    facts are then stored (a cache: if the database is busy, they are read again next
    time). Everyone else is answered from the facts, in SQL.
    """
    found: dict[str, list[int]] = {code: [] for code in DEFECTS}
    found["consent_missing"] = list(
        members.filter(consent_on__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    members = members.annotate(seal_mark=seal_mark())
    fresh = Q(readiness_facts__seal_mark=F("seal_mark"))
    found_iin = (
        members.filter(fresh)
        .exclude(readiness_facts__iin_defect="")
        .values_list("pk", "readiness_facts__iin_defect")
    )
    for pk, code in found_iin:
        found[code].append(pk)
    settled = fresh & Q(
        readiness_facts__age_settled=True,
        readiness_facts__checked_on__gte=on - SETTLED_FOR,
        readiness_facts__checked_on__lte=on + SETTLED_FOR,
    )
    age_certain = rule.min_age <= SETTLED_AGES[0] - 1
    to_read = members.exclude(settled) if age_certain else members
    stale: list[ReadinessFacts] = []
    rows = to_read.values_list("pk", "iin", "birth_date", "seal_mark", "readiness_facts__seal_mark")
    for pk, iin, birth, mark, stored_mark in rows.iterator(chunk_size=2000):
        if stored_mark != mark:
            code = iin_defect(iin, birth)
            if code:
                found[code].append(pk)
            stale.append(
                ReadinessFacts(
                    member_id=pk,
                    seal_mark=mark,
                    iin_defect=code,
                    checked_on=on,
                    age_settled=_settled(birth, on),
                )
            )
        if code := age_defect(birth, rule.min_age, on):
            found[code].append(pk)
    if stale:
        _store_facts(stale)
    for ids in found.values():
        ids.sort()
    return found


def _store_facts(facts: list[ReadinessFacts]) -> None:
    """Keep freshly read facts; a busy database or a member deleted meanwhile only means
    they are read again next time."""
    try:
        with transaction.atomic():
            ReadinessFacts.objects.bulk_create(
                facts,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["member"],
                update_fields=["seal_mark", "iin_defect", "checked_on", "age_settled"],
            )
    except DatabaseError:
        logger.warning(
            "Readiness facts of %s members not stored; read again next time.", len(facts)
        )


REPORT_FOR = datetime.timedelta(minutes=15)
"""How long a stored report is read while the registry's version stays the same. Every
write of a member sets its `updated_at` (save, bulk_create, the import's rows): the version
changes with it. The limit bounds what a write that bypassed `updated_at` could leave
unseen; the facts behind a new report are checked against the seals themselves."""


def registry_version() -> str:
    """Members, the newest change and the highest id: changes with every member written or
    deleted (three index look-ups, whatever the registry's size)."""
    found = Member.objects.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    last = found["last"].isoformat() if found["last"] else "-"
    return f"{found['n']}:{last}:{found['top'] or 0}"


def cached_defects(
    counted: QuerySet[Member], rule: RegistrationRule, on: datetime.date
) -> dict[str, list[int]]:
    """`member_defects` of the members counted on `on`, read from the report stored for this
    version of the registry if there is one (ReadinessReport), else computed and stored."""
    key = f"{rule.min_age}:{on.isoformat()}:{registry_version()}"
    fresh_since = timezone.now() - REPORT_FOR
    stored = ReadinessReport.objects.filter(key=key, computed_at__gte=fresh_since).first()
    if stored is not None:
        return {code: list(ids) for code, ids in json.loads(stored.defects).items()}
    defects = member_defects(counted, rule, on)
    try:
        with transaction.atomic():
            ReadinessReport.objects.filter(Q(key=key) | Q(computed_at__lt=fresh_since)).delete()
            ReadinessReport.objects.create(key=key, defects=json.dumps(defects))
    except DatabaseError:  # a cache: a busy database only means computing again next time
        logger.warning("Readiness report not stored; computed again next time.")
    return defects


def refresh_facts(on: datetime.date | None = None) -> int:
    """Read and store the facts of every member whose facts are missing or stale (e.g.
    after an import, in the background); returns how many were read."""
    on = on or timezone.localdate()
    stale = Member.objects.annotate(mark=seal_mark()).exclude(readiness_facts__seal_mark=F("mark"))
    n = stale.count()
    if n:
        member_defects(stale, load_jurisdiction("kz").registration_rule(None), on)
    return n


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
    defects = cached_defects(counted, rule, on) if with_defects else {}
    at_risk_ids = {pk for ids in defects.values() for pk in ids}
    risk_per_unit: Counter[str] = Counter()
    ordered = sorted(at_risk_ids)
    for start in range(0, len(ordered), 5000):  # within every backend's limit of parameters
        chunk = counted.filter(pk__in=ordered[start : start + 5000])
        for code, n in chunk.values_list("region_code").annotate(n=Count("pk")).order_by():
            risk_per_unit[rule.unit_for(code)] += n
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
