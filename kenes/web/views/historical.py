"""Past elections replayed under another period's rules (kenes.parliament.historical)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.core.seats import all_seat_rules
from kenes.parliament import rules
from kenes.parliament.historical import past_election, past_elections, replay, sources
from kenes.web.forms_scenarios import rules_choices
from kenes.web.hemicycle import css_class, hemicycle


@login_required
def historical(request: HttpRequest) -> HttpResponse:
    if not rules.sees_scenarios(request.user):
        raise PermissionDenied
    elections = past_elections()
    chosen = past_election(request.GET.get("election", "")) or elections[-1]
    rules_id = request.GET.get("rules", "")
    if rules_id not in all_seat_rules():
        rules_id = chosen.original_rules.id
    official = chosen.original_rules
    replayed = replay(chosen, rules_id)
    parties = list(chosen.votes)
    total = sum(chosen.votes.values())
    rows = [
        {
            "party": party,
            "css": css_class(i),
            "votes": chosen.votes[party],
            "share": round(100 * chosen.votes[party] / total, 2) if total else 0,
            "official": chosen.official_seats.get(party, 0),
            "replayed": replayed.seats.get(party, 0),
        }
        for i, party in enumerate(parties)
    ]
    return render(
        request,
        "web/parliament/historical.html",
        {
            "elections": elections,
            "chosen": chosen,
            "rules_choices": rules_choices(),
            "rules_id": rules_id,
            "official_rules": official,
            "replayed": replayed,
            "rows": rows,
            "official_hemicycle": hemicycle([(r["party"], r["official"]) for r in rows]),
            "replayed_hemicycle": hemicycle([(r["party"], r["replayed"]) for r in rows]),
            "sources": sources(),
        },
    )
