"""Loading kenes/jurisdictions/<code>.toml into the rule classes.

The file is checked on load (unit counts, codes that resolve, names that do
not collide) so that a typo in the data fails loudly at start-up instead of
miscounting a region during a registration check.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from kenes.core.rules.model import (
    Jurisdiction,
    JurisdictionDataError,
    PhoneNumbering,
    Region,
    RegionIndex,
    RegionSet,
    RegionUnit,
    RegistrationRule,
    UnknownJurisdiction,
)
from kenes.core.rules.region_names import code_key, region_key

_JURISDICTION_CODE = re.compile(r"[a-z]{2,8}")

Table = dict[str, Any]


def _str(table: Table, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise JurisdictionDataError(f"{where}: {key!r} must be a non-empty string")
    return value


def _opt_str(table: Table, key: str, where: str) -> str | None:
    return None if table.get(key) is None else _str(table, key, where)


def _int(table: Table, key: str, where: str) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise JurisdictionDataError(f"{where}: {key!r} must be a non-negative integer")
    return value


def _date(table: Table, key: str, where: str) -> date:
    value = table.get(key)
    if not isinstance(value, date):
        raise JurisdictionDataError(f"{where}: {key!r} must be a TOML date")
    return value


def _str_tuple(table: Table, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise JurisdictionDataError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _table(table: Table, key: str, where: str) -> Table:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise JurisdictionDataError(f"{where}: {key!r} must be a table")
    return value


def _region(entry: Table) -> Region:
    where = f"region {entry.get('code')!r}"
    kind = _str(entry, "kind", where)
    if kind not in ("oblast", "city"):
        raise JurisdictionDataError(f'{where}: kind must be "oblast" or "city"')
    aliases = (
        _str_tuple(entry, "aliases_ru", where)
        + _str_tuple(entry, "aliases_kk", where)
        + _str_tuple(entry, "aliases_en", where)
    )
    return Region(
        code=_str(entry, "code", where),
        iso_old=_opt_str(entry, "iso_old", where),
        name_ru=_str(entry, "name_ru", where),
        name_kk=_str(entry, "name_kk", where),
        name_en=_str(entry, "name_en", where),
        aliases=aliases,
        kind="oblast" if kind == "oblast" else "city",
    )


def _region_set(set_id: str, entry: Table, regions: tuple[Region, ...]) -> RegionSet:
    where = f"region set {set_id!r}"
    codes = {region.code for region in regions}
    merged = _table(entry, "merged_into", where)
    renamed = _table(entry, "renamed", where)
    for current, unit in merged.items():
        if current not in codes or unit not in codes or unit in merged:
            raise JurisdictionDataError(f"{where}: merged_into {current!r} = {unit!r} is invalid")
    units: list[RegionUnit] = []
    for region in regions:
        if region.code in merged:
            continue
        names = _table(renamed, region.code, where) if region.code in renamed else {}
        units.append(
            RegionUnit(
                code=region.code,
                name_ru=names.get("name_ru", region.name_ru),
                name_kk=names.get("name_kk", region.name_kk),
                name_en=names.get("name_en", region.name_en),
            )
        )
    if len(units) != _int(entry, "unit_count", where):
        raise JurisdictionDataError(f"{where}: has {len(units)} units, unit_count disagrees")
    unit_of = {region.code: merged.get(region.code, region.code) for region in regions}
    effective = entry.get("effective_from")
    return RegionSet(
        id=set_id,
        units=tuple(units),
        unit_of=MappingProxyType(unit_of),
        effective_from=_date(entry, "effective_from", where) if effective is not None else None,
        description=_str(entry, "description", where),
        status=_str(entry, "status", where),
        source=_str_tuple(entry, "source", where),
    )


def _registration_rule(entry: Table, region_sets: dict[str, RegionSet]) -> RegistrationRule:
    where = f"registration rule {entry.get('id')!r}"
    set_id = _str(entry, "region_set", where)
    if set_id not in region_sets:
        raise JurisdictionDataError(f"{where}: unknown region_set {set_id!r}")
    initiative = entry.get("initiative_group")
    return RegistrationRule(
        id=_str(entry, "id", where),
        law=_str(entry, "law", where),
        effective_from=_date(entry, "effective_from", where),
        effective_from_status=_str(entry, "effective_from_status", where),
        region_set=region_sets[set_id],
        min_members=_int(entry, "min_members", where),
        min_per_region=_int(entry, "min_per_region", where),
        min_age=_int(entry, "min_age", where),
        min_age_status=_str(entry, "min_age_status", where),
        initiative_group=None if initiative is None else _int(entry, "initiative_group", where),
        status=_str(entry, "status", where),
        source=_str_tuple(entry, "source", where),
    )


def _index(regions: tuple[Region, ...]) -> RegionIndex:
    by_code: dict[str, Region] = {}
    by_stem_and_kind: dict[tuple[str, str], Region] = {}
    by_stem: dict[str, Region] = {}
    for region in regions:
        for code in (region.code, region.iso_old):
            if code:
                by_code[code_key(code)] = region
        for name in (region.name_ru, region.name_kk, region.name_en, *region.aliases):
            stem, kind = region_key(name)
            key = (stem, kind or region.kind)
            other = by_stem_and_kind.setdefault(key, region)
            if other is not region:
                raise JurisdictionDataError(f"{name!r} names both {other.code} and {region.code}")
            # A bare stem shared by a city and an oblast ("Алматы") means the
            # city: nobody writes the oblast without saying "oblast".
            current = by_stem.get(stem)
            if current is None or (region.kind == "city" and current is not region):
                by_stem[stem] = region
    return RegionIndex(
        by_code=MappingProxyType(by_code),
        by_stem_and_kind=MappingProxyType(by_stem_and_kind),
        by_stem=MappingProxyType(by_stem),
    )


def parse_jurisdiction(data: Table) -> Jurisdiction:
    """Build a Jurisdiction from the parsed TOML document, checking it."""
    where = "jurisdiction"
    regions_data = data.get("regions")
    if not isinstance(regions_data, list) or not regions_data:
        raise JurisdictionDataError("jurisdiction: [[regions]] is missing")
    regions = tuple(_region(entry) for entry in regions_data)
    sets_data = _table(data, "region_sets", where)
    region_sets = {
        set_id: _region_set(set_id, _table(sets_data, set_id, where), regions)
        for set_id in sets_data
    }
    rules_data = data.get("registration_rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise JurisdictionDataError("jurisdiction: [[registration_rules]] is missing")
    rules = sorted(
        (_registration_rule(entry, region_sets) for entry in rules_data),
        key=lambda rule: rule.effective_from,
    )
    phone = _table(data, "phone", where)
    return Jurisdiction(
        code=_str(data, "code", where),
        name_en=_str(data, "name_en", where),
        regions=regions,
        region_sets=MappingProxyType(region_sets),
        registration_rules=tuple(rules),
        phone=PhoneNumbering(
            country_code=_str(phone, "country_code", "phone"),
            national_number_length=_int(phone, "national_number_length", "phone"),
            national_prefixes=_str_tuple(phone, "national_prefixes", "phone"),
            trunk_prefix=_str(phone, "trunk_prefix", "phone"),
            status=_str(phone, "status", "phone"),
            source=_str_tuple(phone, "source", "phone"),
        ),
        index=_index(regions),
    )


def load_jurisdiction(code: str = "kz") -> Jurisdiction:
    """The jurisdiction whose data file is kenes/jurisdictions/<code>.toml (cached)."""
    return _load(code)


@lru_cache(maxsize=8)
def _load(code: str) -> Jurisdiction:
    if not _JURISDICTION_CODE.fullmatch(code):
        raise UnknownJurisdiction(f"{code!r} is not a jurisdiction code")
    resource = resources.files("kenes.jurisdictions").joinpath(f"{code}.toml")
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownJurisdiction(f"there is no data file for jurisdiction {code!r}") from None
    return parse_jurisdiction(tomllib.loads(text))
