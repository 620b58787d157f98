"""The audit log does not tie a member to a group (issue 12, "Nothing readable in a seized
copy"): a coordinator sees only their own group's members and their role is in the clear, so
an entry "coordinator X looked at member 123" would say that 123 is in X's group. An entry
about a member carries a keyed token of the id instead (kenes.audit.services.member_target),
and only the server, unsealed, finds a member's entries again (`entries_about_member`).

The adversary here holds a raw copy of the SQLite file and its WAL, taken after a group's
coordinator used the real pages: looked at members, changed one's status, added one, read one
through the API and was refused one of another group.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from kenes.audit import services as audit
from kenes.audit.models import AuditEntry, ChainHead
from kenes.registry.sealed_columns import key_uses_by_column
from kenes.registry.services import get_member_for_viewing
from kenes.security import keys
from tests.conftest import person, write_csv
from tests.registry.test_commands import kenes

GROUPS = {"workers": range(1, 20), "farmers": range(20, 30)}

# The workers' coordinator at work, through the web pages and the API (a real request cycle:
# middleware, views, services); prints what the test needs to look for in the copy.
COORDINATOR_AT_WORK = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from kenes.registry.models import ConstituentGroup
from kenes.registry.rosters import member_ids_of
from kenes.registry.services import do_grant_role
from tests.conftest import person

workers = ConstituentGroup.objects.get(slug="workers")
farmers = ConstituentGroup.objects.get(slug="farmers")
user = get_user_model().objects.create_user("coordinator", password="a-long-password-1")
do_grant_role(user, "group", group=workers, acting_user="test")
web = Client(HTTP_HOST="localhost")
web.force_login(user)
ours = sorted(member_ids_of(workers.pk))
theirs = sorted(member_ids_of(farmers.pk))
for pk in ours[:6]:
    assert web.get(reverse("member_detail", args=[pk])).status_code == 200
changed = web.post(reverse("member_detail", args=[ours[0]]), {"status": "suspended"})
assert changed.status_code == 302, changed.status_code
p = person(90)
added = web.post(reverse("member_add"), {
    "group": str(workers.pk), "full_name": p[0], "birth_date": p[1], "iin": p[2],
    "phone": p[3], "region": "KZ-75", "address": p[5], "consent_date": "01.03.2025",
    "consent_method": "signed_form", "status": "member",
})
assert added.status_code == 302, added.content.decode()[:2000]
new = int(added["Location"].rstrip("/").split("/")[-1])
assert web.get(added["Location"]).status_code == 200
assert web.get(f"/api/v1/members/{ours[1]}").status_code == 200
assert web.get(reverse("member_detail", args=[theirs[0]])).status_code == 403
print("RESULT:" + json.dumps({"ours": ours + [new], "theirs": theirs, "new": new}))
"""


def _seized_copy(tmp_path):  # type: ignore[no-untyped-def]
    var = tmp_path / "var"
    env = {"KENES_ENV": "development", "KENES_VAR_DIR": str(var)}
    steps = [["migrate"]]
    for slug, numbers in GROUPS.items():
        path = write_csv(tmp_path / f"{slug}.csv", [person(n) for n in numbers])
        steps += [
            ["groups", "add", slug, "--name", slug.title()],
            ["members", "import", str(path), "--group", slug],
        ]
    for args in steps:
        done = kenes(*args, env=env)
        assert done.returncode == 0, done.stderr
    done = kenes("shell", "-c", COORDINATOR_AT_WORK, env=env)
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("RESULT:")]
    seized = tmp_path / "seized"
    seized.mkdir()
    for part in var.glob("kenes.sqlite3*"):  # the file, its WAL and shared memory
        shutil.copy(part, seized / part.name)
    return seized, json.loads(line.removeprefix("RESULT:")), env


def _integers(value):  # type: ignore[no-untyped-def]
    """Every integer inside a JSON value, as numbers and as digit strings."""
    if isinstance(value, dict):
        return set().union(set(), *(_integers(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(_integers(v) for v in value))
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, str) and value.isdigit():
        return {int(value)}
    return set()


COUNTS = {"count", "total", "page", "rows", "imported", "merged", "unchanged", "rejected"}
COUNTS |= {"bytes", "asked", "read", "conflicts", "members", "name_tokens", "imports"}


def _ids_in(detail):  # type: ignore[no-untyped-def]
    """The integers of a detail that are not counts under well-known keys."""
    if isinstance(detail, dict):
        return set().union(set(), *(_ids_in(v) for k, v in detail.items() if k not in COUNTS))
    return _integers(detail)


def test_a_copy_of_the_database_does_not_say_which_members_a_coordinator_touched(tmp_path):
    seized, seen, env = _seized_copy(tmp_path)
    db = sqlite3.connect(seized / "kenes.sqlite3")  # reads the copied WAL as well
    rows = list(
        db.execute("SELECT action, actor, target_type, target_id, detail FROM audit_auditentry")
    )
    coordinators = [r for r in rows if r[1] == "coordinator"]
    actions = sorted({r[0] for r in coordinators})
    # Everything the coordinator did is in the log: looks, the change, the add, the refusal.
    assert {"member.view", "member.update", "members.import", "scope.refused"} <= set(actions)
    about_members = [r for r in rows if r[2] == "member"]
    assert len(about_members) >= 10
    ours, theirs = set(seen["ours"]), set(seen["theirs"])
    members = {pk for (pk,) in db.execute("SELECT id FROM registry_member")}
    assert seen["new"] in members and ours & members == ours and theirs <= members
    for action, actor, target_type, target_id, detail in rows:
        if target_type == "member":
            assert len(target_id) == 64 and not target_id.isdigit(), (action, target_id)
            assert int(target_id, 16) not in members
        else:
            assert not (target_id.isdigit() and int(target_id) in members and actor != "test"), (
                action,
                target_id,
            )
        if actor == "coordinator":
            assert not (_ids_in(json.loads(detail)) & members), (action, detail)
    # A token is one per member, not one per entry (the auditor sees repeated looks).
    tokens = [t for (_, a, _, t, _) in about_members if a == "coordinator"]
    assert len(set(tokens)) < len(tokens)
    # The secret that makes them is in the copy only sealed.
    (sealed,) = db.execute("SELECT sealed FROM audit_indexsecret WHERE name = 'audit-member'")
    assert sealed[0].startswith("v1$")

    # The server itself, unsealed, still finds each member's entries.
    script = (
        "import json\n"
        "from kenes.audit.services import entries_about_member\n"
        f"ids = {sorted(ours | theirs)}\n"
        "from kenes.audit.secrets import index_secret\n"
        "print('FOUND:' + json.dumps({pk: sorted(entries_about_member(pk)"
        ".filter(actor='coordinator').values_list('action', flat=True)) for pk in ids}))\n"
        "print('SECRET:' + index_secret('audit-member').hex())\n"
    )
    done = kenes("shell", "-c", script, env=env)
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("FOUND:")]
    found = {int(k): v for k, v in json.loads(line.removeprefix("FOUND:")).items()}
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("SECRET:")]
    secret = bytes.fromhex(line.removeprefix("SECRET:"))
    raw = b"".join(p.read_bytes() for p in seized.iterdir())
    for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
        assert form not in raw
    first = seen["ours"][0]
    assert found[first] == ["member.update", "member.view"]
    assert found[seen["new"]] == ["member.view"]
    assert found[seen["theirs"][0]] == ["scope.refused"]
    assert found[seen["ours"][1]] == ["member.view", "member.view"]  # the page and the API
    assert all(found[pk] == [] for pk in seen["theirs"][1:])


