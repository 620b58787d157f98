"""Reading what an officer gets when codes are issued or the dossier is asked for: the
redirect to the page of files made in the background (kenes.registry.prepared), and each
file downloaded (once) from it. Tests run background work inline (KENES_TASKS=immediate)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse


def approve_as_another_admin(bundle: Any) -> None:
    """A bulk read (kenes.registry.approvals) held for approval is approved by a second
    national admin, so its files are made (tests/approvals tests the approval itself)."""
    from django.contrib.auth import get_user_model

    from kenes.registry import approvals
    from kenes.registry.models import ReadRequest, ReadRequestState
    from kenes.registry.services import do_grant_role

    request = ReadRequest.objects.filter(bundle=bundle, state=ReadRequestState.REQUESTED).first()
    if request is None:
        return
    other, created = get_user_model().objects.get_or_create(username="second-admin")
    if created:
        do_grant_role(other, "admin", acting_user="test")
    approvals.do_approve(request.pk, acting_user=other)


def downloads(client: Any, response: Any, **extra: Any) -> dict[str, Any]:
    """{kind: response} of every file on the files page `response` redirects to, each
    downloaded once through the page's own form; "page" is the files page itself. A bulk
    read held for approval is approved by another admin first."""
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/files/"), response["Location"]
    approve_as_another_admin(response["Location"].split("/")[2])
    page = client.get(response["Location"], **extra)
    assert page.status_code == 200
    html = page.content.decode()
    found: dict[str, Any] = {"page": page}
    for action in re.findall(r'<form method="post" action="(/files/[^"]+)"', html):
        got = client.post(action, **extra)
        assert got.status_code == 200, got.status_code
        found[_kind(got)] = got
    return found


def _kind(response: Any) -> str:
    name = response["Content-Disposition"]
    if name.endswith('-slips.html"'):
        return "slips"
    if name.endswith('.csv"'):
        return "csv"
    return "xlsx"


def codes_csv_text(client: Any, response: Any) -> tuple[str, str]:
    """(the codes file's text, the slips file's HTML) handed out after `response`."""
    files = downloads(client, response)
    return files["csv"].content.decode("utf-8-sig"), files["slips"].content.decode()


def files_page_url(bundle: Any) -> str:
    return reverse("prepared_files", args=[bundle])


def without_watermark(text: str) -> str:
    """A CSV's text without its first line if that is the watermark of a bulk read
    (kenes.registry.approvals: one cell starting with "# ")."""
    first, _, rest = text.partition("\n")
    return rest if first.startswith('"# ') else text
