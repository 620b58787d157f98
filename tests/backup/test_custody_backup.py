"""Under custody: what one trustee's age key opens holds no member's data and no field key;
the restored server starts sealed and k trustees' shares unseal it (docs/backup.md)."""

from __future__ import annotations

import base64
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backup.conftest import FIELD_KEY, Server, make_trustee, new_server
from tests.custody.conftest import Custody


def _encodings(secret: bytes) -> list[bytes]:
    urlsafe = base64.urlsafe_b64encode(secret)
    return [secret, urlsafe, urlsafe.rstrip(b"="), base64.b64encode(secret), secret.hex().encode()]


@pytest.fixture
def root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="kbc-", dir="/tmp"))  # short: a unix socket lives here
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _custody(server: Server) -> Custody:
    return Custody(server.var, server.env)


def test_a_trustees_key_opens_no_personal_data_and_the_restored_server_starts_sealed(
    root: Path,
) -> None:
    source = new_server(root, "s")
    source.ok("demo", "--no-serve", "--members", "12", "--seed", "5")
    before = source.state()
    source_custody = _custody(source)
    holder = source_custody.start_holder()
    try:
        shares = source_custody.init(trustees=5, threshold=3)
    finally:
        source_custody.stop_holder(holder)
    del source.env["KENES_FIELD_KEYS"]  # from now on only the trustees' shares open the keys
    trustee = make_trustee(root, "aigerim")
    source.ok("backup", "recipients", "add", trustee.name, trustee.public_key)
    made = json.loads(source.ok("backup", "--json").stdout)  # while sealed: no key needed
    assert made["contents"] == [
        "database.sqlite3",
        "custody/keys.json",
        "custody/backup-recipients.json",
    ]

    # What the trustee's age key opens, searched as an adversary holding it would.
    import pyrage

    identity = pyrage.x25519.Identity.from_str(trustee.identity_file.read_text().split()[-1])
    plain = pyrage.decrypt(Path(made["archive"]).read_bytes(), [identity])
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        names = sorted(m.name for m in tar.getmembers())
    assert names == [
        "kenes-backup/custody/backup-recipients.json",
        "kenes-backup/custody/keys.json",
        "kenes-backup/database.sqlite3",
        "kenes-backup/manifest.json",
    ]
    assert any(m[0] for m in before["members"])
    for name, iin, phone, _born, address in before["members"]:
        for text in (name, iin, phone, address):
            assert text.encode() not in plain, text
    field_key = base64.urlsafe_b64decode(FIELD_KEY)
    assert not [e for e in _encodings(field_key) if e in plain]

    target = new_server(root, "t")
    del target.env["KENES_FIELD_KEYS"]
    target.ok("restore", made["archive"], "--identity", str(trustee.identity_file))
    target.ok("migrate", "-v0")
    status = json.loads(target.ok("custody", "status", "--json").stdout)
    assert status["set_up"] and status["sealed"] and status["threshold"] == 3
    target_custody = _custody(target)
    holder = target_custody.start_holder()
    try:
        sealed = target.kenes(
            "shell",
            "--no-imports",
            "-c",
            "from kenes.registry.models import Member; print(Member.objects.first().full_name)",
        )
        assert sealed.returncode != 0 and before["members"][0][0] not in sealed.stdout
        assert target_custody.unseal(shares[2:5]).returncode == 0
        after = target.state()
    finally:
        target_custody.stop_holder(holder)
    assert after["members"] == before["members"]
    assert after["boxes"] == before["boxes"]
