"""While sealed, the rosters cannot be opened: a group coordinator's list and a group's
member list answer 503 like every personal page, while the counts per group (aggregates,
as last counted while unsealed) still show on the dashboard and the groups' pages."""

from __future__ import annotations

import re

from django.urls import reverse

from kenes.registry import rosters
from tests.custody.conftest import custody  # noqa: F401  (the fixture used below)
from tests.web.conftest import client_for, registry  # noqa: F401  (fixtures used here)

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _counts(page: str) -> list[str]:
    return re.findall(r'<td class="num">(\d+)</td>', page)


def test_group_pages_answer_503_while_sealed_and_counts_stay(custody, client_for, registry):  # noqa: F811
    admin, coordinator, auditor = (client_for(r) for r in ("admin", "group", "auditor"))
    unsealed = admin.get(reverse("dashboard"), **EN)
    assert unsealed.status_code == 200
    counted = _counts(unsealed.content.decode())
    assert sorted(counted) == ["0", "5", "5"]  # workers 5, farmers 5 (person 5 in both)
    assert coordinator.get(reverse("members"), **EN).status_code == 200
    assert rosters._opened  # the workers' roster, opened in this process

    custody.start_holder()
    custody.init()  # custody set up, nobody unsealed: sealed
    assert coordinator.get(reverse("members"), **EN).status_code == 503
    assert not rosters._opened  # nothing opened is kept once sealed
    assert admin.get(reverse("group_detail", args=["workers"]), **EN).status_code == 503
    sealed_dashboard = admin.get(reverse("dashboard"), **EN)
    assert sealed_dashboard.status_code == 200
    assert _counts(sealed_dashboard.content.decode()) == counted
    assert admin.get(reverse("groups"), **EN).status_code == 200
    page = auditor.get(reverse("group_detail", args=["workers"]), **EN)  # lists nobody
    assert page.status_code == 200
