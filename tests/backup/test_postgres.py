"""PostgreSQL: a backup from one database restored into a second, empty one on the same server
(pg_dump's custom format, pg_restore in one transaction)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backup.conftest import make_trustee, new_server
from tests.backup.test_backup_restore import _says

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="PostgreSQL backups are tested on PostgreSQL (KENES_TEST_DB=postgres)",
    ),
]


def _new_database(url: str) -> str:
    """An empty database on the test run's PostgreSQL server; its URL."""
    import psycopg

    name = f"kenes_backup_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="kbp-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("migrated", [True, False], ids=["migrated", "bare"])
def test_a_postgresql_backup_comes_back_whole_in_an_empty_database(
    root: Path, migrated: bool
) -> None:
    server_url = os.environ["DATABASE_URL"]
    source = new_server(root, "source", DATABASE_URL=_new_database(server_url))
    source.ok("demo", "--no-serve", "--members", "20", "--seed", "11")
    trustee = make_trustee(root, "aigerim")
    source.ok("backup", "recipients", "add", trustee.name, trustee.public_key)
    before = source.state()
    assert len(before["members"]) == 20 and before["boxes"]
    made = json.loads(source.ok("backup", "--json").stdout)
    assert made["engine"] == "postgresql"
    assert made["contents"] == ["database.pgdump", "custody/backup-recipients.json"]
    data = Path(made["archive"]).read_bytes()
    for name, iin, phone, _born, _address in before["members"]:
        assert name.encode() not in data and iin.encode() not in data
        assert phone.encode() not in data

    target = new_server(root, "target", DATABASE_URL=_new_database(server_url))
    if migrated:
        target.ok("migrate", "-v0")
    done = target.ok("restore", made["archive"], "--identity", str(trustee.identity_file), "--json")
    assert json.loads(done.stdout)["audit"]["intact"] is True
    target.ok("migrate", "-v0")
    target.ok("audit", "verify")
    after = target.state()
    assert after["members"] == before["members"]
    assert after["boxes"] == before["boxes"] and all(b[3] for b in after["boxes"])
    assert after["audit"][: len(before["audit"])] == before["audit"]
    assert [a for a, _ in after["audit"][len(before["audit"]) :]] == ["backup.restored"]

    # A second restore finds the database in use and changes nothing.
    again = target.kenes("restore", made["archive"], "--identity", str(trustee.identity_file))
    assert again.returncode == 1
    _says(
        again.stderr,
        "This database is not empty (%(tables)s hold rows): a backup is restored only "
        "into an empty database. Nothing was changed.",
    )
    assert target.state() == after
