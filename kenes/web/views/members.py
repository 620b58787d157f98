"""Members: the scoped, audited list and one member's page."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kenes.audit.services import record_standalone
from kenes.core.rules import UnknownRules
from kenes.registry.conflicts import open_conflict_count
from kenes.registry.importing import StrictImportRefused, defect_json
from kenes.registry.member_cards import member_card
from kenes.registry.models import MemberStatus
from kenes.registry.name_search import with_name
from kenes.registry.readiness import compute_readiness
from kenes.registry.scoping import (
    Action,
    can,
    groups_for,
    import_groups_for,
    members_for,
    members_of_group_for,
    records_for,
)
from kenes.registry.screen_budget import check_screen_budget
from kenes.registry.services import (
    MergeConflictRefused,
    do_add_member,
    do_update_member,
    find_members_by_iin,
    get_member_for_viewing,
    refuse_out_of_scope,
)
from kenes.security.sealing import fingerprint
from kenes.web import labels
from kenes.web.forms import MemberAddForm, MemberFilterForm, MemberStatusForm
from kenes.web.views.common import member_page, member_page_of_ids, screen_limit_page

_IIN_SEPARATORS = re.compile(r"[\s\-]+")


def _as_iin(query: str) -> str | None:
    digits = _IIN_SEPARATORS.sub("", query)
    return digits if digits.isdigit() and len(digits) == 12 else None


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, Action.LIST_MEMBERS):
        raise PermissionDenied
    budget = check_screen_budget("members", acting_user=user)
    if budget.used_up:
        return screen_limit_page(request, budget)
    form = MemberFilterForm(request.GET or None, groups=groups_for(user))
    members = members_for(user)
    asked: dict[str, Any] = {}
    defect: tuple[str, str] | None = None
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"].strip()
        iin = _as_iin(query)
        if iin:
            found = find_members_by_iin(iin, acting_user=user)
            members = members.filter(pk__in=[m.pk for m in found])
            # The audit log never holds personal data in the clear.
            asked["iin"] = "fp:" + fingerprint(iin)
        elif query:
            digits = _IIN_SEPARATORS.sub("", query)
            if digits.isdigit() and len(digits) > 6:
                messages.warning(
                    request,
                    _("An IIN has 12 digits; you entered %(n)s. Check the number and search again.")
                    % {"n": len(digits)},
                )
            members = with_name(members, query)
            asked["name"] = query
        for name, lookup in (("region", "region_code"), ("status", "status")):
            if data[name]:
                members = members.filter(**{lookup: data[name]})
                asked[name] = data[name]
        if data["group"]:
            members = members.filter(pk__in=members_of_group_for(user, data["group"]).values("pk"))
            asked["group"] = data["group"].slug
        if data["defect"]:
            try:
                readiness = compute_readiness(data["rules"] or None)
            except UnknownRules:
                readiness = compute_readiness(None)
            defect = (data["defect"], readiness.rule.id)
            asked["defect"], asked["rules"] = defect
            # A record's defects are the record keeper's to see, not a joining group's.
            members = members.filter(pk__in=records_for(user).values("pk"))
    elif form.is_bound:
        members = members.none()  # say what is wrong rather than list everyone
    if defect is None:
        page = member_page(request, members)
    else:
        # Defects are found in Python (the fields are sealed): intersect ids in
        # Python too, so a list of tens of thousands stays one cheap query.
        flagged = set(readiness.defective_member_ids.get(defect[0], []))
        page = member_page_of_ids(
            request, [pk for pk in members.values_list("pk", flat=True) if pk in flagged]
        )
    record_standalone(
        "member.list",
        acting_user=user,
        detail={
            "query": asked,
            "page": page.number,
            "count": len(page.object_list),
            "total": page.paginator.count,
        },
    )
    return render(
        request,
        "web/members/list.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(asked),
            "screen_rows_left": max(0, budget.left - len(page.object_list)),
            "conflicts_waiting": open_conflict_count(acting_user=user),
            "defect": (defect[0], labels.readiness_defect(defect[0])[0], defect[1])
            if defect
            else None,
        },
    )


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    user = request.user
    # Before anything is read: the same answer whether or not the member is in scope.
    budget = check_screen_budget(
        "member", acting_user=user, target_type="member", target_id=member_id
    )
    if budget.used_up:
        return screen_limit_page(request, budget)
    form = MemberStatusForm(request.POST or None)
    if request.method == "POST":
        member = records_for(user).filter(pk=member_id).only("pk", "full_name", "status").first()
        if member is None:
            refuse_out_of_scope(acting_user=user, target_type="member", target_id=member_id)
        assert member is not None
        if form.is_valid():
            new_status = form.cleaned_data["status"]
            if new_status == member.status:
                messages.info(
                    request,
                    _("The status was already %(status)s; nothing changed.")
                    % {"status": MemberStatus(new_status).label},
                )
                return redirect("member_detail", member_id=member.pk)
            try:
                do_update_member(member, {"status": new_status}, acting_user=user)
            except ValidationError as error:
                form.add_error("status", error)
            else:
                messages.success(
                    request,
                    _("%(name)s is now: %(status)s.")
                    % {
                        "name": member.full_name,
                        "status": MemberStatus(new_status).label,
                    },
                )
                return redirect("member_detail", member_id=member.pk)
    card = member_card(get_member_for_viewing(member_id, acting_user=user), acting_user=user)
    if request.method != "POST":
        form = MemberStatusForm(initial={"status": card.status})
    return render(
        request,
        "web/members/detail.html",
        {"member": card, "groups": card.groups, "form": form},
    )


@login_required
def member_add(request: HttpRequest) -> HttpResponse:
    """Enter one person by hand; every check of an imported row applies."""
    user = request.user
    groups = import_groups_for(user)
    if not groups.exists():
        raise PermissionDenied
    form = MemberAddForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "group"}
        try:
            member = do_add_member(values, group=form.cleaned_data["group"], acting_user=user)
        except StrictImportRefused as refused:
            for defect in refused.result.defects:
                sentence = labels.defect_sentence(defect_json(defect) | {"value": defect.value})
                field = defect.field if defect.field in form.fields else None
                form.add_error(field, sentence)
        except MergeConflictRefused:
            form.add_error(
                None,
                _(
                    "This IIN is already in the registry with another name, date of birth or "
                    "region. Nothing was added: a national admin will compare the two entries "
                    "and decide. Check the person's identity card in the meantime."
                ),
            )
        else:
            messages.success(
                request,
                _("%(name)s is a member of %(group)s.")
                % {"name": member.full_name, "group": form.cleaned_data["group"].name},
            )
            if not records_for(user).filter(pk=member.pk).exists():
                messages.info(
                    request,
                    _(
                        "This person was already in the registry. You see what your group "
                        "entered; their other details stay with the group that keeps the record."
                    ),
                )
            return redirect("member_detail", member_id=member.pk)
    return render(request, "web/members/add.html", {"form": form})
