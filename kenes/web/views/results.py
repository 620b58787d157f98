"""Results and the published ballot box (placeholder)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def published_list(request: HttpRequest) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_result(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_box(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_box_blt(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_box_json(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built
