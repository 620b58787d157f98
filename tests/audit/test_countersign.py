"""Trustees countersign audit receipts with keys the server never holds.

Each trustee's key is made with `kenes audit trustee-key new` (as on their own machine), the
receipt is countersigned offline and the file attached on the server; `kenes audit verify
--against` checks every countersignature in the receipt file against the registered keys.
The adversary edits files, signs with a key of their own, or hides a trustee's absence.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kenes.audit import receipts, services
from kenes.audit.models import AuditEntry, Countersignature, Trustee
from kenes.security import passphrase
from tests.conftest import isolated_env

pytestmark = pytest.mark.django_db


def _run(capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    try:
        with translation.override("en"):
            call_command("audit", *args)
        code, message = 0, ""
    except CommandError as exc:
        code, message = exc.returncode, str(exc)
    out = capsys.readouterr().out
    return code, out + message


def _key(tmp_path: Path, capsys, name: str) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.pem"
    code, out = _run(capsys, "trustee-key", "new", "--out", str(path), "--json", "--no-passphrase")
    assert code == 0, out
    return path, json.loads(out)["public_key"]


def _register(capsys, name: str, public_key: str) -> None:  # type: ignore[no-untyped-def]
    # `--public-key=KEY`: a key may begin with "-" (urlsafe base64)
    code, out = _run(capsys, "trustee", "add", "--name", name, f"--public-key={public_key}")
    assert code == 0, out


def _receipt(tmp_path: Path, capsys) -> Path:  # type: ignore[no-untyped-def]
    services.record_standalone("test.event", acting_user="tester", detail={"i": 1})
    code, out = _run(capsys, "receipt", "--json")
    assert code == 0, out
    path = tmp_path / "receipt.json"
    path.write_text(out, encoding="utf-8")
    return path


def _countersign(tmp_path: Path, capsys, receipt: Path, key: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    out_file = tmp_path / f"countersignature-{name}.json"
    code, out = _run(capsys, "countersign", str(receipt), "--key", str(key), "--out", str(out_file))
    assert code == 0, out
    return out_file


def _shown(tmp_path: Path, capsys, name: str = "shown.json") -> Path:  # type: ignore[no-untyped-def]
    code, out = _run(capsys, "receipt", "--show", "latest", "--json")
    assert code == 0, out
    path = tmp_path / name
    path.write_text(out, encoding="utf-8")
    return path


def _verify(capsys, receipt: Path) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    code, out = _run(capsys, "verify", "--json", "--against", str(receipt))
    return code, json.loads(out.splitlines()[0])


def test_two_trustees_countersign_and_verify_finds_both(tmp_path, capsys):
    aigerim_key, aigerim = _key(tmp_path, capsys, "aigerim")
    bolat_key, bolat = _key(tmp_path, capsys, "bolat")
    _register(capsys, "Айгерим Сапарова", aigerim)
    _register(capsys, "Болат Нурланов", bolat)
    receipt = _receipt(tmp_path, capsys)
    for key, name in ((aigerim_key, "a"), (bolat_key, "b")):
        signed = _countersign(tmp_path, capsys, receipt, key, name)
        code, out = _run(capsys, "attach-countersignature", str(signed))
        assert code == 0 and "Attached the countersignature" in out
    assert Countersignature.objects.count() == 2
    assert AuditEntry.objects.filter(action="audit.countersign").count() == 2
    code, out = _verify(capsys, _shown(tmp_path, capsys))
    assert code == 0, out
    statuses = {c["name"]: c["status"] for c in out["receipt"]["countersignatures"]}
    assert statuses == {"Айгерим Сапарова": "valid", "Болат Нурланов": "valid"}
    # the existing keys are all still there
    assert {"genuine", "extended", "seq", "head", "time", "key_fingerprint", "problem"} <= set(
        out["receipt"]
    )


def test_attaching_the_same_countersignature_twice_stores_it_once(tmp_path, capsys):
    key, public = _key(tmp_path, capsys, "aigerim")
    _register(capsys, "Айгерим", public)
    signed = _countersign(tmp_path, capsys, _receipt(tmp_path, capsys), key, "a")
    _run(capsys, "attach-countersignature", str(signed))
    code, out = _run(capsys, "attach-countersignature", str(signed))
    assert code == 0 and "already attached" in out
    assert Countersignature.objects.count() == 1
    assert AuditEntry.objects.filter(action="audit.countersign").count() == 1


def test_a_countersignature_by_a_key_not_registered_is_refused(tmp_path, capsys):
    registered_key, registered = _key(tmp_path, capsys, "aigerim")
    _register(capsys, "Айгерим", registered)
    stranger_key, _public = _key(tmp_path, capsys, "stranger")
    signed = _countersign(tmp_path, capsys, _receipt(tmp_path, capsys), stranger_key, "x")
    entries = AuditEntry.objects.count()
    code, out = _run(capsys, "attach-countersignature", str(signed))
    assert code == 1
    assert "not a registered trustee's" in out and out.rstrip().endswith(".")
    assert not Countersignature.objects.exists()
    assert AuditEntry.objects.count() == entries
    # and put straight into a receipt file, verify refuses it and names the missing trustee
    receipt = json.loads(_shown(tmp_path, capsys).read_text())
    receipt["countersignatures"] = [
        {
            "name": "Айгерим",  # a false name does not help
            **{k: v for k, v in json.loads(signed.read_text()).items() if k == "public_key"},
            "signature": json.loads(signed.read_text())["signature"],
        }
    ]
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(receipt))
    code, out = _verify(capsys, path)
    assert code == 1
    statuses = sorted(c["status"] for c in out["receipt"]["countersignatures"])
    assert statuses == ["missing", "unregistered"]


def test_a_retired_trustees_key_countersigns_nothing_new(tmp_path, capsys):
    key, public = _key(tmp_path, capsys, "aigerim")
    _register(capsys, "Айгерим", public)
    code, out = _run(capsys, "trustee", "retire", str(Trustee.objects.get().pk))
    assert code == 0, out
    signed = _countersign(tmp_path, capsys, _receipt(tmp_path, capsys), key, "a")
    code, out = _run(capsys, "attach-countersignature", str(signed))
    assert code == 1 and not Countersignature.objects.exists()


@pytest.mark.parametrize("field", ["head", "seq", "time"])
def test_a_tampered_receipt_is_not_countersigned(tmp_path, capsys, field):
    key, public = _key(tmp_path, capsys, "aigerim")
    _register(capsys, "Айгерим", public)
    path = _receipt(tmp_path, capsys)
    receipt = json.loads(path.read_text())
    receipt[field] = {
        "head": "a" * 64,
        "seq": receipt["seq"] + 1,
        "time": "2020-01-01T00:00:00+00:00",
    }[field]
    path.write_text(json.dumps(receipt))
    code, out = _run(capsys, "countersign", str(path), "--key", str(key))
    assert code == 1
    assert "signature does not match its content" in out


def test_a_countersignature_whose_receipt_was_edited_is_not_attached(tmp_path, capsys):
    key, public = _key(tmp_path, capsys, "aigerim")
    _register(capsys, "Айгерим", public)
    _receipt(tmp_path, capsys)
    signed_path = _countersign(tmp_path, capsys, _shown(tmp_path, capsys), key, "a")
    signed = json.loads(signed_path.read_text())
    signed["receipt"]["head"] = AuditEntry.objects.order_by("id").first().hash
    signed_path.write_text(json.dumps(signed))
    code, out = _run(capsys, "attach-countersignature", str(signed_path))
    assert code == 1 and "signed no receipt" in out
    assert not Countersignature.objects.exists()


def test_an_edited_countersignature_in_the_receipt_file_fails_verify(tmp_path, capsys):
    key, public = _key(tmp_path, capsys, "aigerim")
    _register(capsys, "Айгерим", public)
    signed = _countersign(tmp_path, capsys, _receipt(tmp_path, capsys), key, "a")
    _run(capsys, "attach-countersignature", str(signed))
    path = _shown(tmp_path, capsys)
    receipt = json.loads(path.read_text())
    raw = bytearray(base64.urlsafe_b64decode(receipt["countersignatures"][0]["signature"]))
    raw[5] ^= 1
    receipt["countersignatures"][0]["signature"] = base64.urlsafe_b64encode(raw).decode()
    path.write_text(json.dumps(receipt))
    code, out = _verify(capsys, path)
    assert code == 1
    (check,) = out["receipt"]["countersignatures"]
    assert check["status"] == "invalid" and "was edited" in check["problem"]


def test_a_countersignature_moved_to_another_receipt_fails_verify(tmp_path, capsys):
    key, public = _key(tmp_path, capsys, "aigerim")
    _register(capsys, "Айгерим", public)
    signed = _countersign(tmp_path, capsys, _receipt(tmp_path, capsys), key, "a")
    _run(capsys, "attach-countersignature", str(signed))
    first = json.loads(_shown(tmp_path, capsys).read_text())
    later = json.loads(_receipt(tmp_path, capsys).read_text())  # a newer, genuine receipt
    later["countersignatures"] = first["countersignatures"]
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(later))
    code, out = _verify(capsys, path)
    assert code == 1
    assert out["receipt"]["genuine"] is True
    assert [c["status"] for c in out["receipt"]["countersignatures"]] == ["invalid"]


def test_verify_reports_a_missing_countersignature(tmp_path, capsys):
    aigerim_key, aigerim = _key(tmp_path, capsys, "aigerim")
    _bolat_key, bolat = _key(tmp_path, capsys, "bolat")
    _register(capsys, "Айгерим", aigerim)
    _register(capsys, "Болат", bolat)
    signed = _countersign(tmp_path, capsys, _receipt(tmp_path, capsys), aigerim_key, "a")
    _run(capsys, "attach-countersignature", str(signed))
    path = _shown(tmp_path, capsys)
    code, out = _verify(capsys, path)
    assert code == 0  # a trustee who has not countersigned yet is reported, not a failure
    found = {c["name"]: c for c in out["receipt"]["countersignatures"]}
    assert found["Айгерим"]["status"] == "valid"
    assert found["Болат"]["status"] == "missing"
    assert found["Болат"]["key_fingerprint"] == receipts.key_fingerprint(bolat)
    code, text = _run(capsys, "verify", "--against", str(path))
    assert code == 0
    assert "MISSING: Болат has not countersigned this receipt." in text
    assert "Countersigned by Айгерим" in text


def test_an_old_receipt_file_without_countersignatures_still_verifies(tmp_path, capsys):
    path = _receipt(tmp_path, capsys)
    receipt = json.loads(path.read_text())
    del receipt["countersignatures"]  # as printed before trustees countersigned
    path.write_text(json.dumps(receipt))
    code, out = _verify(capsys, path)
    assert code == 0 and out["receipt"]["countersignatures"] == []


def test_the_printable_receipt_names_each_countersigning_trustee(tmp_path, capsys):
    key, public = _key(tmp_path, capsys, "aigerim")
    _key_b, bolat = _key(tmp_path, capsys, "bolat")
    _register(capsys, "Айгерим Сапарова", public)
    _register(capsys, "Болат Нурланов", bolat)
    signed = _countersign(tmp_path, capsys, _receipt(tmp_path, capsys), key, "a")
    _run(capsys, "attach-countersignature", str(signed))
    page = tmp_path / "receipt.html"
    code, out = _run(capsys, "receipt", "--show", "latest", "--json", "--html", str(page))
    assert code == 0
    receipt = json.loads(out)
    html = page.read_text(encoding="utf-8")
    (item,) = receipt["countersignatures"]
    for value in (receipt["signature"], item["name"], item["key_fingerprint"], item["signature"]):
        assert value in html
    assert "Болат Нурланов" in html  # listed as not yet countersigned
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_registration_refuses_a_bad_or_repeated_key_with_a_sentence(tmp_path, capsys):
    _path, public = _key(tmp_path, capsys, "aigerim")
    for bad in ("not a key!", base64.urlsafe_b64encode(b"short").decode()):
        code, out = _run(capsys, "trustee", "add", "--name", "X", f"--public-key={bad}")
        assert code == 1 and out.rstrip().endswith(".")
    _register(capsys, "Айгерим", public)
    code, out = _run(capsys, "trustee", "add", "--name", "Двойник", f"--public-key={public}")
    assert code == 1 and "already registered" in out
    assert Trustee.objects.count() == 1
    assert AuditEntry.objects.filter(action="audit.trustee_registered").count() == 1


def test_a_trustee_key_is_private_to_its_owner_and_never_overwritten(tmp_path, capsys):
    path, _public = _key(tmp_path, capsys, "aigerim")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = path.read_bytes()
    code, out = _run(capsys, "trustee-key", "new", "--out", str(path))
    assert code == 1 and "never overwritten" in out
    assert path.read_bytes() == before


def test_keys_are_made_and_receipts_countersigned_on_a_machine_with_no_kenes_database(
    tmp_path, capsys
):
    """The trustee's own machine: no database, no configuration, production settings."""
    receipt = _receipt(tmp_path, capsys)
    env = isolated_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.sqlite3",
            "KENES_KEY_PASSPHRASE": "a trustee's own passphrase",
            # this checkout's kenes, not an installed copy found from the working folder
            "PYTHONPATH": str(Path(receipts.__file__).resolve().parents[2]),
        }
    )
    kenes = [sys.executable, "-m", "kenes"]
    key = tmp_path / "mine.pem"
    made = subprocess.run(
        [*kenes, "audit", "trustee-key", "new", "--out", str(key), "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    public = json.loads(made.stdout)["public_key"]
    signed = subprocess.run(
        [*kenes, "audit", "countersign", str(receipt), "--key", str(key)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert signed.returncode == 0, signed.stderr
    assert not (tmp_path / "absent").exists()
    path = tmp_path / "countersignature.json"
    path.write_text(signed.stdout)
    _register(capsys, "Айгерим", public)
    code, out = _run(capsys, "attach-countersignature", str(path))
    assert code == 0, out
    # the private key never reached the server
    pem = passphrase.decrypt(key.read_bytes(), env["KENES_KEY_PASSPHRASE"]).decode()
    assert all(pem not in json.dumps(e.detail) for e in AuditEntry.objects.all())


def test_a_trustee_registered_after_the_receipt_is_not_missing_from_it(tmp_path, capsys):
    path = _receipt(tmp_path, capsys)
    receipt = json.loads(path.read_text())
    _key_path, public = _key(tmp_path, capsys, "later")
    _register(capsys, "Позже", public)
    Trustee.objects.update(
        registered_at=datetime.fromisoformat(receipt["time"]) + timedelta(hours=1)
    )
    code, out = _verify(capsys, path)
    assert code == 0 and out["receipt"]["countersignatures"] == []
