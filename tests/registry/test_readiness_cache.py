"""Readiness at 100,000 members does not open every seal on every request (issue 10,
finding 20): the facts read from a member's sealed IIN and birth date are kept
(ReadinessFacts), and the report for one version of the registry is kept
(ReadinessReport). Whatever is kept, the answer is the one that opening every seal gives."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from kenes.core.iin import make_iin
from kenes.core.rules import load_jurisdiction
from kenes.registry import readiness
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member, ReadinessFacts
from kenes.registry.readiness import compute_readiness, member_defects
from kenes.registry.services import do_update_member
from kenes.security import fields
from tests.conftest import HEADER, csv_bytes, person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # the day compute_readiness() counts on (Almaty, not UTC)


def _years_ago(years: int, days: int = 0) -> datetime.date:
    day = (
        TODAY.replace(year=TODAY.year - years)
        if (TODAY.month, TODAY.day) != (2, 29)
        else (TODAY - datetime.timedelta(days=1)).replace(year=TODAY.year - years)
    )
    return day + datetime.timedelta(days=days)


@pytest.fixture
def registry_with_defects(groups, officers):  # type: ignore[no-untyped-def]
    """Members whose sealed values carry every defect readiness knows, by name."""
    rows = [person(n) for n in range(1, 9)]
    do_import_members(
        io.BytesIO(csv_bytes(rows, HEADER)),
        filename="x.csv",
        group=groups["workers"],
        acting_user="test",
    )
    members = list(Member.objects.order_by("pk"))
    named = dict(
        zip(
            [
                "ok",
                "bad_iin",
                "mismatch",
                "child",
                "ancient",
                "nearly_18",
                "no_consent",
                "turns_110",
            ],
            members,
            strict=True,
        )
    )
    admin = officers["admin"]
    for key, member in named.items():
        if key != "no_consent":
            do_update_member(member, {"consent_on": TODAY}, acting_user=admin)
    do_update_member(named["bad_iin"], {"iin": "123456789012"}, acting_user=admin)
    do_update_member(
        named["mismatch"], {"birth_date": datetime.date(1980, 5, 5)}, acting_user=admin
    )
    for key, born in (
        ("child", _years_ago(12)),
        ("ancient", datetime.date(1890, 1, 1)),
        ("nearly_18", _years_ago(18, days=30)),  # 18 in a month
        ("turns_110", _years_ago(110, days=30)),  # 110 in a month, implausible a year later
    ):
        do_update_member(
            named[key],
            {"birth_date": born, "iin": make_iin(born, "M", named[key].pk)},
            acting_user=admin,
        )
    return {key: Member.objects.get(pk=m.pk) for key, m in named.items()}


def _every_seal_opened(on: datetime.date, min_age: int = 18) -> dict[str, set[int]]:
    """The oracle: every member's IIN and birth date opened, each rule applied by hand."""
    found: dict[str, set[int]] = {code: set() for code in readiness.DEFECTS}
    for m in Member.objects.filter(readiness.good_standing(on)):
        if m.consent_on is None:
            found["consent_missing"].add(m.pk)
        found_iin = readiness.iin_defect(m.iin, m.birth_date)
        if found_iin:
            found[found_iin].add(m.pk)
        if m.birth_date is not None:
            age = (
                on.year
                - m.birth_date.year
                - ((on.month, on.day) < (m.birth_date.month, m.birth_date.day))
            )
            if age < min_age:
                found["underage"].add(m.pk)
            elif age > 110:
                found["implausible_age"].add(m.pk)
    return found


def _as_sets(result: dict[str, list[int]]) -> dict[str, set[int]]:
    return {code: set(ids) for code, ids in result.items()}


