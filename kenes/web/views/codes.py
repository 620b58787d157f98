"""The page that hands out personal codes, once: a CSV inline and printable slips.

Shared by elections and consultations, with the page shown to an address that typed
too many wrong codes. The codes are not stored (only keyed hashes are),
so the CSV travels inside the page as a `data:` link and the page is never cached.
The CSV carries each member's phone for an SMS gateway: read through the registry
(`phones_for_messages`: the officer's scope, one audit entry for the whole list).
"""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from kenes.participation import throttle
from kenes.participation.services import IssuedCode, codes_csv
from kenes.registry.services import phones_for_messages


def codes_page(
    request: HttpRequest,
    template: str,
    issued: list[IssuedCode],
    *,
    start: str,
    link: str,
    csv_name: str,
    purpose: str,
    context: dict[str, Any],
) -> HttpResponse:
    """`start`: the URL name where a code is typed; `link`: the personal link's URL name;
    `purpose`: what the codes are for (the audit entry of the phones read names it)."""
    phones = phones_for_messages(
        [item.member_id for item in issued], acting_user=request.user, purpose=purpose
    )
    content = codes_csv(issued, link_base=request.build_absolute_uri(reverse(start)), phones=phones)
    slips = [
        {
            "name": item.full_name,
            "code": item.code,
            "link": request.build_absolute_uri(reverse(link, args=[item.code])),
        }
        for item in issued
    ]
    response = render(
        request,
        template,
        {
            **context,
            "slips": slips,
            "csv_uri": "data:text/csv;base64," + base64.b64encode(content).decode("ascii"),
            "csv_name": csv_name,
        },
    )
    add_never_cache_headers(response)  # includes no-store: codes must not sit in a cache
    return response


def throttled_page(request: HttpRequest, back: str) -> HttpResponse | None:
    """The 429 page if this address typed too many wrong codes lately, else None.

    Checked before any code is looked up (kenes.participation.throttle); `back` is the URL
    name of the page where codes are typed.
    """
    minutes = throttle.wait_minutes(throttle.client_address(request))
    return throttled_response(request, back, minutes) if minutes else None


def throttled_response(request: HttpRequest, back: str, minutes: int) -> HttpResponse:
    """The 429 page: wait `minutes` before typing a code again on the page named `back`."""
    context = {"minutes": minutes, "back_url": reverse(back)}
    return render(request, "web/codes/throttled.html", context, status=429)
