"""A movement on a real var dir, made by `kenes demo` (members imported with sealed fields,
published elections with their ballot boxes, the audit entries of it all), and the commands
an operator types to back it up and bring it back elsewhere, each in its own process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import isolated_env

KENES = [sys.executable, "-m", "kenes"]
FIELD_KEY = "q8yG0Gkz2i0n8cR3rE6h5xq9Zl7m2Y4a1S3d5F7g9H0="
SERVICE_KEY = "bA3kY9uJ2fWq7nZr5tLx8cVm1sPd4hGe6oQi0yRwT3U="

# What a server holds, read through Kenes itself (with the field keys): every member's sealed
# fields, every published ballot box and whether it still hashes to its head, the audit chain.
STATE = """
import json
from kenes.audit.models import AuditEntry
from kenes.ballots import box
from kenes.ballots.models import Election
from kenes.registry.models import Member
print(json.dumps({
    "members": sorted(
        [m.full_name, m.iin or "", m.phone or "", str(m.birth_date), m.address or ""]
        for m in Member.objects.all()
    ),
    "boxes": sorted(
        [e.title, e.box_head, len(box.ballot_box(e)), box.verify_box(e).intact]
        for e in Election.objects.exclude(box_head="")
    ),
    "audit": [[a.action, a.hash] for a in AuditEntry.objects.order_by("id")],
}))
"""


@dataclass
class Server:
    var: Path
    env: dict[str, str]

    def kenes(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # no terminal: a command that would ask for input refuses
            [*KENES, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.kenes(*args)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.ok("shell", "--no-imports", "-c", STATE).stdout))

    def files(self) -> dict[str, bytes]:
        """Every file under var/ (what "nothing was written" compares)."""
        return {
            str(p.relative_to(self.var)): p.read_bytes()
            for p in sorted(self.var.rglob("*"))
            if p.is_file()
        }


def new_server(root: Path, name: str, **extra: str) -> Server:
    var = root / name
    env = isolated_env(
        {
            "KENES_ENV": "development",
            "KENES_VAR_DIR": str(var),
            "KENES_SECRET_KEY": "backup-test-" + "x" * 40,
            "KENES_FIELD_KEYS": FIELD_KEY,
            "KENES_SERVICE_KEY": SERVICE_KEY,
            **extra,
        }
    )
    return Server(var, env)


@dataclass
class Trustee:
    name: str
    identity_file: Path
    public_key: str


def make_trustee(root: Path, name: str) -> Trustee:
    """A trustee's age key pair, made as `age-keygen -o` makes it (on their own machine)."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    path = root / f"{name}.key"
    public = str(identity.to_public())
    path.write_text(f"# public key: {public}\n{identity}\n")
    return Trustee(name, path, public)


@dataclass
class Movement:
    root: Path
    server: Server
    trustees: list[Trustee]
    before: dict[str, Any]


@pytest.fixture(scope="module")
def movement() -> Iterator[Movement]:
    """The demo movement (30 members) with two trustees as backup recipients."""
    root = Path(tempfile.mkdtemp(prefix="kb-", dir="/tmp"))
    try:
        server = new_server(root, "source")
        server.ok("demo", "--no-serve", "--members", "30", "--seed", "7")
        trustees = [make_trustee(root, name) for name in ("aigerim", "bolat", "outsider")]
        for trustee in trustees[:2]:
            server.ok("backup", "recipients", "add", trustee.name, trustee.public_key)
        yield Movement(root, server, trustees, server.state())
    finally:
        shutil.rmtree(root, ignore_errors=True)
