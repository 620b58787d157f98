"""`kenes custody init --trustees N --threshold K [--json]` and `kenes custody status [--json]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kenes.custody import client, store
from kenes.custody.errors import CustodyProblem


class Command(BaseCommand):
    help = (
        "Keys held by trustees. `init` wraps the field keys under a new master key, splits it "
        "into N shares of which K unseal the server, and prints the shares once; `status` "
        "says whether the server is sealed."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="put the field keys into the trustees' custody")
        init.add_argument("--trustees", type=int, required=True, help="how many shares (n)")
        init.add_argument("--threshold", type=int, required=True, help="how many unseal (k)")
        init.add_argument("--json", action="store_true")
        status = sub.add_parser("status", help="sealed or not, k and n")
        status.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "init":
                self._init(options)
            else:
                self._status(options)
        except CustodyProblem as exc:
            self.stderr.write(str(exc))
            sys.exit(1)

    def _init(self, options: dict[str, Any]) -> None:
        trustees, threshold = options["trustees"], options["threshold"]
        shares = store.create(
            list(settings.KENES_FIELD_KEYS), trustees=trustees, threshold=threshold
        )
        if options["json"]:
            payload = {"shares": shares, "threshold": threshold, "trustees": trustees}
            self.stdout.write(json.dumps(payload))
        else:
            self.stdout.write(
                f"Give one share to each trustee; any {threshold} of the {trustees} unseal "
                "the server. They are shown this once and stored nowhere.\n"
            )
            for number, text in enumerate(shares, 1):
                self.stdout.write(f"Trustee {number}: {text}")
        self._retire_plain_keys()

    def _retire_plain_keys(self) -> None:
        """The development key file now lives in custody: leaving it would defeat it."""
        dev_file = Path(settings.VAR_DIR) / "field_keys"
        if dev_file.exists() and dev_file.read_text().strip() == ",".join(
            settings.KENES_FIELD_KEYS
        ):
            dev_file.unlink()
            self.stderr.write(f"Removed {dev_file}: the trustees' shares now open these keys.")
        else:
            self.stderr.write(
                "The server is sealed from now on. Remove KENES_FIELD_KEYS from its "
                "environment: the key holder serves the keys once k trustees unseal it."
            )

    def _status(self, options: dict[str, Any]) -> None:
        if not store.is_set_up():
            payload: dict[str, Any] = {
                "set_up": False,
                "sealed": False,
                "threshold": None,
                "trustees": None,
            }
        else:
            record = store.read_record()
            try:
                sealed = bool(client.call({"op": "status"}).get("sealed", True))
            except client.HolderUnavailable:
                sealed = True  # no holder, no keys
            payload = {
                "set_up": True,
                "sealed": sealed,
                "threshold": record.threshold,
                "trustees": record.trustees,
            }
        if options["json"]:
            self.stdout.write(json.dumps(payload))
        elif not payload["set_up"]:
            self.stdout.write("Custody is not set up: the field keys come from KENES_FIELD_KEYS.")
        else:
            state = "sealed" if payload["sealed"] else "unsealed"
            self.stdout.write(
                f"The server is {state}; {payload['threshold']} of "
                f"{payload['trustees']} trustees unseal it."
            )
