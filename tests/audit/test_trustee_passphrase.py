"""A trustee's countersigning key file is encrypted with a passphrase (issue 12).

The adversary copies the key file: it must not hold the private key in any readable form,
nor the passphrase. The trustee gives the passphrase from a file, the environment or the
terminal (getpass, twice for a new key); a wrong one countersigns nothing. Key files made
before (clear PEM) keep working, and `--no-passphrase` still makes one.
"""

from __future__ import annotations

import base64
import json
import os
import pty
import select
import stat
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

import kenes
from kenes.audit import services, trustees
from kenes.audit.models import AuditEntry, Countersignature
from kenes.security import passphrase
from tests.conftest import isolated_env

pytestmark = pytest.mark.django_db

SECRET = "two horses at the well, 1986"


@pytest.fixture(autouse=True)
def _no_passphrase_in_environment(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv(passphrase.ENV, raising=False)


def _run(capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    try:
        with translation.override("en"):
            call_command("audit", *args)
        code, message = 0, ""
    except CommandError as exc:
        code, message = exc.returncode, str(exc)
    return code, capsys.readouterr().out + message


def _secret_file(tmp_path: Path, text: str = SECRET, name: str = "passphrase.txt") -> Path:
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _new_key(tmp_path: Path, capsys, *extra: str) -> tuple[Path, dict]:  # type: ignore[no-untyped-def]
    path = tmp_path / "aigerim.key"
    code, out = _run(capsys, "trustee-key", "new", "--out", str(path), "--json", *extra)
    assert code == 0, out
    return path, json.loads(out)


def _register_and_receipt(tmp_path: Path, capsys, public: str) -> Path:  # type: ignore[no-untyped-def]
    code, out = _run(capsys, "trustee", "add", "--name", "Айгерим", f"--public-key={public}")
    assert code == 0, out
    services.record_standalone("test.event", acting_user="tester", detail={"i": 1})
    code, out = _run(capsys, "receipt", "--json")
    assert code == 0, out
    receipt = tmp_path / "receipt.json"
    receipt.write_text(out, encoding="utf-8")
    return receipt


def _attach_and_verify(tmp_path: Path, capsys, signed: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = _run(capsys, "attach-countersignature", str(signed))
    assert code == 0, out
    code, out = _run(capsys, "receipt", "--show", "latest", "--json")
    shown = tmp_path / "shown.json"
    shown.write_text(out, encoding="utf-8")
    code, out = _run(capsys, "verify", "--json", "--against", str(shown))
    assert code == 0, out
    statuses = [c["status"] for c in json.loads(out)["receipt"]["countersignatures"]]
    assert statuses == ["valid"]


def test_an_encrypted_key_file_holds_neither_the_key_nor_the_passphrase(tmp_path, capsys):
    path, shown = _new_key(tmp_path, capsys, "--passphrase-file", str(_secret_file(tmp_path)))
    # the documented shape, one field added
    assert set(shown) == {"public_key", "key_fingerprint", "key_file", "encrypted"}
    assert shown["encrypted"] is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = path.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n-> scrypt ")

    # Read as a clear key, it is nothing.
    with pytest.raises(ValueError):
        serialization.load_pem_private_key(data, password=None)
    with pytest.raises(trustees.TrusteeProblem):
        trustees.read_key_file(path)

    # The private key, in every form it could take, is absent; so is the passphrase.
    pem = passphrase.decrypt(data, SECRET)
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    assert trustees.public_key_text(key.public_key()) == shown["public_key"]
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    for secret in (
        raw,
        der,
        pem,
        base64.b64encode(der),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        raw.hex().encode(),
        b"PRIVATE KEY",
        SECRET.encode(),
    ):
        assert secret not in data


def test_the_right_passphrase_countersigns_and_the_signature_verifies(tmp_path, capsys):
    secret = _secret_file(tmp_path)
    path, shown = _new_key(tmp_path, capsys, "--passphrase-file", str(secret))
    receipt = _register_and_receipt(tmp_path, capsys, shown["public_key"])
    signed = tmp_path / "countersignature.json"
    code, out = _run(
        capsys,
        "countersign",
        str(receipt),
        "--key",
        str(path),
        "--out",
        str(signed),
        "--passphrase-file",
        str(secret),
    )
    assert code == 0, out
    _attach_and_verify(tmp_path, capsys, signed)
    assert Countersignature.objects.count() == 1


@pytest.mark.parametrize("given", ["passphrase_file", "environment", "none_and_no_terminal"])
def test_a_wrong_or_missing_passphrase_countersigns_nothing(tmp_path, capsys, monkeypatch, given):
    path, shown = _new_key(tmp_path, capsys, "--passphrase-file", str(_secret_file(tmp_path)))
    receipt = _register_and_receipt(tmp_path, capsys, shown["public_key"])
    signed = tmp_path / "countersignature.json"
    args = ["countersign", str(receipt), "--key", str(path), "--out", str(signed)]
    if given == "passphrase_file":
        # one character off: the trailing year
        wrong = _secret_file(tmp_path, SECRET[:-1] + "7", name="wrong.txt")
        args += ["--passphrase-file", str(wrong)]
    elif given == "environment":
        monkeypatch.setenv(passphrase.ENV, SECRET.upper())
    before = path.read_bytes()
    code, out = _run(capsys, *args)
    assert code == 1
    if given == "none_and_no_terminal":
        assert out.strip() == (
            "A passphrase is needed and there is no terminal to ask it on: give "
            "--passphrase-file FILE or set KENES_KEY_PASSPHRASE."
        )
    else:
        assert out.strip() == (
            f"The passphrase does not open the key file {path} (or the file was edited). "
            "Nothing was countersigned."
        )
    assert not signed.exists()
    assert path.read_bytes() == before
    assert Countersignature.objects.count() == 0
    assert not AuditEntry.objects.filter(action="audit.countersign").exists()


def test_a_clear_key_file_made_before_still_countersigns(tmp_path, capsys):
    old = tmp_path / "old.pem"
    public = trustees.new_key_file(old)  # what `trustee-key new` wrote before passphrases
    assert old.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    receipt = _register_and_receipt(tmp_path, capsys, public)
    signed = tmp_path / "countersignature.json"
    # a passphrase in the environment is not asked for, nor in the way
    os.environ[passphrase.ENV] = SECRET
    try:
        code, out = _run(
            capsys, "countersign", str(receipt), "--key", str(old), "--out", str(signed)
        )
    finally:
        del os.environ[passphrase.ENV]
    assert code == 0, out
    _attach_and_verify(tmp_path, capsys, signed)


def test_no_passphrase_is_a_choice_said_aloud(tmp_path, capsys):
    path = tmp_path / "clear.pem"
    code, out = _run(capsys, "trustee-key", "new", "--out", str(path), "--no-passphrase")
    assert code == 0, out
    assert "NOT protected by a passphrase" in out
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    code, out = _run(capsys, "trustee-key", "new", "--out", str(tmp_path / "clear.json"), "--json")
    assert code == 1  # no terminal and no passphrase: it does not silently write a clear key
    assert not (tmp_path / "clear.json").exists()
    code, out = _run(
        capsys,
        "trustee-key",
        "new",
        "--out",
        str(tmp_path / "both.pem"),
        "--no-passphrase",
        "--passphrase-file",
        str(_secret_file(tmp_path)),
    )
    assert code == 2 and not (tmp_path / "both.pem").exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "The passphrase is empty: choose one of at least 12 characters."),
        ("   ", "The passphrase is empty: choose one of at least 12 characters."),
        (
            "short words",
            "The passphrase is shorter than 12 characters: choose a longer one (a few words "
            "are easier to remember than a short one).",
        ),
    ],
)
def test_an_empty_or_short_passphrase_is_refused_and_no_file_is_written(
    tmp_path, capsys, text, says
):
    path = tmp_path / "aigerim.key"
    code, out = _run(
        capsys,
        "trustee-key",
        "new",
        "--out",
        str(path),
        "--passphrase-file",
        str(_secret_file(tmp_path, text)),
    )
    assert (code, out.strip()) == (1, says)
    assert not path.exists()


