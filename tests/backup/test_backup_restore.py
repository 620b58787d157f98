"""`kenes backup` on a working server, `kenes restore` on a fresh one: everything comes back,
and nothing comes back half (issue 12, backups)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from tests.backup.conftest import KENES, Movement, Server, new_server


def _says(text: str, msgid: str, **known: object) -> None:
    """`text` is the sentence `msgid` as the commands say it: in the server's language
    (Russian, the site's default), with the `known` values in their places; any other
    placeholder (an error from the OS or from age) holds some text of its own."""
    with translation.override("ru"):
        template = translation.gettext(msgid)
    assert template != msgid, f"no Russian for {msgid!r}"  # the test reads what users read
    pattern, end = "", 0
    for slot in re.finditer(r"%\((\w+)\)s", template):
        name = slot.group(1)
        pattern += re.escape(template[end : slot.start()])
        pattern += re.escape(str(known.pop(name))) if name in known else ".+"
        end = slot.end()
    pattern += re.escape(template[end:])
    assert not known, f"{msgid!r} has no place for {sorted(known)}"
    assert re.fullmatch(pattern, text.strip(), re.DOTALL), (text, template)


def _backup(server: Server, *args: str) -> dict:  # type: ignore[type-arg]
    return dict(json.loads(server.ok("backup", "--json", *args).stdout))


def _fresh(movement: Movement, name: str) -> Server:
    """A new machine: its own var dir, the same environment secrets, `kenes migrate` run
    (once for the module: each new machine starts from a copy of that empty database)."""
    template = movement.root / "migrated"
    if not template.exists():
        new_server(movement.root, "migrated").ok("migrate", "-v0")
    server = new_server(movement.root, name)
    server.var.mkdir(mode=0o700)
    shutil.copy2(template / "kenes.sqlite3", server.var / "kenes.sqlite3")
    return server


def test_a_backup_restored_on_an_empty_server_brings_back_every_member_box_and_entry(
    movement: Movement,
) -> None:
    before = movement.before
    assert len(before["members"]) == 30 and before["boxes"] and len(before["audit"]) > 30
    made = _backup(movement.server, "--out", str(movement.root / "out"))
    archive = Path(made["archive"])
    assert made["engine"] == "sqlite"
    assert made["contents"] == ["database.sqlite3", "custody/backup-recipients.json"]
    assert [r["name"] for r in made["recipients"]] == ["aigerim", "bolat"]

    # No temporary copy of the database stays behind, in var/ or beside the archive.
    assert not [p for p in movement.server.var.rglob(".kenes-backup-*")]
    assert sorted(p.name for p in archive.parent.iterdir()) == [archive.name]
    assert archive.stat().st_mode & 0o777 == 0o600

    data = archive.read_bytes()
    header = data.split(b"\n---", 1)[0].decode()
    assert header.startswith("age-encryption.org/v1\n")
    assert header.count("\n-> X25519 ") == 2  # one stanza per trustee
    for name, iin, phone, _born, _address in before["members"]:
        for text in (name, iin, phone, name.split()[0], phone.replace(" ", "")):
            assert text.encode() not in data, text

    restored = _fresh(movement, "restored")
    done = restored.ok(
        "restore", str(archive), "--identity", str(movement.trustees[1].identity_file), "--json"
    )
    payload = json.loads(done.stdout)
    assert payload["restored"] is True and payload["engine"] == "sqlite"
    assert payload["contents"] == made["contents"] and payload["created"] == made["created"]
    assert payload["audit"]["intact"] is True

    restored.ok("migrate", "-v0")  # docs/backup.md: an archive from older code catches up
    restored.ok("audit", "verify")
    after = restored.state()
    assert after["members"] == before["members"]
    assert after["boxes"] == before["boxes"] and all(b[3] for b in after["boxes"])
    assert after["audit"][: len(before["audit"])] == before["audit"]
    assert [a for a, _ in after["audit"][len(before["audit"]) :]] == ["backup.restored"]
    assert (restored.var / "custody" / "backup-recipients.json").read_bytes() == (
        movement.server.var / "custody" / "backup-recipients.json"
    ).read_bytes()
    listed = json.loads(restored.ok("backup", "recipients", "list", "--json").stdout)
    assert [r["name"] for r in listed["file"]] == ["aigerim", "bolat"]


@pytest.fixture(scope="module")
def archive(movement: Movement) -> Path:
    return Path(_backup(movement.server, "--out", str(movement.root / "kept"))["archive"])


def _refused(server: Server, archive: Path, identity: Path) -> str:
    files = server.files()
    done = server.kenes("restore", str(archive), "--identity", str(identity), "--json")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert server.files() == files  # nothing written, nothing left behind
    assert server.state()["members"] == []
    return done.stderr.strip()


def test_a_key_that_is_not_a_recipient_opens_nothing_and_writes_nothing(
    movement: Movement, archive: Path
) -> None:
    server = _fresh(movement, "wrong-key")
    said = _refused(server, archive, movement.trustees[2].identity_file)
    _says(
        said,
        "The identity given does not open %(path)s: the archive was not encrypted to "
        "that key. Nothing was restored.",
        path=archive,
    )


@pytest.mark.parametrize("damage", ["cut_short", "one_byte_changed", "not_age"])
def test_a_damaged_archive_is_refused_in_a_sentence_and_nothing_is_written(
    movement: Movement, archive: Path, damage: str, tmp_path: Path
) -> None:
    data = bytearray(archive.read_bytes())
    if damage == "cut_short":
        data = data[: len(data) * 2 // 3]
    elif damage == "one_byte_changed":
        data[len(data) // 2] ^= 0x01
    else:
        data = bytearray(b"PK\x03\x04 a zip file, not a backup" * 100)
    broken = tmp_path / "broken.age"
    broken.write_bytes(bytes(data))
    server = _fresh(movement, f"damaged-{damage}")
    said = _refused(server, broken, movement.trustees[0].identity_file)
    _says(
        said,
        "%(path)s cannot be decrypted: it is damaged, cut short or not an age archive "
        "(%(error)s). Nothing was restored.",
        path=broken,
    )
    assert not (server.var / "custody").exists()


def test_a_database_in_use_is_not_overwritten(movement: Movement, archive: Path) -> None:
    server = movement.server
    files = server.files()
    done = server.kenes(
        "restore", str(archive), "--identity", str(movement.trustees[0].identity_file)
    )
    assert done.returncode == 1
    _says(
        done.stderr,
        "This database is not empty (%(tables)s hold rows): a backup is restored only "
        "into an empty database. Nothing was changed.",
    )
    assert server.files() == files


def test_a_server_without_recipients_makes_no_backup(movement: Movement) -> None:
    server = _fresh(movement, "nobody")
    done = server.kenes("backup", "--out", str(server.var / "out"))
    assert done.returncode == 1
    _says(
        done.stderr,
        "There is nobody to encrypt the backup to: add a trustee's age public key "
        "(`kenes backup recipients add NAME age1...`) or set KENES_BACKUP_RECIPIENTS. "
        "Nothing was written.",
    )
    assert not (server.var / "out").exists() or not list((server.var / "out").iterdir())
    pruned = server.ok("backup", "prune", "--json")
    assert json.loads(pruned.stdout) == {"deleted": []}


def test_recipients_from_the_environment_alone_are_enough(movement: Movement) -> None:
    server = _fresh(movement, "env-only")
    trustee = movement.trustees[2]
    server.env["KENES_BACKUP_RECIPIENTS"] = trustee.public_key
    made = _backup(server, "--out", str(server.var / "out"))
    assert made["recipients"] == [
        {"name": "KENES_BACKUP_RECIPIENTS[1]", "public_key": trustee.public_key}
    ]
    assert made["contents"] == ["database.sqlite3"]
    target = _fresh(movement, "env-only-restored")
    target.ok("restore", made["archive"], "--identity", str(trustee.identity_file))


def test_a_backup_that_cannot_be_written_leaves_nothing_behind(movement: Movement) -> None:
    blocked = movement.root / "a-file-not-a-folder"
    blocked.write_text("")
    done = movement.server.kenes("backup", "--out", str(blocked / "backups"))
    assert done.returncode == 1
    _says(
        done.stderr,
        "The folder %(path)s cannot be made (%(error)s); nothing was written.",
        path=blocked / "backups",
    )
    assert not list(movement.server.var.rglob(".kenes-backup-*"))


RUN_DUE = "from kenes.backup.services import run_due; run_due()"


def test_the_worker_makes_one_backup_when_one_is_due_however_many_workers_run(
    movement: Movement,
) -> None:
    server = movement.server
    folder = movement.root / "scheduled"
    env = {**server.env, "KENES_BACKUP_DIR": str(folder), "KENES_BACKUP_EVERY_HOURS": "24"}
    workers = [
        subprocess.Popen(
            [*KENES, "shell", "--no-imports", "-c", RUN_DUE],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    made = [p.name for p in folder.iterdir() if p.suffix == ".age"]
    assert len(made) == 1
    again = subprocess.run(
        [*KENES, "shell", "--no-imports", "-c", RUN_DUE], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert [p.name for p in folder.iterdir() if p.suffix == ".age"] == made  # not due yet
    actions = [a for a, _ in server.state()["audit"] if a == "backup.made"]
    assert actions  # the worker's backup is in the audit log


@pytest.mark.parametrize("identity", ["missing", "no_key", "public_key_only"])
def test_an_identity_file_without_a_secret_key_is_refused_before_anything_is_read(
    movement: Movement, archive: Path, identity: str, tmp_path: Path
) -> None:
    path = tmp_path / "trustee.key"
    if identity == "no_key":
        path.write_text("# nothing here\n")
    elif identity == "public_key_only":
        path.write_text(movement.trustees[0].public_key + "\n")
    server = _fresh(movement, f"identity-{identity}")
    said = _refused(server, archive, path)
    if identity == "missing":
        _says(said, "The identity file %(path)s cannot be read (%(error)s).", path=path)
    else:
        _says(
            said,
            "The identity file %(path)s holds no age secret key (AGE-SECRET-KEY-1...).",
            path=path,
        )


# An identity file encrypted with a passphrase (`age-keygen | age -p > trustee.key.age`) --------

PASSPHRASE = "steppe wind over the square"


def _says_new(text: str, msgid: str, **known: object) -> None:
    """`_says` for a sentence whose Russian may not be compiled yet (it then reads English)."""
    with translation.override("ru"):
        template = translation.gettext(msgid)
    for candidate in {template, msgid}:
        try:
            _says_template(text, candidate, dict(known))
            return
        except AssertionError:
            continue
    raise AssertionError((text, msgid))


def _says_template(text: str, template: str, known: dict[str, object]) -> None:
    pattern, end = "", 0
    for slot in re.finditer(r"%\((\w+)\)s", template):
        name = slot.group(1)
        pattern += re.escape(template[end : slot.start()])
        pattern += re.escape(str(known.pop(name))) if name in known else ".+"
        end = slot.end()
    pattern += re.escape(template[end:])
    assert not known
    assert re.fullmatch(pattern, text.strip(), re.DOTALL), (text, template)


def _encrypted_identity(movement: Movement, tmp_path: Path, *, armored: bool) -> Path:
    """What `age-keygen | age -p [-a] > trustee.key.age` leaves: no secret key in the clear."""
    import base64

    import pyrage

    clear = movement.trustees[1].identity_file.read_bytes()
    data = pyrage.passphrase.encrypt(clear, PASSPHRASE)
    if armored:
        body = base64.b64encode(data).decode()
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        data = (
            "-----BEGIN AGE ENCRYPTED FILE-----\n"
            + "\n".join(lines)
            + "\n-----END AGE ENCRYPTED FILE-----\n"
        ).encode()
    secret = next(line for line in clear.splitlines() if line.startswith(b"AGE-SECRET-KEY-"))
    assert secret not in data and secret.lower() not in data.lower()
    path = tmp_path / "bolat.key.age"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("given", ["passphrase_file", "environment"])
def test_a_passphrase_encrypted_identity_restores_every_member(
    movement: Movement, archive: Path, tmp_path: Path, given: str
) -> None:
    identity = _encrypted_identity(movement, tmp_path, armored=given == "environment")
    server = _fresh(movement, f"passphrase-{given}")
    args = ["restore", str(archive), "--identity", str(identity), "--json"]
    if given == "passphrase_file":
        secret = tmp_path / "passphrase.txt"
        secret.write_text(PASSPHRASE + "\n")
        args += ["--passphrase-file", str(secret)]
    else:
        server.env["KENES_KEY_PASSPHRASE"] = PASSPHRASE
    done = server.kenes(*args)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["restored"] is True
    server.ok("audit", "verify")
    after = server.state()
    assert after["members"] == movement.before["members"]
    assert after["boxes"] == movement.before["boxes"]
    assert after["audit"][: len(movement.before["audit"])] == movement.before["audit"]


@pytest.mark.parametrize("wrong", ["wrong_passphrase", "no_passphrase_and_no_terminal"])
def test_a_wrong_passphrase_restores_nothing(
    movement: Movement, archive: Path, tmp_path: Path, wrong: str
) -> None:
    identity = _encrypted_identity(movement, tmp_path, armored=False)
    server = _fresh(movement, f"passphrase-{wrong}")
    args = ["restore", str(archive), "--identity", str(identity), "--json"]
    if wrong == "wrong_passphrase":
        secret = tmp_path / "passphrase.txt"
        secret.write_text(PASSPHRASE.upper() + "\n")
        args += ["--passphrase-file", str(secret)]
    files = server.files()
    done = server.kenes(*args)  # no terminal to ask on
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert server.files() == files
    assert server.state()["members"] == []
    if wrong == "wrong_passphrase":
        _says_new(
            done.stderr,
            "The passphrase does not open the identity file %(path)s (or the file was "
            "edited, or encrypted to a key rather than a passphrase). Nothing was restored.",
            path=identity,
        )
    else:
        _says_new(
            done.stderr,
            "A passphrase is needed and there is no terminal to ask it on: give "
            "--passphrase-file FILE or set %(env)s.",
            env="KENES_KEY_PASSPHRASE",
        )
