"""Constituent groups: the list, one group's page, adding a group (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kenes.audit.services import record_standalone
from kenes.registry.models import Role, RoleKind
from kenes.registry.scoping import Action, can, groups_for, members_of_group_for
from kenes.registry.screen_budget import check_screen_budget
from kenes.registry.selectors import group_sizes
from kenes.registry.services import do_add_group
from kenes.web.forms import GroupForm
from kenes.web.views.common import good_standing_by_group, member_page


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_AGGREGATES):
        raise PermissionDenied
    counts = good_standing_by_group()
    groups = [(group, counts.get(group.pk, 0)) for group in groups_for(request.user)]
    return render(
        request,
        "web/groups/list.html",
        {
            "groups": groups,
            "may_add": can(request.user, Action.MANAGE_GROUPS),
        },
    )


@login_required
def group_add(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.MANAGE_GROUPS):
        raise PermissionDenied
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = do_add_group(
                form.cleaned_data["slug"],
                name=form.cleaned_data["name"],
                concern=form.cleaned_data["concern"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error("slug", error)
        else:
            messages.success(request, _("The group %(name)s was added.") % {"name": group.name})
            return redirect("group_detail", slug=group.slug)
    return render(request, "web/groups/add.html", {"form": form})


@login_required
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if not can(request.user, Action.VIEW_AGGREGATES):
        raise PermissionDenied
    group = get_object_or_404(groups_for(request.user), slug=slug)
    coordinators = (
        Role.objects.filter(kind=RoleKind.GROUP, group=group)
        .select_related("user")
        .order_by("user__username")
    )
    context = {
        "group": group,
        "coordinators": [role.user for role in coordinators],
        "good_standing": good_standing_by_group().get(group.pk, 0),
        "memberships": group_sizes().get(group.pk, 0),
        "may_list": can(request.user, Action.LIST_MEMBERS),
        "may_import": can(request.user, Action.IMPORT_MEMBERS, group),
    }
    if context["may_list"]:
        budget = check_screen_budget(
            "group", acting_user=request.user, target_type="group", target_id=group.slug
        )
        context["screen_budget"] = budget if budget.used_up else None
    if context["may_list"] and context["screen_budget"] is None:
        page = member_page(request, members_of_group_for(request.user, group))
        record_standalone(
            "member.list",
            acting_user=request.user,
            target_type="group",
            target_id=group.slug,
            detail={
                "query": {"group": group.slug},
                "page": page.number,
                "count": len(page.object_list),
            },
        )
        context["page"] = page
    return render(request, "web/groups/detail.html", context)