# On a terminal: getpass, twice for a new key -------------------------------------------------


def _on_terminal(args: list[str], answers: list[str], cwd: Path) -> tuple[int, str]:
    """Run `kenes ARGS` on a pseudo-terminal (its controlling terminal, as a trustee's shell
    gives it), answering each passphrase prompt in turn; (exit code, everything shown)."""
    # this checkout's kenes, whatever the working folder (not an installed copy elsewhere)
    env = isolated_env({"PYTHONPATH": str(Path(kenes.__file__).resolve().parents[1])})
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes `kenes`
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "kenes", *args], env)
    shown = b""
    pending = list(answers)
    since = 0  # a prompt counts once: answered, it waits for the next one
    while True:
        ready, _, _ = select.select([fd], [], [], 120)
        if not ready:
            os.kill(pid, 9)
            raise AssertionError(f"no answer from kenes: {shown!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        if pending and shown[since:].rstrip().endswith(b":"):
            os.write(fd, pending.pop(0).encode() + b"\n")
            since = len(shown)
    _, status = os.waitpid(pid, 0)
    assert not pending, shown
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_a_trustee_types_the_passphrase_twice_on_the_terminal(tmp_path, capsys):
    key = tmp_path / "typed.key"
    code, shown = _on_terminal(
        ["audit", "trustee-key", "new", "--out", str(key), "--json"], [SECRET, SECRET], tmp_path
    )
    assert code == 0, shown
    assert SECRET not in shown  # getpass does not echo
    public = json.loads(shown[shown.index("{") :].strip())["public_key"]
    assert (
        trustees.public_key_text(trustees.read_key_file(key, lambda: SECRET).public_key()) == public
    )

    mistyped = tmp_path / "mistyped.key"
    code, shown = _on_terminal(
        ["audit", "trustee-key", "new", "--out", str(mistyped)], [SECRET, SECRET + "!"], tmp_path
    )
    assert code == 1 and not mistyped.exists(), shown

    receipt = _register_and_receipt(tmp_path, capsys, public)
    signed = tmp_path / "countersignature.json"
    args = ["audit", "countersign", str(receipt), "--key", str(key), "--out", str(signed)]
    code, shown = _on_terminal(args, [SECRET[::-1]], tmp_path)
    assert code == 1 and not signed.exists(), shown
    code, shown = _on_terminal(args, [SECRET], tmp_path)  # asked once: not a new key
    assert code == 0, shown
    _attach_and_verify(tmp_path, capsys, signed)
