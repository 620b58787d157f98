"""Audit receipts: the chain's head signed by the server, kept outside it (minutes), and
`kenes audit verify --against FILE` proving the chain still extends it.

The adversary has the database: they drop the append-only triggers, rewrite an entry and
recompute every later hash and the chain head, so `kenes audit verify` alone sees an intact
chain. The receipt kept on paper or in minutes still catches them.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from kenes.audit import receipts, services
from kenes.audit.models import AuditEntry, ChainHead, Receipt, SigningKey
from kenes.web.management.commands.worker import housekeeping
from tests.custody.conftest import Custody, custody  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _entries(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        services.record_standalone("test.event", acting_user="tester", detail={"i": i})


def _receipt(tmp_path: Path, capsys, name: str = "receipt.json") -> Path:  # type: ignore[no-untyped-def]
    call_command("audit", "receipt", "--json")
    path = tmp_path / name
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    return path


def _verify(capsys, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    try:
        with translation.override("en"):
            call_command("audit", "verify", "--json", *args)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(capsys.readouterr().out)


def _drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_change ON audit_auditentry")


def _rewrite_quietly(entry_id: int, detail: dict) -> None:
    """Raw SQL, as someone with the database would: change one entry, then recompute its
    hash and every later one's (and the chain head) so the chain itself looks intact."""
    _drop_triggers()
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET detail = %s WHERE id = %s", [json.dumps(detail), entry_id]
        )
    prev = services.GENESIS
    for entry in AuditEntry.objects.order_by("id"):
        if entry.id >= entry_id:
            entry.prev_hash = prev
            new_hash = services.entry_hash(entry)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s",
                    [prev, new_hash, entry.id],
                )
            prev = new_hash
        else:
            prev = entry.hash
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ChainHead._meta.db_table} SET last_hash = %s WHERE id = 1", [prev])


def test_a_receipt_then_more_entries_verifies(tmp_path, capsys):
    _entries(4)
    path = _receipt(tmp_path, capsys)
    printed = json.loads(path.read_text())
    assert printed["seq"] == 4
    assert printed["head"] == AuditEntry.objects.order_by("id")[3].hash
    _entries(3, start=4)
    code, out = _verify(capsys, "--against", str(path))
    assert code == 0, out
    assert out["intact"] is True and out["entries"] == 4 + 1 + 3  # the receipt is an entry
    assert out["receipt"]["genuine"] is True and out["receipt"]["extended"] is True
    assert out["receipt"]["seq"] == 4 and out["receipt"]["problem"] == ""
    assert Receipt.objects.count() == 1


def test_the_plain_text_verify_says_the_chain_extends_the_receipt(tmp_path, capsys):
    _entries(2)
    path = _receipt(tmp_path, capsys)
    with translation.override("en"):
        call_command("audit", "verify", "--against", str(path))
    assert "The chain extends the receipt of" in capsys.readouterr().out


def test_an_entry_rewritten_before_the_head_with_hashes_recomputed_is_caught(tmp_path, capsys):
    _entries(5)
    path = _receipt(tmp_path, capsys)
    _entries(2, start=5)
    second = AuditEntry.objects.order_by("id")[1]
    _rewrite_quietly(second.id, {"i": 99})
    # the chain alone looks intact: that is the point of the receipt
    assert services.verify().intact
    code, out = _verify(capsys, "--against", str(path))
    assert code == 4
    assert out["intact"] is True
    assert out["receipt"]["genuine"] is True and out["receipt"]["extended"] is False
    assert "rewritten" in out["receipt"]["problem"]


def test_entries_cut_back_to_before_the_head_are_caught(tmp_path, capsys):
    _entries(3)
    path = _receipt(tmp_path, capsys)
    _drop_triggers()
    table = AuditEntry._meta.db_table
    keep = AuditEntry.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id > %s", [keep.id])
        cursor.execute(
            f"UPDATE {ChainHead._meta.db_table} SET last_hash = %s, count = 2 WHERE id = 1",
            [keep.hash],
        )
    code, out = _verify(capsys, "--against", str(path))
    assert code == 4 and out["intact"] is True
    assert "removed" in out["receipt"]["problem"]


@pytest.mark.parametrize("field", ["head", "signature", "seq", "time"])
def test_an_edited_receipt_is_refused(tmp_path, capsys, field):
    _entries(3)
    path = _receipt(tmp_path, capsys)
    receipt = json.loads(path.read_text())
    if field == "head":
        receipt["head"] = AuditEntry.objects.order_by("id")[1].hash  # a real, earlier head
    elif field == "seq":
        receipt["seq"] = 2
    elif field == "time":
        receipt["time"] = "2020-01-01T00:00:00+00:00"
    else:
        raw = bytearray(base64.urlsafe_b64decode(receipt["signature"]))
        raw[0] ^= 1
        receipt["signature"] = base64.urlsafe_b64encode(bytes(raw)).decode()
    path.write_text(json.dumps(receipt))
    code, out = _verify(capsys, "--against", str(path))
    assert code == 1
    assert out["receipt"]["genuine"] is False
    assert "signature does not match" in out["receipt"]["problem"]


