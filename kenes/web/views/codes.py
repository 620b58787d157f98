"""The page that hands out personal codes, once: a CSV inline and printable slips.

Shared by elections and consultations, with the answer to a wrong code (counted against
the client's address; past the limit, the "too many wrong codes" page). The codes are not
stored (only keyed hashes are), so the CSV travels inside the page as a `data:` link and
the page is never cached.
The CSV carries each member's phone for an SMS gateway only if the officer ticked
"include phones" where the codes were issued (`CodesFileForm`, default off); the phones are
then read through the registry (`phones_for_messages`: the officer's scope, one audit entry
for the whole list).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from kenes.participation import throttle
from kenes.participation.codes_file import codes_csv
from kenes.participation.services import IssuedCode
from kenes.registry.services import phones_for_messages
from kenes.web.forms import CodesFileForm


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
    """`start`: the URL name where a code is typed; `link`: the old personal link's URL name
    (the code in the path; still served for links already sent, no longer handed out);
    `purpose`: what the codes are for (the audit entry of the phones read names it).

    Personal links are `start` + `#/` + code (`personal_link`): the code, the member's
    credential, stays out of every access log.
    """
    phones = None
    if CodesFileForm(request.POST).include_phones():
        phones = phones_for_messages(
            [item.member_id for item in issued], acting_user=request.user, purpose=purpose
        )
    link_base = request.build_absolute_uri(reverse(start)) + "#"
    content = codes_csv(issued, link_base=link_base, phones=phones)
    slips = [
        {"name": item.full_name, "code": item.code, "link": personal_link(link_base, item.code)}
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
            "csv_has_phones": phones is not None,
        },
    )
    add_never_cache_headers(response)  # includes no-store: codes must not sit in a cache
    return response


def personal_link(link_base: str, code: str) -> str:
    """The link a member opens: the code page's address, then `#/` and the code.

    Browsers never send what follows `#`: the code reaches no access log, proxy log or
    Referer. The page's script (static/kenes/code-link.js) sends it in a POST, as typed
    (the same shape as the codes file's links: kenes.participation.codes_file).
    """
    return f"{link_base.rstrip('/')}/{code}"


def refuse_code(
    request: HttpRequest, back: str, wrong_page: Callable[[], HttpResponse]
) -> HttpResponse:
    """The answer to a wrong code: counted against the client's address
    (kenes.participation.throttle), then `wrong_page()`, or the 429 page once the address
    is past its limit. Only wrong codes get here: a right code always works.

    `back` is the URL name of the page where codes are typed.
    """
    minutes = throttle.record_failure(throttle.client_address(request))
    return throttled_response(request, back, minutes) if minutes else wrong_page()


def throttled_page(request: HttpRequest, back: str) -> HttpResponse | None:
    """The 429 page if this address typed too many wrong codes lately, else None.

    Superseded by `refuse_code`: asked before a code is looked up, it refuses right codes
    too. Kept only until every code page answers wrong codes with `refuse_code`.
    """
    minutes = throttle.wait_minutes(throttle.client_address(request))
    return throttled_response(request, back, minutes) if minutes else None


def throttled_response(request: HttpRequest, back: str, minutes: int) -> HttpResponse:
    """The 429 page: wrong codes from this address get it for `minutes` more (page `back`)."""
    context = {"minutes": minutes, "back_url": reverse(back)}
    response = render(request, "web/codes/throttled.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
