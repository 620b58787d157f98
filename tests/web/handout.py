"""Reading what an officer gets when codes are issued or the dossier is asked for: the
redirect to the page of files made in the background (kenes.registry.prepared), and each
file downloaded (once) from it. Tests run background work inline (KENES_TASKS=immediate)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse


def downloads(client: Any, response: Any, **extra: Any) -> dict[str, Any]:
    """{kind: response} of every file on the files page `response` redirects to, each
    downloaded once through the page's own form; "page" is the files page itself."""
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/files/"), response["Location"]
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
