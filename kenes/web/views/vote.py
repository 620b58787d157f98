"""Voting with a personal code, no account: the code page, the ballot, the receipt.

Secrecy (docs/ballots-threat-model.md): nothing here logs or audits a cast. Every page
is sent with `Cache-Control: no-store` (a shared phone must not show the last voter's
ballot from its cache) and `Referrer-Policy: same-origin`: a personal link carries the
code in its address, which must never reach another host. Not `no-referrer`: under that
policy browsers send `Origin: null` with a form's POST, and the CSRF check (rightly)
refuses it, so nobody could vote or even switch the language.

Wrong codes are throttled per client address (kenes.participation.throttle); a right code
always works, whatever its address did before.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kenes.ballots import casting, phases, services, voting
from kenes.ballots.models import Election
from kenes.participation import throttle
from kenes.participation.codes import normalise
from kenes.web import stencil
from kenes.web.views.codes import refuse_code

View = Callable[..., HttpResponse]


def private(view: View) -> View:
    """Never cached; the address (which may hold a code) is never a referrer to another host."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def _wrong_code(request: HttpRequest, code: str) -> HttpResponse:
    return refuse_code(
        request,
        "vote",
        lambda: render(
            request,
            "web/vote/start.html",
            {"code": code, "error": _wrong_code_sentence()},
            status=400,
        ),
    )


def _wrong_code_sentence() -> str:
    return str(
        _(
            "This code does not open any vote that is open now. Check it against your message "
            "and type it again. Codes stop working when the vote closes."
        )
    )


def _ballot(
    request: HttpRequest,
    election: Election,
    code: str,
    *,
    data: Mapping[str, Any] | None = None,
    error: str = "",
    status: int = 200,
    returned_on: datetime.date | None = None,
) -> HttpResponse:
    """The ballot; a clean one (no marks, no error) is drawn once per election and language."""
    rows = voting.candidate_rows(election)
    style = voting.ballot_style(election)

    def context() -> dict[str, Any]:
        lines = voting.ballot_lines(election, data, rows)
        return {
            "election": election,
            "style": style,
            "lines": lines,
            "n": len(lines),
            "choice": (data or {}).get("choice", ""),
            "error": error,
            "returned": returned_on is not None,
        }

    holes = {"code": code}
    if returned_on is not None:  # a returning voter: the notice's day is a hole too
        holes["returned_day"] = date_format(returned_on, "j E Y")
    if data is None and not error:
        shown = (election.title, election.description, election.kind, election.method)
        key = ("ballot", election.pk, *shown, election.seats, style, rows, "returned_day" in holes)
        return stencil.render_filled(request, "web/vote/ballot.html", context, key=key, holes=holes)
    return render(request, "web/vote/ballot.html", {**context(), **holes}, status=status)


@private
@require_http_methods(["GET", "POST"])
def vote_start(request: HttpRequest) -> HttpResponse:
    """Type the personal code; a right code shows the ballot at once (no redirect)."""
    if request.method == "GET":
        return render(request, "web/vote/start.html", {"code": ""})
    return _open_ballot(request, str(request.POST.get("code", ""))[:64])


@private
@require_http_methods(["GET"])
def vote_link(request: HttpRequest, code: str) -> HttpResponse:
    """The personal link `/vote/<code>/`: the same ballot as typing the code."""
    return _open_ballot(request, code[:64])


def _open_ballot(request: HttpRequest, code: str) -> HttpResponse:
    """The ballot the code opens; a right code works whatever its address did before."""
    election = voting.find_open_ballot(code)
    if election is None:
        return _wrong_code(request, code)
    earlier = casting.ballot_in(election, code)  # a returning voter is told their ballot is in
    return _ballot(request, election, code, returned_on=earlier.cast_on if earlier else None)


@private
@require_POST
def vote_cast(request: HttpRequest) -> HttpResponse:
    """Cast the ballot; any error re-shows the form with the voter's marks and changes nothing."""
    code = str(request.POST.get("code", ""))[:64]
    try:
        election_id = int(request.POST.get("election", ""))
    except ValueError:
        election_id = 0
    try:  # the address's throttle is asked with the election
        election = voting.election_to_cast(election_id, address=throttle.client_address(request))
    except throttle.Throttled:  # a right code still counts; a wrong one costs no write
        election = voting.election_to_cast(election_id)
        if (
            election is not None
            and election.phase == phases.OPEN
            and not voting.code_opens(election, code)
        ):
            return _wrong_code(request, code)
    if election is None:
        return _wrong_code(request, code)
    if election.phase != phases.OPEN:
        return render(request, "web/vote/closed.html", {"election": election}, status=409)
    if not normalise(code):
        return _wrong_code(request, code)
    data = request.POST
    try:
        ranking = voting.ranking_from_form(
            voting.ballot_style(election), len(services.options(election)), data
        )
        receipt = casting.do_cast(election, code, ranking)
    except services.CodeRefused:
        election.refresh_from_db()
        if election.phase != phases.OPEN:  # closed meanwhile: its codes were revoked
            return render(request, "web/vote/closed.html", {"election": election}, status=409)
        return _wrong_code(request, code)
    except voting.MarkError as error:
        if not voting.code_opens(election, code):  # a wrong code never sees the ballot
            return _wrong_code(request, code)
        return _ballot(request, election, code, data=data, error=str(error), status=400)
    except services.BallotError:
        # A race with the close, or a ranking the service refuses: say so in the voter's words.
        election.refresh_from_db()
        if election.phase != phases.OPEN:
            return render(request, "web/vote/closed.html", {"election": election}, status=409)
        return _ballot(
            request,
            election,
            code,
            data=data,
            error=_("Your ballot could not be read. Check your marks and send it again."),
            status=400,
        )
    # POST, redirect, GET: reloading the receipt page shows the receipt again, it does not
    # cast again (which would replace the ballot and take the noted receipt out of the box).
    # The receipt rides in a signed cookie, never in an address that access logs keep.
    response = HttpResponseRedirect(reverse("vote_receipt"))
    response.status_code = 303
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        json.dumps([election.pk, receipt, election.title]),
        salt=RECEIPT_COOKIE,
        max_age=RECEIPT_SECONDS,
        path=reverse("vote_receipt"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


RECEIPT_COOKIE = "kenes_receipt"
# Long enough to write the receipt down; short, so that the next person on a shared phone
# does not find it.
RECEIPT_SECONDS = 600


@private
@require_http_methods(["GET"])
def vote_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt of the ballot just cast (as often as the page is reloaded, for a while)."""
    try:
        value = request.get_signed_cookie(
            RECEIPT_COOKIE, salt=RECEIPT_COOKIE, max_age=RECEIPT_SECONDS
        )
        election_id, receipt, title = json.loads(value)
        # What the page shows of the election came signed in the cookie: no query.
        election = Election(pk=int(election_id), title=str(title))
    except (KeyError, ValueError, TypeError, signing.BadSignature):
        return render(request, "web/vote/no_receipt.html", status=404)
    grouped = " ".join(receipt[i : i + 5] for i in range(0, len(receipt), 5))
    return stencil.render_filled(
        request,
        "web/vote/receipt.html",
        lambda: {"election": election},
        key=("receipt", election.pk, election.title),
        holes={"receipt": receipt, "grouped": grouped},
    )


@private
def vote_cast_page(request: HttpRequest) -> HttpResponse:
    """`/vote/cast/` opened as a page (a bookmark, a reload after a timeout): the code page."""
    if request.method == "POST":
        return vote_cast(request)
    return HttpResponseRedirect(reverse("vote"))
