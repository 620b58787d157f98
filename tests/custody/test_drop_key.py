"""`kenes custody drop-key KEY_ID`: an old field key leaves keys.json and the key holder,
only once no sealed value in the database names it.

Real processes for the key holder, `kenes custody init|add-key`, `kenes unseal` and
`kenes seal` on a temporary var/; `drop-key` runs through call_command in this process,
whose settings point at the same var/ and whose database is the test database it counts.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kenes.custody import client
from kenes.registry.sealed_columns import (
    HAND_SEALED,
    key_uses_by_column,
    keys_still_used,
    sealed_columns,
)
from kenes.security import keys
from kenes.security.fields import SealedTextField
from kenes.security.sealing import seal
from tests.custody.conftest import Custody

pytestmark = pytest.mark.django_db

KENES = Path(__file__).resolve().parents[2] / "kenes"


def _keys_json(custody: Custody) -> Path:
    return custody.var / "custody" / "keys.json"


def _key_ids(custody: Custody) -> list[str]:
    return [k["key_id"] for k in json.loads(_keys_json(custody).read_text())["keys"]]


def _call(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("custody", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _add_key(custody: Custody, shares: list[str]) -> str:
    done = custody.kenes("custody", "add-key", "--json", stdin="".join(s + "\n" for s in shares))
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["key_id"])


def _refused(code: int, err: str, *needles: str) -> None:
    assert code == 1, err
    assert err.strip().endswith("Nothing changed."), err
    assert len(err.strip().splitlines()) == 1, err  # one sentence, no traceback
    for needle in needles:
        assert needle in err, (needle, err)


def _id(raw: bytes) -> str:
    from kenes.custody.store import key_id

    return key_id(raw)


# --- the scan: every sealed column, each one counted -------------------------------------


def test_every_sealed_field_of_every_model_is_in_the_scan():
    scanned = {(c.model, c.field) for c in sealed_columns()}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, SealedTextField):
                assert (model, field.name) in scanned, f"{model.__name__}.{field.name}"
    for app_label, model_name, name in HAND_SEALED:
        assert (apps.get_model(app_label, model_name), name) in scanned


# Modules that call seal() themselves, and why each is covered by the scan.
SEALING_MODULES = {
    "security/sealing.py": "defines it",
    "security/fields.py": "SealedTextField: found by introspection",
    "registry/importing.py": "bulk rows of SealedTextField columns (members)",
    "registry/rosters.py": "HAND_SEALED: registry.GroupRoster.sealed",
    "registry/migrations": "sealed SealedTextField columns when names were sealed",
    "audit/receipts.py": "HAND_SEALED: audit.SigningKey.sealed_private_key",
    "ballots/envelopes.py": "HAND_SEALED: ballots.Election ballot_key, envelope_private_key",
    "twostep/models.py": "HAND_SEALED: twostep.SealedTOTPDevice.sealed_key",
}
_SEAL_CALL = re.compile(r"(?<!def )(?<![\w.`])seal\(|sealing\.seal\(")  # not `seal()` in prose


def test_a_module_that_starts_sealing_by_hand_must_be_added_to_the_scan():
    """Fails when a new module calls seal(): list its columns in HAND_SEALED
    (kenes/registry/sealed_columns.py), then here."""
    found = set()
    for path in KENES.rglob("*.py"):
        relative = path.relative_to(KENES).as_posix()
        if _SEAL_CALL.search(path.read_text(encoding="utf-8")):
            found.add(relative)
    unknown = {p for p in found if not any(p.startswith(m) for m in SEALING_MODULES)}
    assert not unknown, f"seal() called in {sorted(unknown)}: add its columns to HAND_SEALED"


def _row_makers(member: Any, group: Any, user: Any) -> dict[str, Any]:
    """One row in each table that has a sealed column (sealed under the current key)."""
    now = timezone.now()
    get = apps.get_model
    return {
        "audit_indexsecret": lambda: get("audit", "IndexSecret").objects.create(
            name="n", sealed="s"
        ),
        "audit_signingkey": lambda: get("audit", "SigningKey").objects.create(
            created_at=now, server_id="s", public_key=uuid.uuid4().hex, sealed_private_key=""
        ),
        "ballots_election": lambda: get("ballots", "Election").objects.create(
            title="t", seed=1, cutoff_on=datetime.date(2026, 1, 1)
        ),
        "ballots_voterroll": lambda: get("ballots", "VoterRoll").objects.create(
            election=get("ballots", "Election").objects.create(
                title="t", seed=1, cutoff_on=datetime.date(2026, 1, 1)
            ),
            voter="v",
            member="1",
        ),
        "participation_personalcode": lambda: get("participation", "PersonalCode").objects.create(
            purpose="p", voter="v", member="1", code_index=uuid.uuid4().hex
        ),
        "participation_correctionrequest": lambda: get(
            "participation", "CorrectionRequest"
        ).objects.create(member=member, field="phone", value="1", note="n", reason="r"),
        "registry_importbatch": lambda: get("registry", "ImportBatch").objects.create(
            group=group, filename="f.csv", content="c", report="r"
        ),
        "registry_member": lambda: member,
        "registry_grouproster": lambda: get("registry", "GroupRoster").objects.create(
            group=group, sealed="", size=0
        ),
        "registry_mergeconflict": lambda: get("registry", "MergeConflict").objects.create(
            member=member, group_ref=str(group.pk), entered="{}", differs="iin"
        ),
        "registry_preparedfile": lambda: get("registry", "PreparedFile").objects.create(
            kind="k", owner=user, title="t", filename="f", content_type="text/plain"
        ),
        "registry_readrequest": lambda: get("registry", "ReadRequest").objects.create(
            kind="k",
            requester=user,
            title="t",
            bundle=uuid.uuid4(),
            approvals_needed=1,
            not_before=now,
            expires_at=now,
        ),
        "twostep_sealedtotpdevice": lambda: get("twostep", "SealedTOTPDevice").objects.create(
            user=user, name="app", sealed_key=""
        ),
    }


def test_every_table_of_the_scan_has_a_row_maker_here():
    tables = {c.table for c in sealed_columns()}
    made = set(_row_makers(None, None, None))
    assert tables <= made, f"add a row maker for {sorted(tables - made)}"


@pytest.mark.parametrize("label", [c.label for c in sealed_columns()])
def test_one_value_sealed_under_the_old_key_in_any_column_is_counted(
    label, settings, django_user_model
):
    from kenes.registry.models import ConstituentGroup, Member

    old = keys.current_key()
    settings.KENES_FIELD_KEYS = [keys.new_key(), *settings.KENES_FIELD_KEYS]
    new = keys.current_key()
    assert new.key_id != old.key_id
    group = ConstituentGroup.objects.create(name="G", slug="g")
    member = Member.objects.create(full_name="Асель Ахметова", iin_index="x", region_code="KZ-75")
    user = django_user_model.objects.create(username="officer")
    column = next(c for c in sealed_columns() if c.label == label)
    row = _row_makers(member, group, user)[column.table]()
    assert key_uses_by_column(old.key_id)[0] == {}  # everything so far is under the new key

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {column.table} SET {column.column} = %s WHERE "  # noqa: S608
            f"{column.model._meta.pk.column} = %s",
            [seal("1", key=old), column.model._meta.pk.get_db_prep_value(row.pk, connection)],
        )

    uses, looked_at = key_uses_by_column(old.key_id)
    assert uses == {label: 1}
    assert looked_at >= 1
    assert keys_still_used([new.key_id, old.key_id], new.key_id) == {old.key_id: {label: 1}}


# --- the command, with a real key holder -------------------------------------------------


def test_drop_key_is_refused_while_values_use_it_and_accepted_after_rotate_keys_and_a_receipt(
    custody, registry, client_for
):
    from kenes.audit.models import AuditEntry
    from kenes.audit.receipts import do_sign_receipt
    from kenes.registry.keyrotation import do_rotate_keys
    from kenes.registry.models import GroupRoster, Member

    address = Member.objects.get(pk=registry["worker"].pk).address
    assert GroupRoster.objects.exclude(sealed="").exists()  # the groups' sealed rosters
    do_sign_receipt(acting_user="test")  # the audit signing key, sealed under the old key
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert custody.unseal(shares[:2]).returncode == 0
    (old_id,) = _key_ids(custody)
    new_id = _add_key(custody, shares[1:])
    before = _keys_json(custody).read_bytes()

    code, _out, err = _call("drop-key", old_id)

    _refused(
        code,
        err,
        f"Field key {old_id} still seals",
        "registry_member.iin (",
        "registry_grouproster.sealed (",
        "audit_signingkey.sealed_private_key (1)",
        "`kenes rotate-keys`",
        "`kenes audit receipt`",
    )
    assert _keys_json(custody).read_bytes() == before

    result = do_rotate_keys(acting_user="test")
    assert result["keys_still_used"] == {old_id: {"audit_signingkey.sealed_private_key": 1}}
    code, _out, err = _call("drop-key", old_id)
    _refused(code, err, "audit_signingkey.sealed_private_key (1)", "`kenes audit receipt`")
    assert "registry_" not in err
    assert _keys_json(custody).read_bytes() == before

    do_sign_receipt(acting_user="test")  # re-seals the signing key under the newest key
    code, out, err = _call("drop-key", old_id, "--json")

    assert code == 0, err
    payload = json.loads(out)
    assert payload["key_id"] == old_id and payload["keys"] == [new_id]
    assert payload["holder"] == "forgot"
    assert payload["columns_checked"] == len(sealed_columns())
    assert payload["values_checked"] > 0
    assert _key_ids(custody) == [new_id]
    assert [_id(raw) for raw in client.fetch_keys() or ()] == [new_id]  # the holder forgot it
    keys._forget_check()
    assert [k.key_id for k in keys.field_keys()] == [new_id]  # and so does this process
    assert Member.objects.get(pk=registry["worker"].pk).address == address
    page = client_for("admin").get(reverse("member_detail", args=[registry["worker"].pk]))
    assert page.status_code == 200 and address in page.content.decode()
    do_sign_receipt(acting_user="test")  # the signing key still opens

    (row,) = AuditEntry.objects.filter(action="custody.drop_key")
    assert row.detail == {
        "origin": "command",
        "key_id": old_id,
        "keys": 1,
        "columns_checked": payload["columns_checked"],
        "values_checked": payload["values_checked"],
    }

    after = _keys_json(custody).read_bytes()
    code, _out, err = _call("drop-key", old_id)  # again: a sentence, nothing changed
    _refused(code, err, f"Field key {old_id} is not in", "dropped already?")
    assert _keys_json(custody).read_bytes() == after

    # sealed and unsealed again with the same shares: the old key does not come back
    assert custody.kenes("seal").returncode == 0
    assert custody.unseal(shares[:2]).returncode == 0
    assert [_id(raw) for raw in client.fetch_keys() or ()] == [new_id]
    assert Member.objects.get(pk=registry["worker"].pk).address == address


def test_the_newest_key_and_an_unknown_key_are_refused(custody):
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert custody.unseal(shares[:2]).returncode == 0
    (newest,) = _key_ids(custody)
    before = _keys_json(custody).read_bytes()

    code, _out, err = _call("drop-key", newest)
    _refused(code, err, f"Field key {newest} is the newest", "`kenes custody add-key`")

    code, _out, err = _call("drop-key", "0badc0de")
    _refused(code, err, "Field key 0badc0de is not in")

    assert _keys_json(custody).read_bytes() == before
    assert [_id(raw) for raw in client.fetch_keys() or ()] == [newest]


def test_a_sealed_server_is_refused_and_keeps_both_keys(custody):
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    (old_id,) = _key_ids(custody)
    new_id = _add_key(custody, shares[:2])  # the holder stays sealed
    assert custody.sealed()
    before = _keys_json(custody).read_bytes()

    code, _out, err = _call("drop-key", old_id)

    _refused(code, err, "The server is sealed", "`kenes unseal`")
    assert _keys_json(custody).read_bytes() == before
    assert custody.sealed()
    assert custody.unseal(shares[1:]).returncode == 0
    assert sorted(_id(raw) for raw in client.fetch_keys() or ()) == sorted([old_id, new_id])


def test_without_custody_the_command_says_to_edit_the_environment(custody):
    code, _out, err = _call("drop-key", "0badc0de")
    _refused(code, err, "Custody is not set up", "KENES_FIELD_KEYS", "keys_still_used")


def test_rotate_keys_json_says_when_the_environments_old_key_may_go(settings, registry):
    """Without custody: the operator removes the old key from KENES_FIELD_KEYS once
    keys_still_used shows no column for it (the groups' rosters are re-sealed too)."""
    from kenes.registry.models import GroupRoster, Member
    from kenes.registry.rosters import forget_opened, member_ids_of

    old = keys.current_key()
    address = Member.objects.get(pk=registry["worker"].pk).address
    settings.KENES_FIELD_KEYS = [keys.new_key(), *settings.KENES_FIELD_KEYS]
    new = keys.current_key()
    rosters = GroupRoster.objects.exclude(sealed="").count()
    assert key_uses_by_column(old.key_id)[0]["registry_grouproster.sealed"] == rosters >= 1
    worker_groups = {
        g
        for g in GroupRoster.objects.values_list("group_id", flat=True)
        if registry["worker"].pk in member_ids_of(g)
    }
    out = io.StringIO()

    call_command("rotate-keys", "--json", stdout=out)

    result = json.loads(out.getvalue())
    assert result["keys_still_used"] == {old.key_id: {}}
    assert result["rosters"] >= rosters
    settings.KENES_FIELD_KEYS = [settings.KENES_FIELD_KEYS[0]]  # the old key removed
    assert keys.current_key().key_id == new.key_id
    assert Member.objects.get(pk=registry["worker"].pk).address == address
    forget_opened()  # open them again, with only the new key
    assert worker_groups and all(registry["worker"].pk in member_ids_of(g) for g in worker_groups)
