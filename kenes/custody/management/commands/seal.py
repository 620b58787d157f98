"""`kenes seal`: the key holder drops the field keys at once; every worker follows at its
next request. Exit 0 also when the server was sealed already. Seal, never wipe: the
wrapped keys stay, and k trustees unseal the server again."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from kenes.custody import client, signals, store


class Command(BaseCommand):
    help = "Seal the server now: the key holder forgets the field keys."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if not store.is_set_up():
            self.stderr.write(
                "Custody is not set up: the field keys come from KENES_FIELD_KEYS and "
                "cannot be sealed (`kenes custody init`)."
            )
            sys.exit(1)
        client.seal()  # first: nothing, not even the audit log, may delay a seal
        self.stdout.write("Sealed.")
        note = signals.tell("seal", detail={"origin": "command"})
        if note:
            self.stderr.write(note)
