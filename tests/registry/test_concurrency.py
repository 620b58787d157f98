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


def test_imports_into_one_group_and_a_conflict_joined_at_once_lose_no_member(groups, officers):
    """The roster is one sealed row per group: writers lock it, so none writes over another."""
    from kenes.registry.conflicts import do_resolve_conflict
    from kenes.registry.models import MergeConflict
    from kenes.registry.rosters import open_roster

    workers, farmers = groups["workers"], groups["farmers"]
    do_import_members(
        io.BytesIO(csv_bytes([person(1)])), filename="f.csv", group=farmers, acting_user="t"
    )
    other = person(1)
    other[0] = "Другой " + other[0]
    do_import_members(
        io.BytesIO(csv_bytes([other])), filename="w.csv", group=workers, acting_user="t"
    )
    conflict = MergeConflict.objects.get()
    files = [csv_bytes([person(n) for n in range(k * 100 + 10, k * 100 + 60)]) for k in range(3)]

    def into(content):
        return lambda: do_import_members(
            io.BytesIO(content), filename="x.csv", group=workers, acting_user="t"
        )

    def join():
        do_resolve_conflict(conflict.pk, "joined", acting_user=officers["admin"])

    _run_together(*[into(c) for c in files], join)
    roster = open_roster(workers.pk)
    assert len(roster.ids) == 151
    assert conflict.member_id in roster.ids and not roster.keeps_record(conflict.member_id)
    assert open_roster(farmers.pk).ids == {conflict.member_id}
