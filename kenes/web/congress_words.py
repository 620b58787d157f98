"""A congress's kind and rules in words, for its page and the quorum panel: each rule with
what the kinds' data file says of it (official, or unconfirmed and why), in the reader's
language (kenes.web.data_texts lists the data's notes for the catalogue)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenes.congress.kinds import quorum_words
from kenes.congress.models import Congress
from kenes.web import labels


@dataclass(frozen=True)
class RuleLine:
    label: str
    words: str
    note: str = ""
    confirmed: bool | None = None  # None: the data says nothing either way


def _status(note: str) -> bool | None:
    """What the data file's note says first: OFFICIAL (True), UNCONFIRMED (False)."""
    if note.startswith("OFFICIAL"):
        return True
    if note.startswith("UNCONFIRMED"):
        return False
    return None


def rule_lines(congress: Congress) -> list[RuleLine]:
    rules, notes = congress.rules, congress.kind.notes

    def note(key: str) -> tuple[str, bool | None]:
        text = str(notes.get(key) or "")
        return labels.data_text(text), _status(text)

    if rules["proxies"]:
        proxies = ngettext(
            "Proxies are allowed: a delegate may hold %(n)s mandate for others.",
            "Proxies are allowed: a delegate may hold %(n)s mandates for others.",
            rules["proxies_per_holder"],
        ) % {"n": rules["proxies_per_holder"]}
    else:
        proxies = _("No proxies: every delegate attends in person.")
    lines = [
        RuleLine(_("Quorum"), quorum_words(rules), *note("quorum_status")),
        RuleLine(_("Proxies"), proxies, *note("proxies_status")),
        RuleLine(
            _("Delegates"),
            ngettext(
                "A delegate is at least %(n)s year old and a member in good standing.",
                "A delegate is at least %(n)s years old and a member in good standing.",
                rules["min_age"],
            )
            % {"n": rules["min_age"]},
            *note("min_age_status"),
        ),
    ]
    if notes.get("regions_status") and rules.get("regions_share"):
        lines.append(RuleLine(_("Regions"), "", *note("regions_status")))
    if notes.get("minimum_status") and rules.get("minimum_present"):
        lines.append(RuleLine(_("Least number present"), "", *note("minimum_status")))
    return lines
