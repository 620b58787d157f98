"""Background work (django-tasks): taking the scheduled steps of votes on time.

Setting a time enqueues `run_schedule` deferred to that moment (`look_again_at`); the task
takes every step that is due then (kenes.ballots.schedule.run_due: each once, however many
workers run), so a step whose own task was lost is taken by the next task that runs. A
database error (a locked SQLite file) does not lose the step: the task asks to run again a
little later. `kenes schedule run` does the same work from cron, on a host without a worker
or as a safety net beside one.
"""

from __future__ import annotations

import datetime
import logging

from django.db import DatabaseError
from django.utils import timezone
from django_tasks import task
from django_tasks.exceptions import InvalidTaskError

from kenes.ballots import schedule

logger = logging.getLogger(__name__)

#: How long a run that met a database error waits before it tries again.
RETRY_AFTER = datetime.timedelta(seconds=30)


@task()
def run_schedule() -> int:
    """Take the steps that are due; the number taken or tried."""
    try:
        steps = schedule.run_due()
    except DatabaseError:
        logger.exception("Scheduled steps met a database error; trying again shortly")
        look_again_at(timezone.now() + RETRY_AFTER)
        return 0
    if any(step.waiting for step in steps):  # a close waits for the trustees to unseal
        look_again_at(timezone.now() + RETRY_AFTER)
    return len(steps)


def look_again_at(moment: datetime.datetime) -> None:
    """Ask the worker to run `run_schedule` at `moment`.

    With KENES_TASKS=immediate there is no worker to defer to: the steps are then taken by
    `kenes schedule run` (cron) and this does nothing.
    """
    try:
        run_schedule.using(run_after=moment).enqueue()
    except InvalidTaskError:
        logger.info("The task backend cannot defer work: run `kenes schedule run` from cron.")
