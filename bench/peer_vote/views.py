"""The bare views: a ballot form with a CSRF token, and a POST that inserts one row.

No code check, no hashing, no locking, no upsert: the cost floor of the pattern.
"""

import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from bench.peer_vote.models import PlainBallot

CANDIDATES = [f"Candidate {n}" for n in range(1, 9)]
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@require_GET
def ballot(request: HttpRequest, code: str) -> HttpResponse:
    return render(
        request,
        "peer_vote/ballot.html",
        {"code": code, "election": 1, "candidates": list(enumerate(CANDIDATES))},
    )


@require_POST
def cast(request: HttpRequest) -> HttpResponse:
    ranking: dict[int, list[int]] = {}
    for position in range(len(CANDIDATES)):
        value = request.POST.get(f"rank_{position}", "").strip()
        if value:
            if not value.isdigit():
                return HttpResponseBadRequest("rank must be a number")
            ranking.setdefault(int(value), []).append(position)
    receipt = "".join(secrets.choice(ALPHABET) for _ in range(20))
    PlainBallot.objects.create(
        code=request.POST.get("code", "")[:32],
        receipt=receipt,
        ranking=[ranking[k] for k in sorted(ranking)],
    )
    return render(request, "peer_vote/receipt.html", {"receipt": receipt})
