"""The registration dossier: members in good standing, one XLSX sheet per region.

Limited to national admins and audited in the same transaction as the read. Every text
is written as a text cell, never as a formula (kenes.security.spreadsheet_text): members'
names and addresses are typed by coordinators.

At 100,000 members the file takes seconds to make, so the officer asks for it
(`do_request_dossier`), the background worker makes it (`make_dossier_file`, a
kenes.registry.prepared file: sealed at rest, downloaded once) and reads the members then,
audited as before.
"""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task
from openpyxl import Workbook

from kenes.audit import services as audit
from kenes.core.rules import load_jurisdiction
from kenes.registry import approvals, prepared
from kenes.registry.approvals import Watermark
from kenes.registry.models import Member, PreparedFile
from kenes.registry.name_search import by_name
from kenes.registry.readiness import good_standing, names_language
from kenes.registry.scoping import Action, can, members_for
from kenes.security.spreadsheet_text import xlsx_row

#: kwargs: on (the dossier's day). A receiver answers [(sheet title, rows)]: sheets added
#: after the regions' (kenes.congress.dossier adds the founding congress).
dossier_parts = Signal()


def _sheet_title(name: str, used: set[str]) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "-"
    while title in used:
        title = title[:28] + f"~{len(used)}"
    used.add(title)
    return title


def export_dossier(
    *,
    acting_user: Any,
    rule_id: str | None = None,
    on: datetime.date | None = None,
    watermark: Watermark | None = None,
) -> bytes:
    """The dossier as XLSX bytes. With `watermark` (an approved bulk read,
    kenes.registry.approvals), each sheet's first row names who it was made for and the
    request, and so do the document's properties."""
    if not can(acting_user, Action.EXPORT_DOSSIER):
        raise PermissionDenied
    rule = load_jurisdiction("kz").registration_rule(rule_id)
    on = on or timezone.localdate()
    lang = names_language()
    book = Workbook(write_only=True)
    if watermark is not None:
        book.properties.creator = watermark.login
        book.properties.title = _("Registration dossier")
        book.properties.subject = watermark.line()
        book.properties.keywords = f"kenes-request-{watermark.number}"
        book.properties.description = watermark.line()
    units = {u.code: u for u in rule.region_units()}
    by_unit: dict[str, list[Member]] = {code: [] for code in units}
    with transaction.atomic():
        members = members_for(acting_user).filter(good_standing(on)).order_by("pk")
        for member in members.iterator(chunk_size=2000):
            by_unit.setdefault(rule.unit_for(member.region_code), []).append(member)
        # Names are sealed: each region's list is put in name order here, opened.
        by_unit = {code: by_name(unit_members) for code, unit_members in by_unit.items()}
        used: set[str] = set()
        header = [
            "№",
            _("Full name"),
            _("Date of birth"),
            _("IIN"),
            _("Address"),
            _("Phone"),
            _("Joined on"),
            _("Consent given on"),
            _("How consent was given"),
        ]
        count = 0
        for code, unit_members in by_unit.items():
            unit = units.get(code)
            sheet = book.create_sheet(_sheet_title(unit.name(lang) if unit else code, used))
            if watermark is not None:
                sheet.append(xlsx_row(sheet, [watermark.line()]))
            sheet.append(xlsx_row(sheet, header))
            for n, m in enumerate(unit_members, start=1):
                sheet.append(
                    xlsx_row(
                        sheet,
                        [
                            n,
                            m.full_name,
                            m.birth_date,
                            m.iin,
                            m.address or "",
                            m.phone or "",
                            m.joined_on,
                            m.consent_on,
                            m.consent_method,
                        ],
                    )
                )
            count += len(unit_members)
        # Parts other apps add (the founding congress's delegates and protocol: the
        # congress is where an examiner looks for a pretext, kenes.congress.dossier).
        for _receiver, parts in dossier_parts.send(sender="dossier", on=on):
            for title, rows in parts or []:
                sheet = book.create_sheet(_sheet_title(title, used))
                if watermark is not None:
                    sheet.append(xlsx_row(sheet, [watermark.line()]))
                for row in rows:
                    sheet.append(xlsx_row(sheet, row))
        audit.record(
            "dossier.export",
            acting_user=acting_user,
            target_type="dossier",
            target_id=rule.id,
            detail={"members": count, "on": on.isoformat()},
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOSSIER_FAILED = gettext_noop(
    "The dossier could not be made. Ask for it again; "
    "if it fails again, tell the site's administrator."
)


def do_request_dossier(
    *, acting_user: Any, rule_id: str | None = None, language: str = "ru"
) -> PreparedFile:
    """Ask the background worker for the dossier of `rule_id` (the newest rules if None).

    Raises PermissionDenied for anyone but a national admin and UnknownRules for rules
    that do not exist, before anything is queued. The file is held until other officers
    approve the read (kenes.registry.approvals).
    """
    if not can(acting_user, Action.EXPORT_DOSSIER):
        raise PermissionDenied
    rule = load_jurisdiction("kz").registration_rule(rule_id)
    on = timezone.localdate()
    title = _("Registration dossier (%(rules)s)") % {"rules": rule.id}
    with transaction.atomic():
        item = prepared.do_prepare(
            "dossier",
            acting_user=acting_user,
            title=title,
            back_url=reverse("readiness"),
            filename=f"kenes-dossier-{rule.id}-{on.isoformat()}.xlsx",
            content_type=XLSX,
            source=json.dumps({"rules": rule.id, "on": on.isoformat(), "language": language}),
            enqueue=make_dossier_file.enqueue,
            hold=True,
        )
        approvals.do_request(
            "dossier", acting_user=acting_user, title=title, bundle=item.bundle, member_ids=None
        )
        return item


def _build_dossier(item: PreparedFile) -> bytes:
    wanted = json.loads(item.source or "{}")
    with override(wanted.get("language") or "ru"):
        return export_dossier(
            acting_user=item.owner,
            rule_id=wanted["rules"],
            on=datetime.date.fromisoformat(wanted["on"]),
            watermark=approvals.watermark(item),
        )


@task()
def make_dossier_file(file_id: str) -> None:
    """Background work: the dossier asked for in `do_request_dossier`."""
    prepared.make(file_id, _build_dossier, DOSSIER_FAILED)
