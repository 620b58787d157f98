"""A group's page lists to a coordinator of another group none of that group's members."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_coordinator_does_not_learn_which_of_their_members_joined_another_group(
    client_for, registry
):
    # Person 5 is in both groups; the workers' coordinator must not see them on the
    # farmers' page (that would tell them their member also joined the farmers).
    page = client_for("group").get(reverse("group_detail", args=["farmers"]))
    assert page.status_code == 200
    listed = page.context.get("page")
    assert listed is None or registry["both"].pk not in [m.pk for m in listed.object_list]
    assert registry["both"].full_name not in page.content.decode()


def test_the_admin_and_the_regional_coordinator_still_see_the_members_of_any_group(
    client_for, registry
):
    for role in ("admin", "regional"):
        page = client_for(role).get(reverse("group_detail", args=["farmers"]))
        assert registry["both"].pk in [m.pk for m in page.context["page"].object_list]


def test_readiness_names_no_defect_of_a_record_another_group_keeps(client_for, registry):
    # Person 5's record is the workers'; the farmers joined it: a farmers' coordinator
    # must not learn from the readiness page what that record lacks.
    from django.contrib.auth import get_user_model

    from kenes.registry.models import ConstituentGroup
    from kenes.registry.services import do_grant_role

    officer = get_user_model().objects.create_user("farmers-coordinator")
    farmers = ConstituentGroup.objects.get(slug="farmers")
    do_grant_role(officer, "group", group=farmers, acting_user="t")
    client = client_for("group")
    client.force_login(officer)
    page = client.get(reverse("readiness"))
    shown = {pk for d in page.context["defects"] for pk, _ in d.get("names", [])}
    assert shown, "the farmers' own members' defects are still named"
    assert registry["both"].pk not in shown
