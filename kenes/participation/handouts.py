"""Handing out personal codes as files made in the background (issue 10, finding 20).

Issuing codes to a whole party is quick (keyed hashes written in bulk); rendering 100,000
codes and slips into one page is not, and such a page could not be reloaded. So the codes
just issued are sealed (kenes.security.sealing) into two kenes.registry.prepared files,
the codes file (CSV, kenes.participation.codes_file) and a page of printable slips, in the
transaction that issues them; the background worker makes the files and drops the sealed
codes; the officer downloads each file once, and it is deleted. The codes are never
stored in the clear, and sealed only until the files are made.

Phone numbers go into the codes file only when the officer asked for them; they are then
read in the background through the registry (`phones_for_messages`: the officer's scope,
one audit entry), as the officer.

A codes file with phones, or for more members than the API gives without approval, is a
bulk read of personal data (kenes.registry.approvals): both files are held until other
officers approve it, then made once with a watermark naming the requester (the CSV's
first line, a line on the slips page).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task

from kenes.participation.codes_file import codes_csv
from kenes.participation.services import IssuedCode
from kenes.registry import approvals, prepared
from kenes.registry.models import PreparedFile
from kenes.registry.services import phones_for_messages

CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"
FILES_FAILED = gettext_noop(
    "This file could not be made. The codes in it are not kept anywhere: issue new codes "
    "to these members (a new code replaces the old one)."
)


def do_hand_out(
    purpose: str,
    issued: Sequence[IssuedCode],
    *,
    acting_user: Any,
    title: str,
    back_url: str = "",
    slip_kind: str,
    link_base: str,
    file_stem: str,
    include_phones: bool,
    language: str,
) -> uuid.UUID:
    """Seal the codes just issued into a codes file and a slips file made in the background;
    the bundle both belong to. Call it in the transaction that issued the codes: if it
    fails, no code was issued that nobody can hand out."""
    codes = [[item.member_id, item.full_name, item.code] for item in issued]
    common = {
        "purpose": purpose,
        "title": title,
        "link_base": link_base,
        "language": language,
        "issued_at": timezone.localdate().isoformat(),
        "codes": codes,
    }
    bundle = prepared.new_bundle()
    hold = approvals.needs_approval("codes", member_count=len(codes), phones=include_phones)
    prepared.do_prepare(
        "codes_csv_phones" if include_phones else "codes_csv",
        acting_user=acting_user,
        title=title,
        back_url=back_url,
        filename=f"{file_stem}.csv",
        content_type=CSV,
        bundle=bundle,
        source=json.dumps({**common, "phones": include_phones}),
        enqueue=make_codes_file.enqueue,
        hold=hold,
    )
    prepared.do_prepare(
        "codes_slips",
        acting_user=acting_user,
        title=title,
        back_url=back_url,
        filename=f"{file_stem}-slips.html",
        content_type=HTML,
        bundle=bundle,
        source=json.dumps({**common, "slip_kind": slip_kind}),
        enqueue=make_slips_file.enqueue,
        hold=hold,
    )
    if hold:
        approvals.do_request(
            "codes",
            acting_user=acting_user,
            title=title,
            bundle=bundle,
            member_ids=[item.member_id for item in issued],
        )
    return bundle


def _issued(source: dict[str, Any]) -> list[IssuedCode]:
    return [IssuedCode(int(pk), name, code) for pk, name, code in source["codes"]]


def personal_link(link_base: str, code: str) -> str:
    """The link a member opens: the code page's address, then `#/` and the code (`link_base`
    ends with "#"). Browsers never send what follows `#`: the code reaches no access log."""
    return f"{link_base.rstrip('/')}/{code}"


def _build_codes_file(item: PreparedFile) -> bytes:
    source = json.loads(item.source or "{}")
    issued = _issued(source)
    phones = None
    if source.get("phones"):
        phones = phones_for_messages(
            [i.member_id for i in issued], acting_user=item.owner, purpose=source["purpose"]
        )
    mark = approvals.watermark(item)
    with override(source.get("language") or "ru"):
        first_line = mark.line() if mark else None
    return codes_csv(issued, link_base=source["link_base"], phones=phones, watermark=first_line)


def _build_slips_file(item: PreparedFile) -> bytes:
    source = json.loads(item.source or "{}")
    css_path = finders.find("kenes/slips.css")
    css = Path(css_path).read_text(encoding="utf-8") if css_path else ""
    slips = [
        {"name": i.full_name, "code": i.code, "link": personal_link(source["link_base"], i.code)}
        for i in _issued(source)
    ]
    mark = approvals.watermark(item)
    with override(source.get("language") or "ru"):
        page = render_to_string(
            "web/codes/slips_file.html",
            {
                "slips": slips,
                "slip_title": source["title"],
                "slip_kind": source.get("slip_kind", ""),
                "css": css,
                "page_title": _("Personal code slips"),
                "watermark": mark.line() if mark else "",
                "made_for": mark.login if mark else "",
            },
        )
    return page.encode("utf-8")


@task()
def make_codes_file(file_id: str) -> None:
    """Background work: the codes file (CSV) of a hand-out."""
    prepared.make(file_id, _build_codes_file, FILES_FAILED)


@task()
def make_slips_file(file_id: str) -> None:
    """Background work: the printable slips (one HTML page) of a hand-out."""
    prepared.make(file_id, _build_slips_file, FILES_FAILED)
