"""Background work (django-tasks): checking and importing uploaded member lists."""

import logging

from django.db import DatabaseError
from django_tasks import task

from kenes.registry import batches, readiness

logger = logging.getLogger("kenes.worker")


@task()
def check_upload(batch_id: str) -> None:
    batches.run_check(batch_id)


@task()
def import_upload(batch_id: str, user_id: int) -> None:
    batches.run_import(batch_id, user_id)
    try:  # the new members' readiness facts now, not on the next officer's first look
        readiness.refresh_facts()
    except DatabaseError as exc:  # the page reads them itself then; the import stands
        logger.warning("Readiness facts not refreshed after an import: %s", exc)
