"""`kenes restore ARCHIVE --identity FILE [--passphrase-file FILE] [--json]`: a backup back
onto a fresh server. An identity file encrypted with a passphrase (`age-keygen | age -p`) is
opened with the passphrase from --passphrase-file, KENES_KEY_PASSPHRASE or the terminal.

Only into an empty database (and a var/ without custody keys); a wrong key, a damaged or
cut-short archive, or a database in use exits 1 with one sentence and changes nothing.
docs/backup.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kenes.backup import services
from kenes.backup.errors import BackupProblem
from kenes.security import passphrase


class Command(BaseCommand):
    help = (
        "Restore a `kenes backup` archive into this server's empty database and var/, "
        "decrypting it with a trustee's age identity file."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--identity",
            type=Path,
            required=True,
            help="age identity file (AGE-SECRET-KEY-1...), clear or encrypted with `age -p`",
        )
        parser.add_argument(
            "--passphrase-file",
            metavar="FILE",
            help="the identity file's passphrase, on FILE's first line (else "
            "KENES_KEY_PASSPHRASE, else it is asked on the terminal)",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = services.do_restore(
                options["archive"],
                options["identity"],
                acting_user="cli",
                passphrase=passphrase.source(options["passphrase_file"]),
            )
        except BackupProblem as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        if options["json"]:
            self.stdout.write(json.dumps(done.as_json()))
        else:
            self.stdout.write(
                f"Restored {done.archive} (made {done.created}): {', '.join(done.contents)}. "
                f"Audit chain: {done.audit.get('entries')} entries, "
                f"{'intact' if done.audit.get('intact') else 'NOT intact'}."
            )
            self.stdout.write("Next: `kenes migrate`, then `kenes audit verify`.")
            if "custody/keys.json" in done.contents:
                self.stdout.write(
                    "The keys are in custody: the server is sealed until k trustees unseal it."
                )
