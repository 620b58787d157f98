"""A member's own data page while the server is sealed: one sentence, nothing read, nothing
written (not the code's throttle, not the look's audit entry, not a correction)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kenes.audit import services as audit
from kenes.participation import my_data
from kenes.participation.models import CodeAttempt, CorrectionRequest
from kenes.security import keys

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_data_page_says_sealed_in_one_sentence_and_changes_nothing(custody, registry, officers):
    worker = registry["worker"]
    (issued,) = my_data.do_issue_data_codes([worker], acting_user=officers["group"])
    holder = custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert custody.unseal(shares[:2]).returncode == 0
    assert my_data.member_for_code(issued.code) == worker.pk
    custody.stop_holder(holder)  # a restart, a seizure: sealed
    keys._forget_check()
    entries = audit.entries_newest_first().count()

    client = Client()
    answers = [
        client.get(reverse("my_data"), **EN),
        client.post(reverse("my_data"), {"code": issued.code}, **EN),
        client.post(reverse("my_data"), {"code": "ABCDE-FGHJK-MNPQR"}, **EN),
        client.post(
            reverse("my_data_correction"),
            {"code": issued.code, "field": "phone", "value": "8 702 111 22 33"},
            **EN,
        ),
    ]
    for answer in answers:
        html = answer.content.decode()
        assert answer.status_code == 503
        assert "The server is sealed: personal data cannot be read until 2 of the 3" in html
        assert worker.full_name not in html
    assert audit.entries_newest_first().count() == entries
    assert CodeAttempt.objects.count() == 0
    assert CorrectionRequest.objects.count() == 0
