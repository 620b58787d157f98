"""What a jurisdiction file says: regions, region sets, registration rules, phones.

The numbers are data (kenes/jurisdictions/<code>.toml); these classes only give
them names and the few lookups the rest of Kenes needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from kenes.core.rules.region_names import Kind, code_key, region_key

Language = Literal["ru", "kk", "en"]


class UnknownRules(LookupError):
    """A registration rule id that the jurisdiction file does not define."""

    def __init__(self, rule_id: str, known: tuple[str, ...]) -> None:
        self.rule_id = rule_id
        self.known = known
        super().__init__(
            f'There are no registration rules "{rule_id}"; use one of: {", ".join(known)}.'
        )


class UnknownJurisdiction(LookupError):
    """No data file for the requested jurisdiction code."""


class JurisdictionDataError(ValueError):
    """A jurisdiction file that breaks its own schema (a bug in the data)."""


def _pick_name(lang: str, name_ru: str, name_kk: str, name_en: str) -> str:
    if lang == "ru":
        return name_ru
    if lang == "kk":
        return name_kk
    if lang == "en":
        return name_en
    raise ValueError(f'language must be "ru", "kk" or "en", got {lang!r}')


@dataclass(frozen=True, slots=True)
class Region:
    """A current first-level unit (oblast or city of republican significance)."""

    code: str
    iso_old: str | None
    name_ru: str
    name_kk: str
    name_en: str
    aliases: tuple[str, ...]
    kind: Kind

    def name(self, lang: str) -> str:
        """The region's official name in "ru", "kk" or "en"."""
        return _pick_name(lang, self.name_ru, self.name_kk, self.name_en)


@dataclass(frozen=True, slots=True)
class RegionUnit:
    """A unit as it existed in one period, named by its successor's current code."""

    code: str
    name_ru: str
    name_kk: str
    name_en: str

    def name(self, lang: str) -> str:
        """The unit's name in that period, in "ru", "kk" or "en"."""
        return _pick_name(lang, self.name_ru, self.name_kk, self.name_en)


@dataclass(frozen=True, slots=True)
class RegionSet:
    """The units a law counted members in during one period."""

    id: str
    units: tuple[RegionUnit, ...]
    unit_of: Mapping[str, str]
    effective_from: date | None
    description: str
    status: str
    source: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RegistrationRule:
    """How many members a party needs, and where, under one version of the law."""

    id: str
    law: str
    effective_from: date
    effective_from_status: str
    region_set: RegionSet
    min_members: int
    min_per_region: int
    min_age: int
    min_age_status: str
    initiative_group: int | None
    status: str
    source: tuple[str, ...]

    def region_units(self) -> tuple[RegionUnit, ...]:
        """The units in which `min_per_region` members are needed in this period."""
        return self.region_set.units

    def unit_for(self, current_region_code: str) -> str:
        """The code of this period's unit that a current region counts towards.

        E.g. under kz-2009, Abai (KZ-10) counts for East Kazakhstan (KZ-63).
        """
        try:
            return self.region_set.unit_of[current_region_code]
        except KeyError:
            raise ValueError(f"{current_region_code!r} is not a current region code") from None


@dataclass(frozen=True, slots=True)
class PhoneNumbering:
    """The national numbering plan facts used to validate phone numbers."""

    country_code: str
    national_number_length: int
    national_prefixes: tuple[str, ...]
    trunk_prefix: str
    status: str
    source: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RegionIndex:
    """Lookup tables built once from region names, aliases and codes."""

    by_code: Mapping[str, Region]
    by_stem_and_kind: Mapping[tuple[str, str], Region]
    by_stem: Mapping[str, Region]

    def find(self, text: str) -> Region | None:
        """The region meant by `text`, or None; see Jurisdiction.find_region."""
        by_code = self.by_code.get(code_key(text))
        if by_code is not None:
            return by_code
        stem, kind = region_key(text)
        if not stem:
            return None
        if kind is not None:
            exact = self.by_stem_and_kind.get((stem, kind))
            if exact is not None:
                return exact
        # No kind word, or a kind that does not fit ("г. Караганда" is a
        # city inside Karaganda Region): the stem alone decides.
        return self.by_stem.get(stem)


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """One country's regions and party-registration rules, as data."""

    code: str
    name_en: str
    regions: tuple[Region, ...]
    region_sets: Mapping[str, RegionSet]
    registration_rules: tuple[RegistrationRule, ...]
    phone: PhoneNumbering
    index: RegionIndex = field(repr=False, compare=False)

    def find_region(self, text: str) -> Region | None:
        """The current region meant by `text` in ru/kk/en, old or new ISO code.

        Insensitive to case, spacing, punctuation, "обл."/"область"/"облысы"/
        "region" and "г."/"город"/"қаласы"/"city", Kazakh letters typed as
        Russian ones and Latin/Cyrillic lookalikes.
        """
        return self.index.find(text)

    def region(self, code: str) -> Region:
        """The current region with this code; ValueError if there is none."""
        found = self.index.by_code.get(code_key(code))
        if found is None:
            raise ValueError(f"{code!r} is not a region code of {self.code}")
        return found

    def registration_rule(self, rule_id: str | None = None) -> RegistrationRule:
        """The rule with this id, or the newest one for None; else UnknownRules."""
        if rule_id is None:
            return self.registration_rules[-1]
        for rule in self.registration_rules:
            if rule.id == rule_id:
                return rule
        raise UnknownRules(rule_id, tuple(rule.id for rule in self.registration_rules))

    def registration_rule_on(self, day: date) -> RegistrationRule:
        """The rule in force on `day` (the latest that took effect by then)."""
        in_force = [rule for rule in self.registration_rules if rule.effective_from <= day]
        if not in_force:
            first = self.registration_rules[0]
            raise UnknownRules(f"in force on {day.isoformat()}", (first.id,))
        return in_force[-1]
