"""A member list as a file (CSV): the bulk read the API refuses past its limit (issue 12).

Asked for on the requests page (`do_request_member_list`: the members of the officer's
scope, optionally of one region or status), held until other officers approve it
(kenes.registry.approvals), then made once by the background worker as the officer,
with the watermark line first, and downloaded once (kenes.registry.prepared).
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task

from kenes.audit import services as audit
from kenes.registry import approvals, prepared
from kenes.registry.models import MemberStatus, PreparedFile
from kenes.registry.rosters import groups_by_member
from kenes.registry.scoping import Action, can, groups_seen, members_for
from kenes.security.spreadsheet_text import CsvWriter

CSV = "text/csv; charset=utf-8"
LIST_FAILED = gettext_noop(
    "The member list could not be made. Ask for it again; if it fails again, tell the "
    "site's administrator."
)
_IDS_PER_QUERY = 2000


def do_request_member_list(
    *, acting_user: Any, region: str = "", status: str = "", language: str = "ru"
) -> PreparedFile:
    """Ask for the members of `acting_user`'s scope (of `region`, of `status`) as a CSV
    file; held until other officers approve it. ValueError for a status that does not
    exist or a list with nobody in it."""
    if not can(acting_user, Action.ASK_BULK_READ) or not can(acting_user, Action.LIST_MEMBERS):
        raise PermissionDenied
    if status and status not in MemberStatus.values:
        raise ValueError(_("Choose a status from the list."))
    members = members_for(acting_user)
    if region:
        members = members.filter(region_code=region)
    if status:
        members = members.filter(status=status)
    ids = list(members.values_list("pk", flat=True))
    if not ids:
        raise ValueError(_("No member of your scope fits this choice: there is nothing to read."))
    title = _("Member list (%(count)s members)") % {"count": len(ids)}
    with transaction.atomic():
        item = prepared.do_prepare(
            "members_csv",
            acting_user=acting_user,
            title=title,
            back_url=reverse("bulk_reads"),
            filename=f"kenes-members-{timezone.localdate().isoformat()}.csv",
            content_type=CSV,
            source=json.dumps({"language": language}),
            enqueue=make_member_list_file.enqueue,
            hold=True,
        )
        approvals.do_request(
            "members", acting_user=acting_user, title=title, bundle=item.bundle, member_ids=ids
        )
    return item


def _build_member_list(item: PreparedFile) -> bytes:
    source = json.loads(item.source or "{}")
    request = approvals.request_of(item)
    wanted = (request.member_ids() or []) if request is not None else []
    mark = approvals.watermark(item)
    owner = item.owner
    scope = members_for(owner)
    rows = []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        rows += list(scope.filter(pk__in=wanted[start : start + _IDS_PER_QUERY]))
    rows.sort(key=lambda m: (m.full_name, m.pk))
    groups_of = groups_by_member(m.pk for m in rows)
    out = io.StringIO()
    writer = CsvWriter(out)
    with override(source.get("language") or "ru"):
        if mark is not None:  # one quoted cell, as in the codes file
            writer.writerow(["# " + " ".join(mark.line().split())])
    writer.writerow(["id", "full_name", "region", "status", "groups"])
    for m in rows:
        groups = " ".join(g.slug for g in groups_seen(owner, m, groups_of.get(m.pk, [])))
        writer.writerow([m.pk, m.full_name, m.region_code, m.status, groups])
    with transaction.atomic():
        audit.record(
            "member.list",
            acting_user=owner,
            target_type="read_request",
            target_id=request.pk if request is not None else "",
            detail={"via": "file", "count": len(rows)},
        )
    return out.getvalue().encode("utf-8-sig")


@task()
def make_member_list_file(file_id: str) -> None:
    """Background work: the member list of an approved request."""
    prepared.make(file_id, _build_member_list, LIST_FAILED)
