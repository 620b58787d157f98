"""Congress delegates: seats apportioned among groups or regions (kenes.parliament)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.core.seats import ApportionmentError, Method
from kenes.parliament.delegates import apportion_delegates
from kenes.registry.models import ConstituentGroup
from kenes.registry.scoping import Action, can
from kenes.web import labels
from kenes.web.forms import DelegatesForm


@login_required
def delegates(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_AGGREGATES):
        raise PermissionDenied
    defaults = {"seats": "100", "by": "group", "method": "sainte-lague"}
    form = DelegatesForm({**defaults, **request.GET.dict()})
    rows = []
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = apportion_delegates(
                data["seats"], by=data["by"], method=Method(data["method"])
            )
        except ApportionmentError:
            error = True
        else:
            names = (
                dict(ConstituentGroup.objects.values_list("slug", "name"))
                if data["by"] == "group"
                else {}
            )
            for key, seats in result.delegates.items():
                label = names.get(key) if data["by"] == "group" else labels.region_name(key)
                rows.append((label or key, result.as_json()["counts"][key], seats))
    return render(request, "web/delegates.html", {"form": form, "rows": rows, "error": error})
