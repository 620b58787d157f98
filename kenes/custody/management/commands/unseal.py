"""`kenes unseal`: k trustees' shares, one per line on stdin, to the key holder.

Exit 0 when the server is unsealed, 1 with one sentence on stderr when the shares are too
few or do not open this server's keys (nothing changes then). The shares go to the key
holder as typed: only it ever rebuilds the master key.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from kenes.custody import client, signals, store
from kenes.custody.errors import CustodyProblem


class Command(BaseCommand):
    help = "Unseal the server: read the trustees' shares from stdin, one per line."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if sys.stdin.isatty():
            self.stderr.write("Type or paste one share per line; end with Ctrl-D.")
        lines = [line.strip() for line in sys.stdin.read().splitlines() if line.strip()]
        try:
            if not store.is_set_up():
                raise CustodyProblem(
                    "Custody is not set up: there is nothing to unseal (`kenes custody init`)."
                )
            answer = client.call({"op": "unseal", "shares": lines})
        except CustodyProblem as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        if not answer.get("ok"):
            self.stderr.write(str(answer.get("error") or "The key holder refused the shares."))
            sys.exit(1)
        self.stdout.write("Unsealed.")
        note = signals.tell("unseal", detail={"origin": "command", "entered": len(lines)})
        if note:
            self.stderr.write(note)
