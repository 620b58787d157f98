"""Past elections replayed under another period's rules (kenes.parliament.historical).

GET replays a shipped election; POST replays results the user types or uploads ("Your own
results", OwnResultsForm). Both render the same comparison; nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.core.seats import all_seat_rules
from kenes.parliament import rules
from kenes.parliament.historical import (
    OwnResult,
    PastElection,
    Replay,
    past_election,
    past_elections,
    replay,
    sources,
)
from kenes.web.forms_scenarios import OwnResultsForm, rules_choices
from kenes.web.hemicycle import css_class, hemicycle


def _comparison(election: PastElection | OwnResult, replayed: Replay) -> dict[str, Any]:
    """Rows (votes, share, official and replayed seats) and both hemicycles."""
    total = sum(election.votes.values()) + election.against_all
    rows = [
        {
            "party": party,
            "css": css_class(i),
            "votes": votes,
            "share": round(100 * votes / total, 2) if total else 0,
            "official": election.official_seats.get(party, 0),
            "replayed": replayed.seats.get(party, 0),
        }
        for i, (party, votes) in enumerate(election.votes.items())
    ]
    return {
        "official_rules": election.original_rules,
        "replayed": replayed,
        "rows": rows,
        "official_hemicycle": hemicycle([(r["party"], r["official"]) for r in rows]),
        "replayed_hemicycle": hemicycle([(r["party"], r["replayed"]) for r in rows]),
    }


@login_required
def historical(request: HttpRequest) -> HttpResponse:
    if not rules.sees_scenarios(request.user):
        raise PermissionDenied
    elections = past_elections()
    chosen = past_election(request.GET.get("election", "")) or elections[-1]
    rules_id = request.GET.get("rules", "")
    if rules_id not in all_seat_rules():
        rules_id = chosen.original_rules.id
    context: dict[str, Any] = {
        "elections": elections,
        "chosen": chosen,
        "rules_choices": rules_choices(),
        "rules_id": rules_id,
        "sources": sources(),
    }
    if request.method == "POST":
        own_form = OwnResultsForm(request.POST, request.FILES)
        context["own_form"] = own_form
        if own_form.is_valid():
            own = own_form.cleaned_data["own"]
            context |= {"own": own} | _comparison(own, own_form.cleaned_data["replay"])
        return render(request, "web/parliament/historical.html", context)
    context["own_form"] = OwnResultsForm(
        initial={"held_rules": chosen.original_rules.id, "replay_rules": rules_id}
    )
    context |= _comparison(chosen, replay(chosen, rules_id))
    return render(request, "web/parliament/historical.html", context)
