"""After `kenes seal`, a copy of var/ (database, its log, the wrapped keys, the holder's
run folder) holds neither the master key nor any field key, in any encoding.

A development server from scratch, as a newcomer runs it: its field key starts in
var/field_keys (the search below must find it there, or it proves nothing), custody takes
it over, commands import members through the key holder, and after the seal the adversary
copies the folder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from kenes.core.custody.shamir import combine
from kenes.core.custody.share_text import share_from_text
from tests.conftest import person, write_csv

SEALED = (
    "The server is sealed: personal data cannot be read until 3 of the 5 trustees "
    "unseal it (`kenes unseal`)."
)


def _encodings(secret: bytes) -> list[bytes]:
    urlsafe = base64.urlsafe_b64encode(secret)
    return [
        secret,
        urlsafe,
        urlsafe.rstrip(b"="),
        base64.b64encode(secret),
        base64.b64encode(secret).rstrip(b"="),
        secret.hex().encode(),
        secret.hex().upper().encode(),
    ]


def _found(files: dict, needles: list[bytes]) -> list[str]:  # type: ignore[type-arg]
    return [str(path) for path, data in files.items() for n in needles if n in data]


def test_a_sealed_var_dir_holds_no_master_and_no_field_key(custody):
    from tests.custody.conftest import files_under

    env = dict(custody.env)
    del env["KENES_FIELD_KEYS"]  # the development key file in var/, as a newcomer has it
    custody.env = env
    var = custody.var
    assert custody.kenes("migrate", "-v0").returncode == 0
    assert custody.kenes("groups", "add", "workers", "--name", "Рабочие").returncode == 0
    lists = [
        write_csv(var / f"list-{i}.csv", [person(n) for n in range(10 * i, 10 * i + 3)])
        for i in range(3)
    ]
    done = custody.kenes("members", "import", str(lists[0]), "--group", "workers", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["imported"] == 3, done.stderr

    field_key = base64.urlsafe_b64decode((var / "field_keys").read_text().strip())
    index_secret = hmac.new(field_key, b"kenes blind index v1", hashlib.sha256).digest()
    key_needles = _encodings(field_key) + _encodings(index_secret)
    assert set(_found(files_under(var), key_needles)) == {str(var / "field_keys")}

    holder = custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert not (var / "field_keys").exists()
    assert custody.unseal(shares[1:4]).returncode == 0
    done = custody.kenes("members", "import", str(lists[1]), "--group", "workers", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["imported"] == 3, done.stderr

    assert custody.kenes("seal").returncode == 0
    done = custody.kenes("members", "import", str(lists[2]), "--group", "workers", "--json")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].endswith(SEALED)

    master = combine([share_from_text(s) for s in shares[:3]])
    copy = files_under(var)
    assert var / "kenes.sqlite3" in copy and var / "custody" / "keys.json" in copy
    assert _found(copy, _encodings(master) + key_needles) == []
    custody.stop_holder(holder)
    assert _found(files_under(var), _encodings(master) + key_needles) == []
