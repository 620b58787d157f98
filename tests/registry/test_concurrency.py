"""Concurrent imports and audit writes on a real PostgreSQL: no doubled person, no forked chain."""

from __future__ import annotations

import io
import os

import pytest

from kenes.audit import services as audit
from kenes.registry.importing import do_import_members
from kenes.registry.models import Member
from kenes.registry.rosters import member_ids_of, membership_count
from tests.concurrency import run_together
from tests.conftest import csv_bytes, person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="concurrency is tested on PostgreSQL (make test runs it there)",
    ),
]


def _run_together(*jobs):
    _results, errors = run_together(jobs)
    assert not errors, errors


def test_two_overlapping_imports_at_once_create_each_person_once(groups):
    shared = [person(n) for n in range(200)]
    first = csv_bytes(shared + [person(n) for n in range(1000, 1100)])
    second = csv_bytes(shared + [person(n) for n in range(2000, 2100)])

    def into(group, content):
        return lambda: do_import_members(
            io.BytesIO(content), filename="x.csv", group=group, acting_user="t"
        )

    _run_together(into(groups["workers"], first), into(groups["farmers"], second))
    assert Member.objects.count() == 400
    assert membership_count() == 600
    assert len(member_ids_of(groups["workers"].pk)) == len(member_ids_of(groups["farmers"].pk))
    assert audit.verify().intact


def test_the_same_file_imported_twice_at_once_is_imported_once(groups):
    content = csv_bytes([person(n) for n in range(300)])
    job = lambda: do_import_members(  # noqa: E731
        io.BytesIO(content), filename="x.csv", group=groups["workers"], acting_user="t"
    )
    _run_together(job, job)
    assert Member.objects.count() == 300
    assert membership_count() == 300


def test_audit_entries_written_from_many_threads_form_one_chain(db):
    def burst():
        for i in range(20):
            audit.record_standalone("test.burst", acting_user="t", detail={"i": i})

    _run_together(*[burst] * 4)
    result = audit.verify()
    assert result.intact and result.entries == 80