def _legacy_entry(action: str, member_id: int) -> AuditEntry:
    """An entry as written before the tokens, with the member's clear id, chained as
    `record` chained it then."""
    audit.record("test.before", acting_user="test")  # the chain head exists
    head = ChainHead.objects.select_for_update().get(pk=1)
    entry = AuditEntry(
        at=AuditEntry.objects.order_by("id").last().at,
        actor="admin",
        action=action,
        target_type="member",
        target_id=str(member_id),
        detail={},
        prev_hash=head.last_hash,
    )
    entry.hash = audit.entry_hash(entry)
    entry.save()
    ChainHead.objects.filter(pk=1).update(last_hash=entry.hash, count=head.count + 1)
    return entry


@pytest.mark.django_db
def test_every_member_target_is_stored_as_the_token_and_found_with_the_legacy_entries(registry):
    worker = registry["worker"]
    with transaction.atomic():
        legacy = _legacy_entry("member.view", worker.pk)
        new = audit.record(
            "member.view", acting_user="admin", target_type="member", target_id=worker.pk
        )
        as_text = audit.record(
            "member.view", acting_user="admin", target_type="member", target_id=str(worker.pk)
        )
        other = audit.record(
            "member.view",
            acting_user="admin",
            target_type="member",
            target_id=registry["farmer"].pk,
        )
    assert new.target_id == as_text.target_id == audit.member_target(worker.pk)
    assert new.target_id != other.target_id and len(new.target_id) == 64
    assert list(audit.entries_about_member(worker.pk)) == [as_text, new, legacy]
    assert list(audit.entries_about_member(str(worker.pk))) == [as_text, new, legacy]
    assert list(audit.entries_about_member(registry["farmer"].pk)) == [other]
    assert audit.verify().intact
    # Not a plain hash of the id: without the secret, it cannot be recomputed.
    import hashlib

    assert new.target_id != hashlib.sha256(str(worker.pk).encode()).hexdigest()


@pytest.mark.django_db
def test_the_audit_page_shows_a_member_token_shortened(client, registry, officers):
    get_member_for_viewing(registry["worker"].pk, acting_user=officers["admin"])
    token = audit.member_target(registry["worker"].pk)
    client.force_login(officers["auditor"])
    html = client.get(reverse("audit")).content.decode()
    assert token[:12] + "…" in html and token not in html


def _raw_secret() -> str:
    """The secret's column as stored (the field itself would open it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sealed FROM audit_indexsecret WHERE name = %s", [audit.MEMBER_SECRET]
        )
        (value,) = cursor.fetchone()
    return str(value)


@pytest.mark.django_db
def test_the_tokens_survive_rotate_keys_and_dropping_the_old_key(settings, registry, officers):
    worker = registry["worker"]
    get_member_for_viewing(worker.pk, acting_user=officers["admin"])
    before = audit.member_target(worker.pk)
    old = keys.current_key()
    sealed_before = _raw_secret()
    assert sealed_before.startswith(f"v1${old.key_id}$")
    assert key_uses_by_column(old.key_id)[0]["audit_indexsecret.sealed"] >= 1
    settings.KENES_FIELD_KEYS = [keys.new_key(), *settings.KENES_FIELD_KEYS]

    out = io.StringIO()
    call_command("rotate-keys", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert result["keys_still_used"] == {old.key_id: {}}
    assert "audit_indexsecret.sealed" not in key_uses_by_column(old.key_id)[0]
    assert _raw_secret() != sealed_before and not _raw_secret().startswith(f"v1${old.key_id}$")
    settings.KENES_FIELD_KEYS = [settings.KENES_FIELD_KEYS[0]]  # the old key dropped
    assert keys.current_key().key_id != old.key_id
    assert audit.member_target(worker.pk) == before
    assert [e.action for e in audit.entries_about_member(worker.pk)] == ["member.view"]
    assert audit.verify().intact
