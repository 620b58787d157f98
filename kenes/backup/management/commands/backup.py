"""`kenes backup`: one encrypted archive of the database and what var/ must keep.

    kenes backup [--out DIR] [--json]
    kenes backup recipients add NAME age1... [--json]
    kenes backup recipients remove NAME [--json]
    kenes backup recipients list [--json]
    kenes backup prune [--json]

A problem (no recipient, a bad key, pg_dump missing) exits 1 with one sentence and writes
no archive. docs/backup.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kenes.backup import recipients, services
from kenes.backup.errors import BackupProblem


class Command(BaseCommand):
    help = (
        "Write one archive of the database and var/ (custody keys, backup recipients), "
        "encrypted with age to the trustees' public keys; manage those recipients; delete "
        "archives older than KENES_BACKUP_KEEP_DAYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", type=Path, help="folder for the archive (default: KENES_BACKUP_DIR)"
        )
        parser.add_argument("--json", action="store_true")
        sub = parser.add_subparsers(dest="action")
        people = sub.add_parser("recipients", help="the age public keys backups are encrypted to")
        verbs = people.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="add a trustee's age public key")
        add.add_argument("name")
        add.add_argument("public_key", help="age1...")
        add.add_argument("--json", action="store_true")
        remove = verbs.add_parser("remove", help="stop encrypting backups to this key")
        remove.add_argument("name")
        remove.add_argument("--json", action="store_true")
        listing = verbs.add_parser("list", help="who backups are encrypted to")
        listing.add_argument("--json", action="store_true")
        prune = sub.add_parser("prune", help="delete archives older than KENES_BACKUP_KEEP_DAYS")
        prune.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options.get("action") == "recipients":
                self._recipients(options)
            elif options.get("action") == "prune":
                deleted = services.do_prune(acting_user="cli")
                self._say(options, {"deleted": deleted}, f"{len(deleted)} archive(s) deleted.")
            else:
                done = services.do_backup(options["out"], acting_user="cli")
                self._say(options, done.as_json(), f"{done.archive} ({done.bytes} bytes)")
        except BackupProblem as exc:
            self.stderr.write(str(exc))
            sys.exit(1)

    def _recipients(self, options: dict[str, Any]) -> None:
        verb = options["verb"]
        if verb == "add":
            added = recipients.do_add_recipient(
                options["name"], options["public_key"], acting_user="cli"
            )
            self._say(options, added.as_json(), f"Added {added.name}: {added.public_key}")
        elif verb == "remove":
            gone = recipients.do_remove_recipient(options["name"], acting_user="cli")
            self._say(options, gone.as_json(), f"Removed {gone.name}: {gone.public_key}")
        else:
            listed: dict[str, list[Any]] = {
                "file": [r.as_json() for r in recipients.from_file()],
                "environment": [r.public_key for r in recipients.from_environment()],
            }
            lines = [f"{r['name']}\t{r['public_key']}" for r in listed["file"]]
            lines += [f"KENES_BACKUP_RECIPIENTS\t{key}" for key in listed["environment"]]
            self._say(options, listed, "\n".join(lines) or "No recipients.")

    def _say(self, options: dict[str, Any], payload: Any, text: str) -> None:
        self.stdout.write(json.dumps(payload) if options["json"] else text)
