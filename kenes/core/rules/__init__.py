"""Jurisdiction rules as data: regions, region sets by period, registration rules.

Read from kenes/jurisdictions/<code>.toml; no number of the law lives in code.
"""

from kenes.core.rules.loader import load_jurisdiction, parse_jurisdiction
from kenes.core.rules.model import (
    Jurisdiction,
    JurisdictionDataError,
    Language,
    PhoneNumbering,
    Region,
    RegionSet,
    RegionUnit,
    RegistrationRule,
    UnknownJurisdiction,
    UnknownRules,
)

__all__ = [
    "Jurisdiction",
    "JurisdictionDataError",
    "Language",
    "PhoneNumbering",
    "Region",
    "RegionSet",
    "RegionUnit",
    "RegistrationRule",
    "UnknownJurisdiction",
    "UnknownRules",
    "load_jurisdiction",
    "parse_jurisdiction",
]
