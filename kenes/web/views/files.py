"""Files made in the background for one officer (kenes.registry.prepared): the page that
shows a bundle of them (reloadable: it reloads itself while they are being made) and the
download, once.

Only the officer who asked for a file sees it; anyone else gets 404, as for a file that
never existed. A bulk read's files wait for other officers' approval first
(kenes.registry.approvals): the page says so and links to the requests page.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.registry import approvals, prepared
from kenes.registry.models import PreparedFile, PreparedFileStatus


def _label(item: PreparedFile) -> tuple[str, str]:
    """What the file is and, for the codes file, what it holds."""
    if item.kind == "codes_csv_phones":
        return _("The codes file (CSV)"), _(
            "The file has a name, phone number, code and personal link per voter, for an SMS "
            "gateway or a mail merge: you asked for phone numbers. Handle the file as personal "
            "data and delete it once the codes are sent."
        )
    if item.kind == "codes_csv":
        return _("The codes file (CSV)"), _(
            "The file has a name, code and personal link per voter, for an SMS gateway or a "
            "mail merge. It has no phone numbers: you did not ask for them. Handle the file as "
            "personal data and delete it once the codes are sent."
        )
    if item.kind == "codes_slips":
        return _("Slips to print (a web page)"), _(
            "Open the file in your browser and print it: each A4 page holds several slips "
            "with lines to cut along."
        )
    if item.kind == "dossier":
        return _("The registration dossier (XLSX)"), ""
    if item.kind == "members_csv":
        return _("The member list (CSV)"), _(
            "One row per member of your scope: name, region, status and groups. Handle the "
            "file as personal data."
        )
    return item.filename, ""


@login_required
def bundle_page(request: HttpRequest, bundle: uuid.UUID) -> HttpResponse:
    approvals.expire_due()
    approvals.release_due()
    files = prepared.bundle_for(request.user, bundle)
    if not files:
        raise Http404
    held = approvals.request_of(files[0])
    rows: list[dict[str, Any]] = []
    for item in files:
        label, help_text = _label(item)
        item.label, item.help = label, help_text  # type: ignore[attr-defined]
        rows.append(item)  # type: ignore[arg-type]
    response = render(
        request,
        "web/files/bundle.html",
        {
            "title": files[0].title,
            "files": rows,
            "codes": files[0].kind.startswith("codes_"),
            "waiting": any(f.status == PreparedFileStatus.PENDING for f in files),
            "back_url": files[0].back_url,
            "held": held,
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def download(request: HttpRequest, bundle: uuid.UUID, file_id: uuid.UUID) -> HttpResponse:
    try:
        item, content = prepared.take(request.user, file_id)
    except prepared.NotAvailable:
        if not prepared.bundle_for(request.user, bundle):
            raise Http404 from None
        messages.error(
            request,
            _("That file is no longer here: it was downloaded already, or it expired."),
        )
        return redirect("prepared_files", bundle=bundle)
    response = HttpResponse(content, content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    add_never_cache_headers(response)  # no-store: personal data must not sit in a cache
    return response
