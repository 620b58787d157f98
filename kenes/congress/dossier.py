"""The founding congress in the registration dossier: its delegates (name, region, IIN,
date of birth, whether they were eligible when last checked) and its protocol's content
hash and signatures. Alga! was refused registration over ineligible founders (2006): the
sheet shows the organisers what the examiner will check. Connected in CongressConfig.ready.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from kenes.congress import protocol
from kenes.congress.eligibility import PROBLEMS
from kenes.congress.models import Congress, Delegate, Status


def founding_congress_parts(on: datetime.date, **kwargs: Any) -> list[tuple[str, list[list[Any]]]]:
    congress = (
        Congress.objects.filter(kind__key="founding", status=Status.CLOSED)
        .order_by("-closed_at")
        .first()
    )
    if congress is None:
        return []
    p = protocol.build(congress)
    rows: list[list[Any]] = [
        [congress.title],
        [_("Closed"), p.closed],
        [_("Protocol content hash"), p.digest],
        [
            _("Signed by chair and secretary, on this content"),
            _("yes") if protocol.signatures_hold(congress) else _("no"),
        ],
        [],
        ["№", _("Full name"), _("Region"), _("IIN"), _("Date of birth"), _("Problems")],
    ]
    delegates = Delegate.objects.filter(congress=congress).select_related("member")
    for n, d in enumerate(sorted(delegates, key=lambda d: (d.region_code, d.pk)), start=1):
        m = d.member
        rows.append(
            [
                n,
                m.full_name,
                d.region_code,
                m.iin,
                m.birth_date,
                "; ".join(str(PROBLEMS.get(c, c)) for c in d.problems),
            ]
        )
    return [(_("Founding congress"), rows)]


def connect() -> None:
    from kenes.registry.dossier import dossier_parts

    def receiver(sender: Any, on: datetime.date, **kwargs: Any) -> list[Any]:
        return founding_congress_parts(on)

    dossier_parts.connect(receiver, dispatch_uid="kenes.congress.founding", weak=False)
