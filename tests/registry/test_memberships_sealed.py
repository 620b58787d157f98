"""A copy of the database (SQLite file and WAL) does not tell which group a member belongs
to: no table holds a member id beside a group id in the clear, the rosters are sealed, and
the audit log names no member beside a group (docs/security.md, "Group memberships")."""

from __future__ import annotations

import json
import shutil
import sqlite3

from tests.conftest import person, write_csv
from tests.registry.test_commands import kenes

GROUPS = {"workers": range(1, 40), "farmers": range(30, 60), "teachers": range(55, 70)}

# A conflict (same IIN, another name) queued for the farmers and resolved (joined), one
# left open for the teachers; an admin lists the workers' page and one member's card.
CONFLICTS_AND_LOOKS = """
from django.contrib.auth import get_user_model
from django.test import Client
from kenes.registry.conflicts import do_resolve_conflict
from kenes.registry.models import ConstituentGroup, MergeConflict
from kenes.registry.services import do_add_member, do_grant_role, MergeConflictRefused
from tests.conftest import person
user = get_user_model().objects.create_user("admin", password="a-long-password-1")
do_grant_role(user, "admin", acting_user="test")
for slug, n in (("farmers", 5), ("teachers", 6)):
    row = person(n)
    values = dict(full_name="Другой " + row[0], birth_date=row[1], iin=row[2], region=row[4])
    try:
        do_add_member(values, group=ConstituentGroup.objects.get(slug=slug), acting_user=user)
    except MergeConflictRefused:
        pass
first = MergeConflict.objects.order_by("pk").first()
do_resolve_conflict(first.pk, "joined", acting_user=user)
"""


def _copy_of_the_database(tmp_path):  # type: ignore[no-untyped-def]
    var = tmp_path / "var"
    env = {"KENES_ENV": "development", "KENES_VAR_DIR": str(var)}
    steps = [["migrate"]]
    for slug, numbers in GROUPS.items():
        path = write_csv(tmp_path / f"{slug}.csv", [person(n) for n in numbers])
        steps += [
            ["groups", "add", slug, "--name", slug.title()],
            ["members", "import", str(path), "--group", slug],
        ]
    steps += [["shell", "-c", CONFLICTS_AND_LOOKS]]
    for args in steps:
        done = kenes(*args, env=env)
        assert done.returncode == 0, done.stderr
    seized = tmp_path / "seized"
    seized.mkdir()
    for part in var.glob("kenes.sqlite3*"):  # the file, its WAL and shared memory
        shutil.copy(part, seized / part.name)
    return seized


def test_a_copy_of_the_database_ties_no_member_to_a_group(tmp_path):
    seized = _copy_of_the_database(tmp_path)
    raw = b"".join(p.read_bytes() for p in seized.iterdir())
    db = sqlite3.connect(seized / "kenes.sqlite3")
    tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]

    # No table refers to both a member and a group (the old membership table did).
    for table in tables:
        targets = {row[2] for row in db.execute(f"PRAGMA foreign_key_list('{table}')")}
        assert not {"registry_member", "registry_constituentgroup"} <= targets, table

    # The rosters are sealed: their sizes show, their ids do not.
    sizes = dict(
        db.execute(
            "SELECT g.slug, r.size FROM registry_grouproster r "
            "JOIN registry_constituentgroup g ON g.id = r.group_id"
        )
    )
    assert sizes == {"workers": 39, "farmers": 31, "teachers": 15}  # + the joined conflict
    for (sealed,) in db.execute("SELECT sealed FROM registry_grouproster"):
        assert sealed.startswith("v1$") and '"ids"' not in sealed
    assert b'"ids":[' not in raw and b'"joined":' not in raw

    # A conflict's group is sealed beside its member id.
    conflicts = list(db.execute("SELECT member_id, group_ref FROM registry_mergeconflict"))
    assert len(conflicts) == 2
    assert all(ref.startswith("v1$") for _, ref in conflicts)
    # ... and so is the officer who typed it: their role would name the group.
    columns = {row[1] for row in db.execute("PRAGMA table_info('registry_mergeconflict')")}
    assert "entered_by_id" not in columns
    entered_by = [v for (v,) in db.execute("SELECT entered_by FROM registry_mergeconflict")]
    assert entered_by and all(v.startswith("v1$") for v in entered_by)
    # A member's correction request keeps no handling officer beside the member's id.
    columns = {row[1] for row in db.execute("PRAGMA table_info('participation_correctionrequest')")}
    assert "handled_by_id" not in columns

    # The audit log never names a member beside a group.
    slugs = set(GROUPS)
    members = {pk for (pk,) in db.execute("SELECT id FROM registry_member")}
    # Nor a member by their id: an entry about a member (the conflict decided) carries a
    # keyed token, which only the server's sealed secret ties to the member.
    about_members = 0
    for action, target_type, target_id, detail in db.execute(
        "SELECT action, target_type, target_id, detail FROM audit_auditentry"
    ):
        if target_type == "member":
            about_members += 1
            assert len(target_id) == 64 and not target_id.isdigit(), (action, target_id)
        text = json.dumps(json.loads(detail))
        names_group = target_id in slugs or any(f'"{slug}"' in text for slug in slugs)
        if not names_group:
            continue
        assert target_type != "member", action
        ids = _integers(json.loads(detail))
        assert not (ids & members), action
        assert "member_ids" not in text and '"members"' not in text, action
    assert about_members >= 1  # the conflict's decision


def _integers(value):  # type: ignore[no-untyped-def]
    """Every integer inside a JSON value, except counts under well-known keys."""
    if isinstance(value, dict):
        out = set()
        for key, item in value.items():
            if key in {"rows", "imported", "merged", "unchanged", "rejected", "count", "bytes"}:
                continue
            out |= _integers(item)
        return out
    if isinstance(value, list):
        return set().union(*(_integers(v) for v in value)) if value else set()
    return {value} if isinstance(value, int) and not isinstance(value, bool) else set()
