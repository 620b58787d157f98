"""While the server is sealed, the notices of bulk reads keep working (issue 12): a page
that needs no personal data does not break because a request's member list is sealed,
and trustees still see every open request (whose members a request covers is not shown)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kenes.registry.models import ReadRequest
from tests.approvals.conftest import EN, issue_codes
from tests.custody.conftest import custody  # noqa: F401  (custody set up in a var dir)

pytestmark = pytest.mark.django_db


def test_notices_and_the_trustees_list_work_while_sealed(
    client_of,
    consultation,
    custody,  # noqa: F811
):
    issue_codes(client_of("regional"), consultation, phones="on")
    request = ReadRequest.objects.get()
    custody.init()  # from now on the keys are with the trustees: the server starts sealed
    assert custody.sealed()
    for name in ("regional2", "group", "admin", "trustee"):
        page = client_of(name).get(reverse("dashboard"), **EN)
        assert page.status_code == 200, name
        assert reverse("bulk_reads") in page.content.decode()
    listing = client_of("trustee").get(reverse("bulk_reads"), **EN)
    assert listing.status_code == 200 and f"<td>{request.pk}</td>" in listing.content.decode()
    # Approving needs the members the request covers: that waits for the unseal.
    refused = client_of("regional2").post(reverse("bulk_read_approve", args=[request.pk]))
    assert refused.status_code == 503
    state = ReadRequest.objects.filter(pk=request.pk).values_list("state", flat=True).get()
    assert state == "requested" and not request.approvals.exists()