def test_a_receipt_signed_by_another_key_is_refused(tmp_path, capsys):
    _entries(3)
    receipt = json.loads(_receipt(tmp_path, capsys).read_text())
    other = Ed25519PrivateKey.generate()
    public = other.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    text = receipts.canonical_text(
        server_id=receipt["server_id"],
        seq=receipt["seq"],
        head=receipt["head"],
        time=receipt["time"],
    )
    receipt["public_key"] = base64.urlsafe_b64encode(public).decode()
    receipt["signature"] = base64.urlsafe_b64encode(other.sign(text)).decode()
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(receipt))
    code, out = _verify(capsys, "--against", str(path))
    assert code == 1
    assert out["receipt"]["genuine"] is False
    assert "a key this server does not hold" in out["receipt"]["problem"]


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"format": "kenes-audit-receipt-v1"}', '{"format": "other"}'],
)
def test_a_malformed_receipt_file_exits_1_with_a_sentence(tmp_path, content):
    _entries(1)
    path = tmp_path / "bad.json"
    path.write_text(content)
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("audit", "verify", "--against", str(path))
    assert caught.value.returncode == 1
    assert str(caught.value).endswith(".")


def test_a_missing_receipt_file_exits_1(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", "--against", str(tmp_path / "nowhere.json"))
    assert caught.value.returncode == 1


def test_the_private_key_is_sealed_and_the_public_key_is_published(tmp_path, capsys):
    _entries(1)
    receipt = json.loads(_receipt(tmp_path, capsys).read_text())
    key = SigningKey.objects.get()
    assert key.sealed_private_key.startswith("v1$")
    call_command("audit", "public-key", "--json")
    published = json.loads(capsys.readouterr().out)
    assert published["public_key"] == receipt["public_key"] == key.public_key
    assert published["key_fingerprint"] == receipt["key_fingerprint"]


def test_the_printable_receipt_is_one_page_with_no_external_resources(tmp_path, capsys):
    _entries(2)
    page = tmp_path / "receipt.html"
    call_command("audit", "receipt", "--json", "--html", str(page))
    receipt = json.loads(capsys.readouterr().out)
    html = page.read_text(encoding="utf-8")
    for value in (receipt["head"], receipt["signature"], receipt["key_fingerprint"]):
        assert value in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "src=" not in html and "<link" not in html


def test_the_worker_signs_a_receipt_when_one_is_due(settings):
    settings.KENES_AUDIT_RECEIPT_HOURS = 24
    _entries(2)
    housekeeping()
    housekeeping()  # the second round: not due yet
    assert Receipt.objects.count() == 1
    settings.KENES_AUDIT_RECEIPT_HOURS = 0
    Receipt.objects.all().delete()
    housekeeping()
    assert Receipt.objects.count() == 0


def test_while_sealed_no_receipt_is_signed_or_stored(custody: Custody, capsys):  # noqa: F811
    _entries(2)
    custody.start_holder()
    custody.init(trustees=5, threshold=3)
    entries = AuditEntry.objects.count()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("audit", "receipt", "--json")
    assert caught.value.returncode == 1
    assert str(caught.value).startswith("The server is sealed")
    assert capsys.readouterr().out == ""
    assert Receipt.objects.count() == 0 and SigningKey.objects.count() == 0
    assert AuditEntry.objects.count() == entries
    # the worker's round skips quietly and tries again later
    housekeeping()
    assert Receipt.objects.count() == 0


def test_while_sealed_a_server_with_a_key_signs_nothing(custody: Custody, tmp_path, capsys):  # noqa: F811
    _entries(2)
    path = _receipt(tmp_path, capsys)  # signed with the environment's key, before custody
    custody.start_holder()
    custody.init(trustees=5, threshold=3)
    with pytest.raises(CommandError) as caught:
        call_command("audit", "receipt")
    assert caught.value.returncode == 1
    assert Receipt.objects.count() == 1
    # verifying needs no unsealing
    code, out = _verify(capsys, "--against", str(path))
    assert code == 0 and out["receipt"]["extended"] is True


def test_after_key_rotation_the_next_receipt_reseals_the_signing_key(tmp_path, capsys, settings):
    from kenes.security.keys import new_key

    _entries(1)
    first = _receipt(tmp_path, capsys, "first.json")
    old_keys = list(settings.KENES_FIELD_KEYS)
    settings.KENES_FIELD_KEYS = [new_key(), *old_keys]  # rotate-keys: the new key first
    _receipt(tmp_path, capsys, "second.json")
    settings.KENES_FIELD_KEYS = settings.KENES_FIELD_KEYS[:1]  # the old key dropped
    third = json.loads(_receipt(tmp_path, capsys, "third.json").read_text())
    assert third["public_key"] == json.loads(first.read_text())["public_key"]
    assert SigningKey.objects.count() == 1
    code, out = _verify(capsys, "--against", str(first))
    assert code == 0, out
