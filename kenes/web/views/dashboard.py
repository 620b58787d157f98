"""The overview a user lands on after logging in.

Officers and auditors also see the votes and consultations under way in the electorates
they may see (kenes.ballots.rules.visible_elections, kenes.agenda.rules.visible_consultations:
both go through kenes.registry.scoping): phase, period and turnout, never a ballot.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.agenda import phases as agenda_phases
from kenes.agenda.models import Participant
from kenes.agenda.rules import sees_consultations, visible_consultations
from kenes.ballots import phases as ballot_phases
from kenes.ballots.models import VoterRoll
from kenes.ballots.rules import sees_elections, visible_elections
from kenes.registry.models import ImportBatch
from kenes.registry.readiness import compute_readiness
from kenes.registry.scoping import Action, can, groups_for
from kenes.web.views import agenda_admin, elections
from kenes.web.views.common import good_standing_by_group

#: At most this many of each kind on the overview; the full lists are one link away.
SHOWN = 20


def votes_under_way(user: Any) -> list[dict[str, Any]]:
    """Open votes, and drafts with an opening time set, that `user` may see: soonest first."""
    found = list(
        visible_elections(user)
        .filter(Q(phase=ballot_phases.OPEN) | Q(phase=ballot_phases.DRAFT, opens_at__isnull=False))
        .select_related("group")
        .order_by("phase", "closes_at", "opens_at", "pk")[:SHOWN]
    )
    voted = dict(
        VoterRoll.objects.filter(election__in=[e.pk for e in found], has_voted=True)
        .values_list("election")
        .annotate(n=Count("pk"))
    )
    rows = []
    for election in found:
        turnout = None
        if election.phase == ballot_phases.OPEN:
            n, size = voted.get(election.pk, 0), election.electorate_size
            turnout = {"voted": n, "size": size, "percent": round(100 * n / size) if size else 0}
        rows.append(
            {
                "election": election,
                "electorate": elections.electorate_label(election),
                "turnout": turnout,
            }
        )
    return rows


def consultations_under_way(user: Any) -> list[dict[str, Any]]:
    """Consultations not yet closed that `user` may see, with how many took part."""
    found = list(
        visible_consultations(user)
        .exclude(phase=agenda_phases.CLOSED)
        .select_related("group")
        .order_by("-pk")[:SHOWN]
    )
    taking_part = dict(
        Participant.objects.filter(consultation__in=[c.pk for c in found])
        .values_list("consultation")
        .annotate(n=Count("pk"))
    )
    return [
        {
            "consultation": c,
            "electorate": agenda_admin.electorate_label(c),
            "participants": taking_part.get(c.pk, 0),
        }
        for c in found
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {"sees_aggregates": can(user, Action.VIEW_AGGREGATES)}
    if context["sees_aggregates"]:
        readiness = compute_readiness(None, with_defects=False)
        counts = good_standing_by_group()
        context.update(
            readiness=readiness,
            shortfall_total=max(0, readiness.required_total - readiness.total),
            regions_short=sum(1 for r in readiness.regions if r.shortfall),
            groups=[(group, counts.get(group.pk, 0)) for group in groups_for(user)],
        )
    context["sees_votes"] = sees_elections(user)
    if context["sees_votes"]:
        context["votes"] = votes_under_way(user)
    context["sees_consultations"] = sees_consultations(user)
    if context["sees_consultations"]:
        context["consultations"] = consultations_under_way(user)
    context["recent_imports"] = (
        ImportBatch.objects.filter(uploaded_by=user)
        .select_related("group")
        .defer("content", "report")[:5]
    )
    return render(request, "web/dashboard.html", context)
