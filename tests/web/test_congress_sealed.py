"""The door and the quorum panel work while the server is sealed (custody set up by the real
`kenes custody init`, no key holder running): badge codes are checked against keyed hashes
under the service key, and the door's answer leaves out the name it cannot read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.translation import override

from kenes.congress import services
from kenes.congress.models import Attendance
from kenes.custody.errors import Sealed
from kenes.registry.models import Member
from kenes.security import keys
from tests.congress.conftest import make_congress
from tests.custody.conftest import custody  # noqa: F401 - the fixture
from tests.web.test_congress_pages import people  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_the_door_and_the_quorum_panel_work_while_sealed(custody, officers, people):  # noqa: F811
    admin = officers["admin"]
    congress = make_congress(admin)
    seated = services.do_add_delegates(congress, people, acting_user=admin)

    custody.init(trustees=3, threshold=2)  # no key holder runs: sealed from here on
    keys._forget_check()
    with pytest.raises(Sealed):
        Member.objects.get(pk=people[0].pk).full_name  # noqa: B018 - the harness is not blind

    door = Client(HTTP_ACCEPT_LANGUAGE="en")
    door.force_login(officers["regional"])
    slug = congress.slug
    with override("en"):
        assert door.get(f"/congress/{slug}/door/").status_code == 200
        answer = door.post(
            f"/congress/{slug}/door/", {"badge": seated[0].badge_code}, follow=True
        ).content.decode()
        panel = door.get(f"/congress/{slug}/quorum/", HTTP_HX_REQUEST="true")
    assert "a delegate (" in answer and "checked in." in answer
    assert panel.status_code == 200
    assert Attendance.objects.filter(delegate=seated[0].delegate, arrived=True).count() == 1
    assert services.quorum(congress).present == 1
