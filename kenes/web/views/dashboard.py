"""The overview a user lands on after logging in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.registry.models import ImportBatch
from kenes.registry.readiness import compute_readiness
from kenes.registry.scoping import Action, can, groups_for
from kenes.web.views.common import good_standing_by_group


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
    context["recent_imports"] = (
        ImportBatch.objects.filter(uploaded_by=user)
        .select_related("group")
        .defer("content", "report")[:5]
    )
    return render(request, "web/dashboard.html", context)
