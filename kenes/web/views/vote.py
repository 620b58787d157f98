"""Voting with a personal code, no account: the code page, the ballot, the receipt.

Secrecy (docs/ballots-threat-model.md): nothing here logs or audits a cast. Every page
is sent with `Cache-Control: no-store` (a shared phone must not show the last voter's
ballot from its cache) and `Referrer-Policy: same-origin`: a personal link carries the
code in its address, which must never reach another host. Not `no-referrer`: under that
policy browsers send `Origin: null` with a form's POST, and the CSRF check (rightly)
refuses it, so nobody could vote or even switch the language.

Wrong codes are throttled per client address (kenes.participation.throttle), and a
throttled address waits even with a valid code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kenes.ballots import casting, phases, services, voting
from kenes.ballots.models import Election
from kenes.participation import throttle
from kenes.participation.codes import normalise
from kenes.web import stencil
from kenes.web.views.codes import throttled_response

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
    throttle.record_failure(throttle.client_address(request))
    return render(
        request,
        "web/vote/start.html",
        {"code": code, "error": _wrong_code_sentence()},
        status=400,
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
        }

    if data is None and not error:
        shown = (election.title, election.description, election.kind, election.method)
        key = ("ballot", election.pk, *shown, election.seats, style, rows)
        return stencil.render_filled(
            request, "web/vote/ballot.html", context, key=key, holes={"code": code}
        )
    return render(request, "web/vote/ballot.html", {**context(), "code": code}, status=status)


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
    """The ballot the code opens; the address's throttle is asked before the code."""
    try:
        election = voting.find_open_ballot(code, address=throttle.client_address(request))
    except throttle.Throttled as wait:
        return throttled_response(request, "vote", wait.minutes)
    if election is None:
        return _wrong_code(request, code)
    return _ballot(request, election, code)


@private
@require_POST
def vote_cast(request: HttpRequest) -> HttpResponse:
    """Cast the ballot; any error re-shows the form with the voter's marks and changes nothing."""
    code = str(request.POST.get("code", ""))[:64]
    try:
        election_id = int(request.POST.get("election", ""))
    except ValueError:
        election_id = 0
    try:  # the address's throttle is asked with the election, before the code
        election = voting.election_to_cast(election_id, address=throttle.client_address(request))
    except throttle.Throttled as wait:
        return throttled_response(request, "vote", wait.minutes)
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
    grouped = " ".join(receipt[i : i + 5] for i in range(0, len(receipt), 5))
    return stencil.render_filled(
        request,
        "web/vote/receipt.html",
        lambda: {"election": election},
        key=("receipt", election.pk, election.title),
        holes={"receipt": receipt, "grouped": grouped},
    )
