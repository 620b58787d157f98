"""Handing out personal codes (elections and consultations) and answering wrong codes.

The codes just issued are never rendered into the page: `hand_out` seals them into two
files made in the background (the codes file, CSV, and the printable slips; see
kenes.participation.handouts) and sends the officer to the page of those files
(POST/redirect/GET: reloading it issues nothing and shows the files' state). Each file is
downloaded once and then deleted; the codes are never stored in the clear.
The codes file carries each member's phone for an SMS gateway only if the officer ticked
"include phones" where the codes were issued (`CodesFileForm`, default off); the phones are
then read through the registry (`phones_for_messages`: the officer's scope, one audit entry
for the whole list).

Wrong codes are answered here too (counted against the client's address; past the limit,
the "too many wrong codes" page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language

from kenes.participation import handouts, throttle
from kenes.participation.services import IssuedCode
from kenes.web.forms import CodesFileForm


def hand_out(
    request: HttpRequest,
    issued: Sequence[IssuedCode],
    *,
    start: str,
    file_stem: str,
    purpose: str,
    title: str,
    slip_kind: str,
    back_url: str,
) -> HttpResponse:
    """The redirect to the page of the codes' files, made in the background.

    Call it inside the transaction that issued `issued`: the sealed codes and the issue
    commit together. `start`: the URL name where a code is typed (personal links are
    `start` + `#/` + code: the code, the member's credential, stays out of every access
    log); `purpose`: what the codes are for (the audit entry of the phones read names it).
    """
    bundle = handouts.do_hand_out(
        purpose,
        issued,
        acting_user=request.user,
        title=title,
        back_url=back_url,
        slip_kind=slip_kind,
        link_base=request.build_absolute_uri(reverse(start)) + "#",
        file_stem=file_stem,
        include_phones=CodesFileForm(request.POST).include_phones(),
        language=get_language() or "ru",
    )
    return redirect("prepared_files", bundle=bundle)


def personal_link(link_base: str, code: str) -> str:
    """The link a member opens: the code page's address, then `#/` and the code
    (kenes.participation.handouts.personal_link)."""
    return handouts.personal_link(link_base, code)


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


def throttled_response(request: HttpRequest, back: str, minutes: int) -> HttpResponse:
    """The 429 page: wrong codes from this address get it for `minutes` more (page `back`)."""
    context = {"minutes": minutes, "back_url": reverse(back)}
    response = render(request, "web/codes/throttled.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
