"""A seized sealed server, as the adversary would use it (issue 12): a copy of the database, of
var/ and of the server's environment, taken after `kenes seal`, yields no member's name, IIN,
phone, address or birth date.

The adversary first reads the raw bytes of every copied file and of the environment. Then
they run Kenes on the copy: as it is, and with each secret they found put in as the field
key. Nothing opens a member.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
import shutil
import sqlite3

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


# Unsealed: the farmers vote on a motion (codes issued, two cast) and get consultation codes;
# the tokens of every member for that vote are printed, as the harness's positive control.
GROUP_VOTE = """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from kenes.agenda import services as agenda
from kenes.agenda.models import Consultation
from kenes.ballots import casting, services
from kenes.participation.voters import voter_tokens
from kenes.registry.models import ConstituentGroup, Member
from kenes.registry.services import do_grant_role
admin = get_user_model().objects.create_user("admin", password="a-long-password-1")
do_grant_role(admin, "admin", acting_user="test")
farmers = ConstituentGroup.objects.get(slug="farmers")
motion = services.do_create_election(
    "Резолюция фермеров", kind="motion", cutoff_on=timezone.localdate(), group=farmers,
    acting_user=admin,
)
issued = services.do_open(motion, acting_user=admin)
motion.refresh_from_db()
for item in issued[:2]:
    casting.do_cast(motion, item.code, [[0]])
ids = list(Member.objects.values_list("pk", flat=True))
print("TOKENS:" + json.dumps({
    "purpose": motion.purpose,
    "electorate": sorted(i.member_id for i in issued),
    "tokens": {str(k): v for k, v in voter_tokens(motion.purpose, ids).items()},
}))
"""


def test_a_copy_of_a_sealed_server_does_not_tell_who_was_in_a_groups_vote(custody, tmp_path):
    """The electorate of a vote called for one group is that group's members in good
    standing: its personal codes and its roll must not name them (kenes.participation.voters)."""
    env = dict(custody.env)
    del env["KENES_FIELD_KEYS"]
    custody.env = env
    assert custody.kenes("migrate", "-v0").returncode == 0
    for slug, name in (("workers", "Рабочие"), ("farmers", "Фермеры")):
        assert custody.kenes("groups", "add", slug, "--name", name).returncode == 0
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    assert custody.unseal(shares[:2]).returncode == 0
    for group, numbers in (("workers", range(1, 15)), ("farmers", range(11, 25))):
        listed = write_csv(tmp_path / f"{group}.csv", [person(n) for n in numbers])
        done = custody.kenes("members", "import", str(listed), "--group", group, "--json")
        assert done.returncode == 0, done.stderr
    done = custody.kenes("shell", "-c", GROUP_VOTE)
    assert done.returncode == 0, done.stderr
    control = json.loads(done.stdout.split("TOKENS:", 1)[1])
    assert len(control["electorate"]) == 14  # the farmers, all in good standing
    assert custody.kenes("seal").returncode == 0

    seized = tmp_path / "seized"
    shutil.copytree(custody.var, seized, ignore=shutil.ignore_patterns("*.sock"))
    db = sqlite3.connect(seized / "kenes.sqlite3")
    members = {pk for (pk,) in db.execute("SELECT id FROM registry_member")}
    assert len(members) == 24

    # No column of the codes or the roll points at a member, and their member is sealed.
    for table in ("participation_personalcode", "ballots_voterroll"):
        targets = {row[2] for row in db.execute(f"PRAGMA foreign_key_list('{table}')")}
        assert "registry_member" not in targets, table
        columns = [row[1] for row in db.execute(f"PRAGMA table_info('{table}')")]
        assert "member_id" not in columns
        sealed = [v for (v,) in db.execute(f"SELECT member FROM {table}")]  # noqa: S608
        assert len(sealed) == 14 and all(v.startswith("v1$") for v in sealed), table

    # The harness is not blind: the tokens in the copy are the electorate's, under the
    # secret the unsealed server used.
    tokens = {v for (v,) in db.execute("SELECT voter FROM ballots_voterroll")}
    electorate_tokens = {control["tokens"][str(m)] for m in control["electorate"]}
    assert tokens == electorate_tokens
    assert {v for (v,) in db.execute("SELECT voter FROM participation_personalcode")} == tokens

    # Every secret the copy holds, raw or in base64, tried as the token's key on every
    # member id: none gives a token of the roll.
    blobs = {str(p.relative_to(seized)): data for p, data in files_under(seized).items()}
    words = set()
    for data in [*blobs.values(), json.dumps(env).encode()]:
        words |= set(re.findall(rb"[A-Za-z0-9+/=_\-]{16,}", data))
    candidates = set()
    for word in words:
        candidates.add(word)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            with contextlib.suppress(ValueError):
                candidates.add(decode(word + b"=" * (-len(word) % 4)))
    assert len(candidates) > 50
    purpose = control["purpose"]
    for candidate in candidates:
        guesses = {
            hmac.new(candidate, f"{purpose}:{m}".encode(), hashlib.sha256).hexdigest()
            for m in members
        }
        assert not guesses & tokens

    # The audit log counts the codes; it lists no member ids.
    for (detail,) in db.execute("SELECT detail FROM audit_auditentry WHERE action = 'codes.issue'"):
        assert json.loads(detail) == {"codes": 14}
