"""Passphrases on the files trustees keep: their countersigning key and their age identity.

A file is protected with age's own passphrase encryption (pyrage.passphrase, the format
`age -p` and `rage -p` write): the key is derived from the passphrase with scrypt, which is
memory-hard and calibrated by age to about a second of work on the machine that writes the
file (work factor 2^19 on ours), and the content is sealed with ChaCha20-Poly1305, so a
wrong passphrase or an edited file is an error, never a wrong key. The same primitive
protects both of a trustee's files, and a trustee can open either with the standalone
`age -d` tool. (cryptography's `BestAvailableEncryption` on a PKCS#8 PEM was the other
candidate: version 50 writes PBES2 with PBKDF2-HMAC-SHA256 at 2,048 iterations, which a
guesser runs through millions of passphrases a second on one graphics card.)
docs/security.md, "Trustees countersign"; docs/backup.md.

Where the passphrase comes from, in this order: `--passphrase-file FILE` (its first line),
the environment variable `KENES_KEY_PASSPHRASE` (both for scripts and tests), else it is
asked on the terminal with getpass (twice for a new file). Without a terminal and without
either, the command refuses in a sentence rather than wait for input. The passphrase is never
written anywhere by Kenes.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from django.utils.translation import gettext as _

ENV = "KENES_KEY_PASSPHRASE"
MIN_LENGTH = 12
_BINARY = b"age-encryption.org/v1\n"
_ARMORED = b"-----BEGIN AGE ENCRYPTED FILE-----"


class PassphraseProblem(ValueError):
    """A passphrase that is missing, too short, mistyped or wrong (a sentence)."""


def is_encrypted(data: bytes) -> bool:
    """Whether `data` is an age file (binary or armored), as `age -p` writes it."""
    return data.startswith(_BINARY) or data.lstrip().startswith(_ARMORED)


def _from_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            line = fh.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise PassphraseProblem(
            _("The passphrase file %(path)s cannot be read (%(error)s).")
            % {"path": path, "error": getattr(exc, "strerror", None) or exc}
        ) from exc
    return line.rstrip("\r\n")


def _asked(*, new: bool) -> str:
    if not sys.stdin.isatty():
        raise PassphraseProblem(
            _(
                "A passphrase is needed and there is no terminal to ask it on: give "
                "--passphrase-file FILE or set %(env)s."
            )
            % {"env": ENV}
        )
    first = getpass.getpass(_("Passphrase: "))
    if new:
        check_new(first)
        if getpass.getpass(_("The same passphrase again: ")) != first:
            raise PassphraseProblem(_("The two passphrases differ. Nothing was written."))
    return first


def read(file: str | None = None, *, new: bool = False) -> str:
    """The passphrase from `file`, the environment or the terminal (see the module)."""
    if file:
        passphrase = _from_file(file)
    elif os.environ.get(ENV):
        passphrase = os.environ[ENV]
    else:
        return _asked(new=new)
    if new:
        check_new(passphrase)
    return passphrase


def source(file: str | None = None) -> Callable[[], str]:
    """A passphrase read only when a file turns out to be encrypted."""
    return lambda: read(file)


def check_new(passphrase: str) -> None:
    """Refuse an empty or short passphrase for a new file."""
    if not passphrase.strip():
        raise PassphraseProblem(
            _("The passphrase is empty: choose one of at least %(n)s characters.")
            % {"n": MIN_LENGTH}
        )
    if len(passphrase) < MIN_LENGTH:
        raise PassphraseProblem(
            _(
                "The passphrase is shorter than %(n)s characters: choose a longer one (a few "
                "words are easier to remember than a short one)."
            )
            % {"n": MIN_LENGTH}
        )


def encrypt(data: bytes, passphrase: str) -> bytes:
    import pyrage

    return bytes(pyrage.passphrase.encrypt(data, passphrase))


def decrypt(data: bytes, passphrase: str) -> bytes:
    """The content of an age passphrase file; `PassphraseProblem` if the passphrase is wrong
    (or the file was encrypted to a key, not a passphrase, or was edited)."""
    import pyrage

    try:
        return bytes(pyrage.passphrase.decrypt(data, passphrase))
    except pyrage.DecryptError as exc:
        raise PassphraseProblem(str(exc)) from exc
