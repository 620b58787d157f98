"""`kenes worker`: the background worker (django-tasks' database worker) that keeps going.

django-tasks-db's `db_worker` loop ends when the database errs outside a task: SQLite
locked at the moment it claims a task (its `BEGIN EXCLUSIVE` is outside its error handling),
PostgreSQL restarting. Imports then stopped until someone restarted it (issue 10, finding 3).
This worker runs the same loop and, on a database error, closes its connections, waits (1 s,
doubling up to 60 s) and goes on. A task that was running when the error came is failed by
its own code (imports fail their batch with a sentence; a batch whose worker died is failed
after its lease, kenes.registry.batches).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("kenes.worker")

LONGEST_PAUSE = 60.0
HOUSEKEEPING_EVERY = 300.0


def housekeeping() -> None:
    """What no request may be around to do: prepared files nobody fetched expire (their
    sealed codes or dossier deleted), imports whose worker died are failed, and the audit
    chain's head is signed every KENES_AUDIT_RECEIPT_HOURS (not while sealed: tried again
    at the next round)."""
    from kenes.audit import receipts
    from kenes.backup import services as backups
    from kenes.registry import batches, prepared
    from kenes.retention import services as retention

    prepared.expire_old()
    from kenes.registry import approvals

    approvals.expire_due()  # bulk reads nobody approved or fetched in time
    approvals.release_due()  # approved bulk reads whose delay is over are made
    batches.fail_stale_batches()
    receipts.sign_if_due()
    retention.apply_if_due()  # the retention schedule, once a day per kind (no key needed)
    backups.run_due()  # a backup every KENES_BACKUP_EVERY_HOURS, archives kept KEEP_DAYS


def _housekeeping_loop(stop: threading.Event) -> None:
    while not stop.wait(HOUSEKEEPING_EVERY):
        try:
            housekeeping()
        except DatabaseError as exc:
            logger.warning("Housekeeping skipped (%s); next in %.0f s", exc, HOUSEKEEPING_EVERY)
        except Exception:  # one failing step must not end housekeeping for good
            logger.exception("Housekeeping failed; next in %.0f s", HOUSEKEEPING_EVERY)
        finally:
            connections.close_all()


class SteadyWorker(db_worker.Worker):
    def run(self) -> None:
        pause = 1.0
        while self.running:
            try:
                super().run()
                return  # finished as asked (--batch, --max-tasks) or stopped by a signal
            except DatabaseError as exc:
                logger.warning(
                    "Database error in the worker loop (%s); going on in %.0f s", exc, pause
                )
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                self.startup_delay = False


class Command(db_worker.Command):
    help = (
        "Run background work (imports, analyses, projections) and keep going through database "
        "errors. Same options as db_worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("reload"):
            raise CommandError("kenes worker does not reload; use db_worker --reload to develop.")
        self.configure_logging(options["verbosity"])
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        queues = options["queue_name"].split(",")
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SteadyWorker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        stop = threading.Event()
        threading.Thread(target=_housekeeping_loop, args=(stop,), daemon=True).start()
        try:
            try:
                housekeeping()
            except DatabaseError as exc:
                logger.warning("Housekeeping skipped at start (%s)", exc)
            worker.run()
        finally:
            stop.set()
