"""Pages rendered once per content and language, then filled in per request.

The ballot page and the receipt are the pages served most when a vote is open, and all
but a few values on them are the same for every voter of one election: the election, its
candidates, the language. Rendering them through the template engine is most of a cast's
cost (bench/README.md, bench.ballots_load), so a page is rendered once with a marker in
place of each per-request value (a "hole"), kept split at the markers, and each request
joins the parts with its own values, escaped as the template would have escaped them.

Rules for a template rendered this way:
- every hole is written as a plain `{{ name }}` (autoescaped, no filter), so escaping the
  value here gives exactly what the template would have written;
- the key given with it holds everything else the page shows (apart from the language,
  which is added here): the same key must mean the same page.

What is kept holds nothing of any voter: codes, paths, tokens and receipts are all holes.

Built-in holes: `csrf_token` (the `{% csrf_token %}` tag writes the token as a plain
value) and the request's path (`request.get_full_path`, the language form's `next`).
The markers carry a random per-process salt, so no text stored by a user can forge one.

Each process keeps its own drawn pages, as Django's cached template loader keeps its
templates: a page is a function of its key, so every process draws the same one and none
relies on another (ARCHITECTURE: nothing may assume a single process).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.html import escape
from django.utils.translation import get_language

_SALT = secrets.token_hex(8)
_MARKER = re.compile(rf"kh{_SALT}([a-z_]+)hk")
_PATH = "request_path"
_MAX_PAGES = 256  # an election's pages per language; cleared whole when full

# (template, language, key) -> the page split at its markers: text, hole, text, hole, ...
_pages: dict[tuple[Hashable, ...], tuple[str, ...]] = {}


def _marker(name: str) -> str:
    return f"kh{_SALT}{name}hk"


class _RequestWithMarkedPath:
    """The request as the template sees it while the page is drawn: its path is a hole."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def get_full_path(self) -> str:
        return _marker(_PATH)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def render_filled(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], Mapping[str, Any]],
    *,
    key: Hashable,
    holes: Mapping[str, str],
    status: int = 200,
) -> HttpResponse:
    """The page `template_name` with `context`, its `holes` filled with this request's values.

    `context()` gives the template's context, holes aside; it is called only when this
    page is not yet drawn for this key and language, and must not depend on the request
    beyond `key`.
    """
    page_key = (template_name, get_language(), key)
    parts = _pages.get(page_key)
    if parts is None:
        parts = _draw(request, template_name, context, holes)
        if len(_pages) >= _MAX_PAGES:
            _pages.clear()
        _pages[page_key] = parts
    values = {name: escape(value) for name, value in holes.items()}
    values["csrf_token"] = get_token(request)  # also asks the middleware to set the cookie
    values[_PATH] = escape(request.get_full_path())
    filled = list(parts)
    for i in range(1, len(filled), 2):
        filled[i] = values[filled[i]]
    return HttpResponse("".join(filled), status=status)


def _draw(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], Mapping[str, Any]],
    holes: Mapping[str, str],
) -> tuple[str, ...]:
    marked = {name: _marker(name) for name in holes}
    marked["csrf_token"] = _marker("csrf_token")
    page = loader.render_to_string(
        template_name,
        {**context(), **marked, "request": _RequestWithMarkedPath(request)},
        request,
    )
    return tuple(_MARKER.split(page))


def forget_all() -> None:
    """Drop every drawn page (tests that change a template's inputs in place)."""
    _pages.clear()
