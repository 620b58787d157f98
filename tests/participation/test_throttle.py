"""Throttling wrong personal codes per client address, counted in the database."""

from __future__ import annotations

import datetime

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from kenes.participation import throttle
from kenes.participation.models import CodeAttempt

pytestmark = pytest.mark.django_db


def test_an_address_waits_after_the_limit_of_failures_in_the_window():
    now = timezone.now()
    for i in range(throttle.FAILURE_LIMIT - 1):
        throttle.record_failure("198.51.100.7", now=now + datetime.timedelta(seconds=i))
    assert throttle.wait_minutes("198.51.100.7", now=now + datetime.timedelta(seconds=30)) == 0
    throttle.record_failure("198.51.100.7", now=now + datetime.timedelta(seconds=30))
    assert throttle.wait_minutes("198.51.100.7", now=now + datetime.timedelta(seconds=31)) == 15
    assert throttle.wait_minutes("198.51.100.8", now=now + datetime.timedelta(seconds=31)) == 0


def test_the_wait_ends_when_the_oldest_failure_leaves_the_window():
    start = timezone.now()
    for i in range(throttle.FAILURE_LIMIT):
        throttle.record_failure("198.51.100.7", now=start + datetime.timedelta(minutes=i))
    later = start + throttle.WINDOW - datetime.timedelta(minutes=3)
    assert throttle.wait_minutes("198.51.100.7", now=later) == 3
    assert throttle.wait_minutes("198.51.100.7", now=start + throttle.WINDOW) == 0


def test_only_a_keyed_hash_of_the_address_is_stored_and_old_rows_are_pruned():
    start = timezone.now()
    throttle.record_failure("198.51.100.7", now=start)
    stored = CodeAttempt.objects.get()
    assert "198.51.100.7" not in stored.address_index and len(stored.address_index) == 64
    throttle.record_failure("198.51.100.9", now=start + throttle.WINDOW)
    assert list(CodeAttempt.objects.values_list("failed_at", flat=True)) == [
        start + throttle.WINDOW
    ]


@override_settings(KENES_PROXY_COUNT=0)
def test_without_a_proxy_the_forwarded_header_is_ignored():
    request = RequestFactory().get(
        "/vote/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert throttle.client_address(request) == "192.0.2.1"


@override_settings(KENES_PROXY_COUNT=1)
def test_behind_a_proxy_the_hop_the_proxy_appended_is_the_client():
    request = RequestFactory().get(
        "/vote/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert throttle.client_address(request) == "203.0.113.5"
    bare = RequestFactory().get("/vote/", REMOTE_ADDR="10.0.0.2")
    assert throttle.client_address(bare) == "10.0.0.2"


def test_past_the_limit_a_wrong_code_is_answered_with_the_wait_and_writes_nothing():
    now = timezone.now()
    for i in range(throttle.FAILURE_LIMIT):
        assert throttle.record_failure("198.51.100.7", now=now + datetime.timedelta(seconds=i)) == 0
    later = now + datetime.timedelta(seconds=30)
    assert [throttle.record_failure("198.51.100.7", now=later) for _ in range(40)] == [15] * 40
    assert CodeAttempt.objects.count() == throttle.FAILURE_LIMIT
    assert throttle.record_failure("198.51.100.8", now=later) == 0


def test_without_custody_the_service_key_keys_the_address_as_before():
    """Development, the demo, a server without trustees: unchanged (under custody the key
    holder's throttle key serves instead: tests/custody/test_throttle_key.py)."""
    from kenes.security.sealing import service_index

    throttle.record_failure("198.51.100.7")
    assert CodeAttempt.objects.get().address_index == service_index("code-attempt:198.51.100.7")
