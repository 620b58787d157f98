"""Results and the published ballot box: public once published (docs/ballots-results.md).

Who sees what is decided only by `kenes.ballots.rules.can(user, VIEW_RESULT, election)`:
anyone once published; before that, the electorate's officers and auditors see a marked
preview while closed and only the turnout while open. A page that may not be shown answers
404, never 403, so that nobody learns from the answer that an unpublished vote exists.
The box and its downloads exist only once published.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from kenes.ballots import box, counting, phases
from kenes.ballots.models import Election
from kenes.ballots.rules import Action, can
from kenes.ballots.services import options, turnout
from kenes.web import explain
from kenes.web.result_charts import election_chart, motion_chart, pair_matrix, round_table
from kenes.web.views.common import PAGE_SIZE, page_of

BOX_FORMAT = "kenes-ballot-box/1"
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _visible(request: HttpRequest, election_id: int) -> Election:
    election = get_object_or_404(Election, pk=election_id)
    if not can(request.user, Action.VIEW_RESULT, election):
        raise Http404
    return election


def _published(election_id: int) -> Election:
    """The box and its downloads exist only for a published vote (404 otherwise, for all)."""
    return get_object_or_404(Election, pk=election_id, phase=phases.PUBLISHED)


def normalise_receipt(text: str) -> str:
    """A receipt as stored: case, spaces and dashes ignored; I/L read as 1, O as 0."""
    return "".join(ch for ch in text.upper() if ch not in " -\u00a0\t").translate(_READ_AS)


def filename(election: Election) -> str:
    return f"election-{election.pk}.blt"


def published_list(request: HttpRequest) -> HttpResponse:
    elections = Election.objects.filter(phase=phases.PUBLISHED).order_by("-created_at", "-pk")
    page = page_of(request, elections)
    return render(request, "web/results/list.html", {"page": page})


def _election_context(election: Election, result: dict[str, Any]) -> dict[str, Any]:
    names = result["candidates"]
    return {
        "sentences": explain.election_sentences(result),
        "table": round_table(result),
        "chart": election_chart(result),
        "pairwise": pair_matrix(names, result.get("pairwise")),
        "paths": pair_matrix(names, result.get("strongest_paths")),
        "condorcet_winner": explain.condorcet_winner(result),
        "method_name": explain.method_name(election.method, election.stv_rules),
        "command": explain.recount_command(
            filename=filename(election),
            method=result["method"],
            seats=result["seats"],
            stv_rules=election.stv_rules,
            seed=result.get("seed"),
        ),
    }


def _motion_context(election: Election, result: dict[str, Any]) -> dict[str, Any]:
    rows = explain.motion_rows(result)
    return {
        "sentences": explain.motion_sentences(result),
        "motion_rows": rows,
        "chart": motion_chart(result, {r["option"]: r["label"] for r in rows}),
        "base_label": explain.base_label(result["base"]),
        "majority_label": explain.majority_label(result["majority"]),
        "command": explain.recount_command(
            filename=filename(election),
            method="motion",
            seats=1,
            stv_rules=election.stv_rules,
            seed=None,
            motion=result,
        ),
    }


def election_result(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _visible(request, election_id)
    context: dict[str, Any] = {"election": election, "result": None, "preview": False}
    if election.phase == phases.PUBLISHED:
        result = election.result
    elif election.phase == phases.CLOSED:
        result, context["preview"] = counting.tally(election), True
    else:
        # While open, never partial results: only how many have voted.
        result = None
        context["turnout"] = turnout(election) if election.phase == phases.OPEN else None
    if result:
        context["result"] = result
        if result.get("kind") == "motion":
            context.update(_motion_context(election, result))
        else:
            context.update(_election_context(election, result))
    return render(request, "web/results/result.html", context)


def _found(request: HttpRequest, listing: list[dict[str, Any]]) -> dict[str, Any]:
    query = request.GET.get("receipt", "").strip()
    if not query:
        return {"query": ""}
    wanted = normalise_receipt(query)
    for i, entry in enumerate(listing):
        if entry["receipt"] == wanted:
            return {"query": query, "found": entry, "found_page": i // PAGE_SIZE + 1}
    return {"query": query, "found": None}


def shown_ballot(ballot: list[list[str]], labels: dict[str, str]) -> str:
    """A ballot for people: "1. Name; 2. Name = Name" (equal rankings joined by "=")."""
    return "; ".join(
        f"{i}. {' = '.join(labels.get(n, n) for n in group)}"
        for i, group in enumerate(ballot, start=1)
    )


def election_box(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _published(election_id)
    listing = box.ballot_box(election)
    labels = explain.option_labels() if election.is_motion else {}
    for entry in listing:
        entry["shown"] = shown_ballot(entry["ballot"], labels)
    check = box.verify_entries(listing, election.box_head)
    head = listing[-1]["hash"] if listing else box.GENESIS
    changed = box.published_box_changed(election, computed=head)
    first_bad = None
    if check.first_bad is not None and check.first_bad < len(listing):
        first_bad = {"number": check.first_bad + 1, **listing[check.first_bad]}
    context = {
        "election": election,
        "page": page_of(request, listing),
        "check": check,
        "changed_since_publication": changed,
        "head": head,
        "anchor": box.publication_anchor(election),
        "first_bad": first_bad,
        "entries": len(listing),
        **_found(request, listing),
    }
    return render(request, "web/results/box.html", context)


def election_box_blt(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _published(election_id)
    response = HttpResponse(box.box_blt(election), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(election)}"'
    return response


def box_document(election: Election) -> dict[str, Any]:
    """The published box as one JSON document (format kenes-ballot-box/1)."""
    return {
        "format": BOX_FORMAT,
        "election": {
            "id": election.pk,
            "title": election.title,
            "kind": election.kind,
            "method": election.method,
            "seats": election.seats,
            "stv_rules": election.stv_rules,
            "seed": election.seed,
            "candidates": list(options(election)),
        },
        "head": election.box_head,
        "audit_anchor": box.publication_anchor(election),
        "entries": [
            {k: e[k] for k in ("receipt", "ballot", "ranking", "paper", "hash")}
            for e in box.ballot_box(election)
        ],
        "result": election.result,
    }


def election_box_json(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _published(election_id)
    response = JsonResponse(box_document(election), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="election-{election.pk}.json"'
    return response
