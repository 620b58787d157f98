"""A seized sealed server, as the adversary would use it (issue 12): a copy of the database, of
var/ and of the server's environment, taken after `kenes seal`, yields no member's name, IIN,
phone, address or birth date.

The adversary first reads the raw bytes of every copied file and of the environment. Then
they run Kenes on the copy: as it is, and with each secret they found put in as the field
key. Nothing opens a member.
"""

from __future__ import annotations

import json
import re
import shutil

from tests.conftest import person, write_csv
from tests.custody.conftest import files_under

PEOPLE = range(1, 25)
READ_A_NAME = (
    "from kenes.registry.models import Member\n"
    "print('NAMES:', [m.full_name for m in Member.objects.order_by('pk')])"
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _personal_needles() -> tuple[list[str], list[str]]:
    """What must not be found: texts (names, addresses, dates) and digit strings (IIN, phone)."""
    texts: list[str] = []
    digits: list[str] = []
    for n in PEOPLE:
        name, born, iin, phone, _region, address = person(n)
        given = name.split()[1]  # "Ер…": unique per person (surname and patronymic are shared)
        day, month, year = born.split(".")
        texts += [name, given, address, born, f"{year}-{month}-{day}"]
        digits += [iin, _digits(phone)[1:]]
    return texts, digits


def _leaks(blobs: dict[str, bytes]) -> list[str]:
    texts, digits = _personal_needles()
    found = []
    for where, data in blobs.items():
        text = data.decode("utf-8", errors="ignore")
        flat = _digits(text)
        found += [f"{where}: {t!r}" for t in texts if t in text]
        found += [f"{where}: {d}" for d in digits if d in flat]
    return found


def test_a_copy_of_a_sealed_server_with_its_environment_opens_no_member(custody, tmp_path):
    env = dict(custody.env)
    del env["KENES_FIELD_KEYS"]  # the development key file in var/, which custody takes over
    custody.env = env
    var = custody.var
    assert custody.kenes("migrate", "-v0").returncode == 0
    for slug, name in (("workers", "Рабочие"), ("farmers", "Фермеры")):
        assert custody.kenes("groups", "add", slug, "--name", name).returncode == 0
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert custody.unseal(shares[:3]).returncode == 0
    halves = (list(PEOPLE)[:14], list(PEOPLE)[10:])  # four people in both groups
    for group, numbers in zip(("workers", "farmers"), halves, strict=True):
        listed = write_csv(tmp_path / f"{group}.csv", [person(n) for n in numbers])
        done = custody.kenes("members", "import", str(listed), "--group", group, "--json")
        assert done.returncode == 0, done.stderr
    opened = custody.kenes("shell", "-c", READ_A_NAME)
    assert opened.returncode == 0 and person(1)[0] in opened.stdout  # unsealed, names open
    assert custody.kenes("seal").returncode == 0

    # The seizure: the data folder (database, its WAL, wrapped keys, development secrets)
    # and the server's environment.
    seized = tmp_path / "seized"
    shutil.copytree(var, seized, ignore=shutil.ignore_patterns("*.sock"))
    blobs = {str(p.relative_to(seized)): data for p, data in files_under(seized).items()}
    blobs["environment"] = json.dumps(env, ensure_ascii=False).encode()
    assert "kenes.sqlite3" in blobs and "custody/keys.json" in blobs
    assert _leaks(blobs) == []
    assert "Рабочие" in blobs["kenes.sqlite3"].decode("utf-8", errors="ignore")  # really read

    # Kenes run on the copy, as it is: sealed (no key holder holds its keys).
    on_copy = {**env, "KENES_VAR_DIR": str(seized)}
    custody.env = on_copy
    done = custody.kenes("shell", "-c", READ_A_NAME)
    assert done.returncode != 0 and "NAMES:" not in done.stdout
    assert "Sealed" in done.stderr  # the exception that every personal read raises

    # Then without custody, each secret found in the copy tried as the field key.
    shutil.rmtree(seized / "custody")
    candidates = [env[k] for k in ("KENES_SECRET_KEY",) if k in env]
    candidates += [
        (seized / name).read_text().strip()
        for name in ("secret_key", "service_key")
        if (seized / name).exists()
    ]
    assert candidates, "the copy holds the server's other secrets: try them"
    for candidate in candidates:
        custody.env = {**on_copy, "KENES_FIELD_KEYS": candidate}
        done = custody.kenes("shell", "-c", READ_A_NAME)
        assert "NAMES:" not in done.stdout and person(1)[0] not in done.stdout + done.stderr
