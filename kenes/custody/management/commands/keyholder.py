"""`kenes keyholder`: run the key holder (kenes.custody.holder) in the foreground."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from kenes.custody import client, store
from kenes.custody.errors import CustodyProblem


class Command(BaseCommand):
    help = (
        "Hold the unwrapped field keys in memory for the web and task workers, on a unix "
        "socket (KENES_KEYHOLDER_SOCKET). Starts sealed; `kenes unseal` unseals it."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        from kenes.custody import holder

        path = client.socket_path()

        def ready(notes: list[str]) -> None:
            self.stdout.write(f"Key holder on {path}: sealed ({', '.join(notes)}).")
            self.stdout.flush()

        try:
            holder.serve(path, store.custody_file(), ready=ready)
        except CustodyProblem as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
