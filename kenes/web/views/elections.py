"""Officers' pages for elections and motions (placeholder)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def election_list(request: HttpRequest) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_add(request: HttpRequest) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_detail(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_candidates(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_open(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_close(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_publish(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_paper(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built


def election_reissue(request: HttpRequest, election_id: int) -> HttpResponse:
    raise Http404  # placeholder: being built
