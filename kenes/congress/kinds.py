"""Kinds of congress as data: read from kenes/jurisdictions/congress-<code>.toml, copied into
CongressKind rows the first time they are needed, then corrected in the database.

A congress copies its kind's rules when it is created (`rules_of`), so correcting a kind
later changes only congresses created after.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenes.congress.models import Congress, CongressKind
from kenes.core.congress.quorum import QuorumRule

RULE_FIELDS = (
    "proxies",
    "proxies_per_holder",
    "quorum_share",
    "quorum_strictly_more",
    "regions_share",
    "minimum_present",
    "min_age",
)


def kinds_in_data(code: str = "kz") -> list[dict[str, Any]]:
    text = resources.files("kenes.jurisdictions").joinpath(f"congress-{code}.toml").read_text()
    return list(tomllib.loads(text)["kinds"])


def ensure_kinds() -> list[CongressKind]:
    """The kinds, made from the data file if the table has none (once; a race makes one)."""
    if not CongressKind.objects.exists():
        with transaction.atomic():
            for entry in kinds_in_data():
                notes = {k: v for k, v in entry.items() if k.endswith("_status") or k == "source"}
                notes["names"] = {k: v for k, v in entry.items() if k.startswith("name_")}
                CongressKind.objects.get_or_create(
                    key=entry["key"],
                    defaults={
                        "name": str(entry.get("name_en") or entry["key"]),
                        "notes": notes,
                        **{f: entry[f] for f in RULE_FIELDS if f in entry},
                    },
                )
    return list(CongressKind.objects.all())


def rules_of(kind: CongressKind) -> dict[str, Any]:
    """What a congress keeps of its kind (Congress.rules)."""
    rules = {f: getattr(kind, f) for f in RULE_FIELDS}
    rules["kind"] = kind.key
    return rules


def quorum_rule(congress: Congress) -> QuorumRule:
    rules = congress.rules
    return QuorumRule.parse(
        rules["quorum_share"],
        rules["quorum_strictly_more"],
        rules.get("regions_share", ""),
        rules.get("minimum_present", 0),
    )


def quorum_words(rules: dict[str, Any]) -> str:
    """A congress's quorum rule in words, in the reader's language (its page, the quorum
    panel, the protocol)."""
    share = rules["quorum_share"]
    if rules["quorum_strictly_more"]:
        words = _("More than %(share)s of the entitled delegates are present") % {"share": share}
    else:
        words = _("At least %(share)s of the entitled delegates are present") % {"share": share}
    parts = [words]
    if rules.get("regions_share"):
        parts.append(
            _("delegates of at least %(share)s of the regions with delegates are present")
            % {"share": rules["regions_share"]}
        )
    if rules.get("minimum_present"):
        minimum = rules["minimum_present"]
        parts.append(
            ngettext(
                "at least %(n)s delegate is present",
                "at least %(n)s delegates are present",
                minimum,
            )
            % {"n": minimum}
        )
    return "; ".join(parts) + "."
