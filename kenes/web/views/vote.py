"""Voting with a personal code (placeholder)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def vote_start(request: HttpRequest) -> HttpResponse:
    raise Http404  # placeholder: being built


def vote_cast(request: HttpRequest) -> HttpResponse:
    raise Http404  # placeholder: being built


def vote_link(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404  # placeholder: being built
