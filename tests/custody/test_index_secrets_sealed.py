"""While sealed, the secrets of the keyed hashes (kenes.audit.secrets) cannot be opened nor
made: a member's audit token cannot be computed, so nothing about a member is written to the
audit log, while the audit page (which shows tokens, never opens them) still answers."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from kenes.audit import secrets
from kenes.audit import services as audit
from kenes.audit.models import AuditEntry, IndexSecret
from kenes.registry.services import get_member_for_viewing
from kenes.security.keys import Sealed
from tests.custody.conftest import custody  # noqa: F401  (the fixture used below)
from tests.web.conftest import client_for, registry  # noqa: F401  (fixtures used here)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_no_secret_is_opened_or_made_and_no_member_entry_written_while_sealed(
    custody,  # noqa: F811
    client_for,  # noqa: F811
    registry,  # noqa: F811
    officers,
):
    worker = registry["worker"]
    get_member_for_viewing(worker.pk, acting_user=officers["admin"])
    token = audit.member_target(worker.pk)
    assert IndexSecret.objects.filter(name=audit.MEMBER_SECRET).count() == 1

    custody.start_holder()
    custody.init()  # custody set up, nobody unsealed: sealed
    entries = AuditEntry.objects.count()

    # Each in its own transaction, as each request, task or command has one.
    with pytest.raises(Sealed), transaction.atomic():
        secrets.index_secret(audit.MEMBER_SECRET)
    with pytest.raises(Sealed), transaction.atomic():
        secrets.keyed_hash("never-used-before", "1")
    assert not IndexSecret.objects.filter(name="never-used-before").exists()
    with pytest.raises(Sealed), transaction.atomic():
        audit.member_target(worker.pk)
    with pytest.raises(Sealed), transaction.atomic():
        audit.record("member.view", acting_user="admin", target_type="member", target_id=worker.pk)
    with pytest.raises(Sealed), transaction.atomic():
        list(audit.entries_about_member(worker.pk))
    coordinator = client_for("group")
    assert coordinator.get(reverse("member_detail", args=[worker.pk]), **EN).status_code == 503
    farmer = registry["farmer"]  # out of the coordinator's scope: not even the refusal
    assert coordinator.get(reverse("member_detail", args=[farmer.pk]), **EN).status_code == 503
    assert AuditEntry.objects.count() == entries

    page = client_for("auditor").get(reverse("audit"), **EN)
    assert page.status_code == 200
    assert token[:12] + "…" in page.content.decode()
