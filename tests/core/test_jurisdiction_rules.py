"""Kazakhstan's regions and registration rules, read from kenes/jurisdictions/kz.toml."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources

import pytest

from kenes.core.rules import (
    JurisdictionDataError,
    UnknownJurisdiction,
    UnknownRules,
    load_jurisdiction,
    parse_jurisdiction,
)

KZ = load_jurisdiction("kz")

# code -> (ru, kk, en) as members write them; none of these is the official
# name verbatim, so the normaliser is exercised too.
WRITTEN_FORMS = {
    "KZ-11": ("Акмолинская обл.", "Ақмола облысы", "Akmola Region"),
    "KZ-15": ("Актюбинская область", "Ақтөбе облысы", "Aktobe region"),
    "KZ-19": ("Алматинская обл", "Алматы облысы", "Almaty Region"),
    "KZ-23": ("Атырауская область", "Атырау облысы", "Atyrau"),
    "KZ-27": ("Западно-Казахстанская область", "Батыс Қазақстан облысы", "West Kazakhstan"),
    "KZ-31": ("Жамбылская область", "Жамбыл облысы", "Zhambyl Region"),
    "KZ-35": ("Карагандинская область", "Қарағанды облысы", "Karaganda Region"),
    "KZ-39": ("Костанайская область", "Қостанай облысы", "Kostanay Region"),
    "KZ-43": ("Кызылординская область", "Қызылорда облысы", "Kyzylorda Region"),
    "KZ-47": ("Мангистауская область", "Маңғыстау облысы", "Mangystau Region"),
    "KZ-55": ("Павлодарская область", "Павлодар облысы", "Pavlodar Region"),
    "KZ-59": ("Северо-Казахстанская область", "Солтүстік Қазақстан облысы", "North Kazakhstan"),
    "KZ-61": ("Туркестанская область", "Түркістан облысы", "Turkistan Region"),
    "KZ-63": ("Восточно-Казахстанская область", "Шығыс Қазақстан облысы", "East Kazakhstan"),
    "KZ-10": ("область Абай", "Абай облысы", "Abai Region"),
    "KZ-33": ("область Жетісу", "Жетісу облысы", "Jetisu Region"),
    "KZ-62": ("область Ұлытау", "Ұлытау облысы", "Ulytau Region"),
    "KZ-71": ("г. Астана", "Астана қаласы", "Astana city"),
    "KZ-75": ("город Алматы", "Алматы қаласы", "Almaty city"),
    "KZ-79": ("г. Шымкент", "Шымкент қаласы", "Shymkent"),
}


def test_kazakhstan_has_20_current_regions() -> None:
    assert len(KZ.regions) == 20
    assert {region.code for region in KZ.regions} == set(WRITTEN_FORMS)


@pytest.mark.parametrize("code", sorted(WRITTEN_FORMS))
def test_each_region_is_found_by_its_russian_kazakh_and_english_names(code: str) -> None:
    for written in WRITTEN_FORMS[code]:
        found = KZ.find_region(written)
        assert found is not None, written
        assert found.code == code, written


@pytest.mark.parametrize("region", KZ.regions, ids=lambda region: region.code)
def test_each_region_is_found_by_official_names_and_iso_codes(region: object) -> None:
    from kenes.core.rules import Region

    assert isinstance(region, Region)
    for text in (region.name_ru, region.name_kk, region.name_en, *region.aliases):
        assert KZ.find_region(text) == region, text
    assert KZ.find_region(region.code) == region
    assert KZ.find_region(region.code.lower().replace("-", " ")) == region
    if region.iso_old:
        assert KZ.find_region(region.iso_old) == region


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Алматы", "KZ-75"),  # bare name means the city
        ("АЛМАТЫ", "KZ-75"),
        ("  алматы  ", "KZ-75"),
        ("Алматы қ.", "KZ-75"),
        ("Aлматы", "KZ-75"),  # Latin "A" typed in a Cyrillic word
        ("Алматы облысы", "KZ-19"),
        ("Нур-Султан", "KZ-71"),
        ("Nur-Sultan", "KZ-71"),
        ("Южно-Казахстанская область", "KZ-61"),
        ("ЮКО", "KZ-61"),
        ("South Kazakhstan Region", "KZ-61"),
        ("KZ-YUZ", "KZ-61"),
        ("ВКО", "KZ-63"),
        ("Шыгыс Казахстан обл", "KZ-63"),  # Kazakh typed without Kazakh letters
        ("в Акмолинской области", "KZ-11"),
        ("г. Караганда", "KZ-35"),  # a city that is not a region: its oblast
        ("Zhetysu", "KZ-33"),
        ("Улытауская область", "KZ-62"),
    ],
)
def test_region_spellings_found_in_real_lists(written: str, code: str) -> None:
    found = KZ.find_region(written)
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize("written", ["Москва", "Ташкент", "", "обл.", "г.", "KZ-99", "12345"])
def test_what_is_not_a_kazakh_region_is_not_found(written: str) -> None:
    assert KZ.find_region(written) is None


def test_region_name_in_each_language() -> None:
    almaty = KZ.region("KZ-75")
    assert (almaty.name("ru"), almaty.name("kk"), almaty.name("en")) == ("Алматы",) * 2 + (
        "Almaty",
    )
    with pytest.raises(ValueError):
        almaty.name("de")


def test_registration_rules_are_named_after_the_year_they_took_effect() -> None:
    rules = {rule.id: rule for rule in KZ.registration_rules}
    assert list(rules) == ["kz-2002", "kz-2009", "kz-2020", "kz-2022"]
    numbers = {rule_id: (rule.min_members, rule.min_per_region) for rule_id, rule in rules.items()}
    assert numbers == {
        "kz-2002": (50000, 700),
        "kz-2009": (40000, 600),
        "kz-2020": (20000, 600),
        "kz-2022": (5000, 200),
    }
    assert all(rule.min_age == 18 for rule in rules.values())
    assert all(rule.source for rule in rules.values())
    assert "UNCONFIRMED" in rules["kz-2002"].status


def test_the_default_rule_is_the_newest() -> None:
    assert KZ.registration_rule().id == "kz-2022"
    assert KZ.registration_rule(None) is KZ.registration_rule("kz-2022")


def test_unknown_rule_id_lists_the_known_ids() -> None:
    with pytest.raises(UnknownRules) as error:
        KZ.registration_rule("kz-1990")
    assert error.value.known == ("kz-2002", "kz-2009", "kz-2020", "kz-2022")
    assert "kz-2009" in str(error.value)


def test_rule_in_force_on_a_date() -> None:
    assert KZ.registration_rule_on(date(2010, 1, 1)).id == "kz-2009"
    assert KZ.registration_rule_on(date(2024, 1, 1)).id == "kz-2022"
    with pytest.raises(UnknownRules):
        KZ.registration_rule_on(date(2000, 1, 1))


@pytest.mark.parametrize(
    ("rule_id", "units"), [("kz-2002", 16), ("kz-2009", 16), ("kz-2020", 17), ("kz-2022", 20)]
)
def test_each_rule_counts_the_regions_of_its_period(rule_id: str, units: int) -> None:
    assert len(KZ.registration_rule(rule_id).region_units()) == units


def test_abai_counts_for_east_kazakhstan_under_kz_2009() -> None:
    rule = KZ.registration_rule("kz-2009")
    assert rule.unit_for("KZ-10") == "KZ-63"
    assert rule.unit_for("KZ-33") == "KZ-19"  # Jetisu -> Almaty Region
    assert rule.unit_for("KZ-62") == "KZ-35"  # Ulytau -> Karaganda Region
    assert rule.unit_for("KZ-79") == "KZ-61"  # Shymkent -> South Kazakhstan
    assert rule.unit_for("KZ-75") == "KZ-75"


def test_south_kazakhstan_is_named_so_before_2018() -> None:
    units = {unit.code: unit for unit in KZ.registration_rule("kz-2009").region_units()}
    assert units["KZ-61"].name("ru") == "Южно-Казахстанская область"
    units_2020 = {unit.code: unit for unit in KZ.registration_rule("kz-2020").region_units()}
    assert units_2020["KZ-61"].name("en") == "Turkistan Region"
    assert "KZ-79" in units_2020


def test_every_current_region_counts_for_itself_under_kz_2022() -> None:
    rule = KZ.registration_rule("kz-2022")
    assert all(rule.unit_for(region.code) == region.code for region in KZ.regions)


def test_unit_for_refuses_an_unknown_code() -> None:
    with pytest.raises(ValueError):
        KZ.registration_rule().unit_for("KZ-99")


def test_phone_numbering_is_data() -> None:
    assert KZ.phone.country_code == "7"
    assert KZ.phone.national_number_length == 10
    assert KZ.phone.national_prefixes == ("6", "7")
    assert KZ.phone.trunk_prefix == "8"


def test_load_jurisdiction_is_cached() -> None:
    assert load_jurisdiction() is KZ


@pytest.mark.parametrize("code", ["xx", "../kz", "KZ"])
def test_unknown_jurisdiction_is_refused(code: str) -> None:
    with pytest.raises(UnknownJurisdiction):
        load_jurisdiction(code)


def _kz_data() -> dict[str, object]:
    text = resources.files("kenes.jurisdictions").joinpath("kz.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_a_region_set_with_the_wrong_unit_count_is_a_data_error() -> None:
    data = _kz_data()
    sets = data["region_sets"]
    assert isinstance(sets, dict)
    sets["kz-2018"]["unit_count"] = 16
    with pytest.raises(JurisdictionDataError):
        parse_jurisdiction(data)


def test_two_regions_with_the_same_name_are_a_data_error() -> None:
    data = _kz_data()
    regions = data["regions"]
    assert isinstance(regions, list)
    regions[0]["aliases_ru"] = ["Павлодарская область"]
    with pytest.raises(JurisdictionDataError):
        parse_jurisdiction(data)