def test_kept_facts_and_reports_answer_what_opening_every_seal_answers(registry_with_defects):
    named = registry_with_defects
    days = [TODAY, TODAY + datetime.timedelta(days=40), TODAY + datetime.timedelta(days=400)]
    days += [TODAY + datetime.timedelta(days=3000), TODAY - datetime.timedelta(days=200)]
    for _ in range(2):  # facts read and stored the first time, kept the second
        for on in days:
            counted = Member.objects.filter(readiness.good_standing(on))
            rule = compute_readiness(on=on).rule
            assert _as_sets(member_defects(counted, rule, on)) == _every_seal_opened(on), on
            assert _as_sets(compute_readiness(on=on).defective_member_ids) == _every_seal_opened(on)
    today = _as_sets(compute_readiness().defective_member_ids)
    assert today["underage"] == {named["child"].pk, named["nearly_18"].pk}
    assert today["implausible_age"] == {named["ancient"].pk}
    assert today["iin_invalid"] == {named["bad_iin"].pk}
    assert today["iin_birthdate_mismatch"] == {named["mismatch"].pk}
    assert today["consent_missing"] == {named["no_consent"].pk}
    later = _as_sets(compute_readiness(on=TODAY + datetime.timedelta(days=40)).defective_member_ids)
    assert named["nearly_18"].pk not in later["underage"]
    year_later = TODAY + datetime.timedelta(days=400)
    assert (
        named["turns_110"].pk
        in _as_sets(compute_readiness(on=year_later).defective_member_ids)["implausible_age"]
    )


def test_once_facts_are_kept_only_the_unsettled_are_opened_again(
    registry_with_defects, monkeypatch
):
    compute_readiness()  # reads and keeps the facts
    opened: list[str] = []
    real = fields.open_sealed

    def counting(sealed: str, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(sealed)
        return real(sealed, **kwargs)

    monkeypatch.setattr(fields, "open_sealed", counting)
    on = TODAY + datetime.timedelta(days=10)  # another day: no stored report for it
    counted = Member.objects.filter(readiness.good_standing(on))
    member_defects(
        counted,
        load_jurisdiction("kz").registration_rule(None),
        on,
    )
    # The child, the ancient and the nearly 18: IIN and birth date each. The settled adults
    # (the bad IIN and the mismatch among them, and the 109-year-old, who cannot pass 110
    # within the year the facts hold) are answered from the facts.
    assert len(opened) == 2 * 3


def test_a_member_changed_on_any_path_is_read_again(registry_with_defects, officers):
    named = registry_with_defects
    compute_readiness()
    ok = named["ok"]
    # A write that bypasses the model (no updated_at): the seals changed, so do the marks.
    Member.objects.filter(pk=ok.pk).update(birth_date=datetime.date(2015, 1, 1))
    counted = Member.objects.filter(readiness.good_standing(TODAY))
    rule = compute_readiness().rule
    found = _as_sets(member_defects(counted, rule, TODAY))
    assert ok.pk in found["underage"] and ok.pk in found["iin_birthdate_mismatch"]
    # Through the service (a coordinator's form): the next page sees it at once.
    child = named["child"]
    do_update_member(
        child,
        {"birth_date": _years_ago(30), "iin": make_iin(_years_ago(30), "M", 77)},
        acting_user=officers["admin"],
    )
    assert child.pk not in _as_sets(compute_readiness().defective_member_ids)["underage"]
    Member.objects.filter(pk=named["ancient"].pk).delete()
    assert (
        named["ancient"].pk
        not in _as_sets(compute_readiness().defective_member_ids)["implausible_age"]
    )


def test_the_kept_facts_hold_nothing_personal(registry_with_defects):
    compute_readiness()
    facts = list(
        ReadinessFacts.objects.values_list("seal_mark", "iin_defect", "checked_on", "age_settled")
    )
    assert len(facts) == Member.objects.count()
    secrets = set()
    for m in Member.objects.all():
        secrets |= {m.iin, m.birth_date.isoformat(), m.birth_date.strftime("%d.%m.%Y"), m.iin[:6]}
    for mark, defect, checked_on, _settled in facts:
        text = f"{mark} {defect} {checked_on}"
        assert not any(secret in text for secret in secrets), text
        assert defect in ("", "iin_invalid", "iin_birthdate_mismatch")
