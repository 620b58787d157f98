"""The hall live: the state as JSON, the delegates' phone page and the projector.

Everything here reads `kenes.congress.live` (computed at most once a second per process,
served from memory). `/hall/<slug>/state.json` is public and needs no cookie; it answers
304 to a matching If-None-Match. The phone page `/hall/<slug>/` needs no account: it polls
its partial every 2 s with htmx (a <noscript> refresh without JavaScript) and, while a
secret vote is open, links to `/vote/` where the delegate types their congress voting code.
The partials carry an ETag too (the state's, with the language and, while someone speaks,
the second of their timer), and their HTML is kept per state, language and second, so a
thousand phones cost one computation and one rendering a second.

The projector `/hall/<slug>/projector/` is for officers: signed in with
`can(user, Action.VIEW_AGGREGATES)` (every officer role; an auditor too). It polls every
second, so what changed is on the screen within two (one of cache, one of polling).
"""

from __future__ import annotations

import threading
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from kenes.ballots.models import Base, Kind, Majority
from kenes.congress import live
from kenes.congress.models import SpeakerKind
from kenes.registry.scoping import Action, can

PHONE_POLL_SECONDS = 2
PROJECTOR_POLL_SECONDS = 1
_RENDERED_LIMIT = 256

_rendered: dict[tuple[str, str, str], tuple[str, str]] = {}  # (template, slug, lang) -> etag, html
_rendered_lock = threading.Lock()


def _live(slug: str) -> live.LiveState:
    found = live.live_state(slug)
    if found is None:
        raise Http404
    return found


def _matches(request: HttpRequest, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return etag in {t.strip().removeprefix("W/") for t in sent.split(",")} or sent.strip() == "*"


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def hall_state_json(request: HttpRequest, slug: str) -> HttpResponse:
    found = _live(slug)
    if _matches(request, found.etag):
        return _not_modified(found.etag)
    response = HttpResponse(found.body, content_type="application/json")
    response["ETag"] = found.etag
    response["Cache-Control"] = "no-cache"  # always ask again; a 304 costs nothing
    return response


def clock(seconds: int | None) -> str:
    """Seconds as the timer shows them: 2:05; over time with a minus sign: −0:12."""
    if seconds is None:
        return ""
    sign = "\u2212" if seconds < 0 else ""
    whole = abs(seconds)
    return f"{sign}{whole // 60}:{whole % 60:02d}"


def _labels(choices: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}


def display(state: dict[str, Any], timer: live.Clock | None) -> dict[str, Any]:
    """The state with what the templates show in words (in the active language)."""
    speaker_kinds = _labels(SpeakerKind)
    speaker = state["speaker"]
    vote = state["vote"]
    result = state["last_result"]
    quorum = state["quorum"]
    return {
        "state": state,
        "speaker_kind": speaker_kinds.get(speaker["kind"], "") if speaker else "",
        "timer": timer,
        "speaker_clock": clock(timer.left if timer else None),
        "speaker_elapsed": clock(timer.elapsed if timer else None),
        "next_speakers": [
            {"name": s["name"], "kind": speaker_kinds.get(s["kind"], "")}
            for s in state["next_speakers"]
        ],
        "vote_kind": _labels(Kind).get(vote["kind"], "") if vote else "",
        "vote_majority": _labels(Majority).get(vote["majority"] or "", "") if vote else "",
        "vote_base": _labels(Base).get(vote["base"] or "", "") if vote else "",
        "result_majority": _labels(Majority).get(result.get("majority", ""), "") if result else "",
        "result_base": _labels(Base).get(result.get("base", ""), "") if result else "",
        "regions_part": bool(quorum["regions_needed"]),
    }


def _timer(state: dict[str, Any]) -> live.Clock | None:
    return live.clock(state["speaker"]) if state["speaker"] else None


def _partial(request: HttpRequest, slug: str, template: str) -> HttpResponse:
    """A live partial, rendered once per state, language and second of the speaker's timer
    and kept; 304 when unchanged."""
    found = _live(slug)
    lang = get_language() or ""
    timer = _timer(found.state)
    tick = f"-{timer.elapsed}" if timer else ""
    etag = f'{found.etag[:-1]}-{lang}{tick}"'
    if _matches(request, etag):
        return _not_modified(etag)
    key = (template, slug, lang)
    kept = _rendered.get(key)
    if kept is not None and kept[0] == etag:
        html = kept[1]
    else:
        html = render_to_string(template, display(found.state, timer))
        with _rendered_lock:
            if len(_rendered) >= _RENDERED_LIMIT:
                _rendered.clear()
            _rendered[key] = (etag, html)
    response = HttpResponse(html)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def hall_phone(request: HttpRequest, slug: str) -> HttpResponse:
    found = _live(slug)
    context = {
        **display(found.state, _timer(found.state)),
        "slug": slug,
        "poll": PHONE_POLL_SECONDS,
        "refresh": PHONE_POLL_SECONDS * 5,  # without JavaScript: the whole page, less often
    }
    return render(request, "web/hall/phone.html", context)


@require_GET
def hall_phone_live(request: HttpRequest, slug: str) -> HttpResponse:
    return _partial(request, slug, "web/hall/_phone_live.html")


def _officer(request: HttpRequest) -> None:
    if not can(request.user, Action.VIEW_AGGREGATES):
        raise PermissionDenied


@login_required
@require_GET
def hall_projector(request: HttpRequest, slug: str) -> HttpResponse:
    _officer(request)
    found = _live(slug)
    context = {
        **display(found.state, _timer(found.state)),
        "slug": slug,
        "poll": PROJECTOR_POLL_SECONDS,
        "refresh": PROJECTOR_POLL_SECONDS * 2,
    }
    return render(request, "web/hall/projector.html", context)


@require_GET
def hall_projector_live(request: HttpRequest, slug: str) -> HttpResponse:
    if request.headers.get("HX-Request") and not can(request.user, Action.VIEW_AGGREGATES):
        # Signed out meanwhile (or the role taken away): the projector's poll must not swap a
        # login page into the screen; htmx reloads the whole page, which then says why.
        response = HttpResponse(status=403)
        response["HX-Refresh"] = "true"
        return response
    return _projector_live(request, slug)


@login_required
def _projector_live(request: HttpRequest, slug: str) -> HttpResponse:
    _officer(request)
    return _partial(request, slug, "web/hall/_projector_live.html")
