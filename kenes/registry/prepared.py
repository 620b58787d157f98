"""Long outputs made in the background and handed out once (issue 10, finding 20).

A page an officer opens answers at once; what takes long (the registration dossier of
every member, the codes file and printable slips of a whole-party vote) is a
`PreparedFile`: asked for in a POST, made by the background worker (django-tasks), kept
sealed at rest (kenes.security.sealing, through SealedTextField), downloaded once by the
officer who asked for it and then deleted. A file nobody fetches is deleted after
`KEEP_FOR`. The page that shows the files is reloadable (POST/redirect/GET).

Each app makes its own files (kenes.registry.dossier, kenes.participation.handouts); this
module keeps only what they share: the row's life from pending to downloaded.
"""

from __future__ import annotations

import base64
import datetime
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kenes.registry.models import PreparedFile, PreparedFileStatus

logger = logging.getLogger(__name__)

KEEP_FOR = datetime.timedelta(hours=24)
"""A file not downloaded within this time is deleted: its codes or personal data are not
kept at rest for longer than it takes to hand them out."""


class NotAvailable(Exception):
    """The file was downloaded already, expired, failed or is not made yet."""


def new_bundle() -> uuid.UUID:
    return uuid.uuid4()


def do_prepare(
    kind: str,
    *,
    acting_user: Any,
    title: str,
    back_url: str = "",
    filename: str,
    content_type: str,
    bundle: uuid.UUID | None = None,
    source: str | None = None,
    enqueue: Callable[[str], Any] | None = None,
) -> PreparedFile:
    """A pending file for `acting_user`; `enqueue(file id)` queues the background task that
    makes it. `source` (sealed) is what it is made from."""
    item = PreparedFile.objects.create(
        kind=kind,
        owner=acting_user,
        title=title[:300],
        back_url=back_url[:200],
        filename=filename[:200],
        content_type=content_type,
        bundle=bundle or new_bundle(),
        source=source,
    )
    if enqueue is not None:
        # In the caller's transaction: the database backend's task row commits with the
        # file's row (a worker sees both or neither); the immediate backend runs it here.
        enqueue(str(item.pk))
    return item


def claim(file_id: str) -> PreparedFile | None:
    """The pending file, for the worker that makes it; None if there is nothing to make."""
    return PreparedFile.objects.filter(pk=file_id, status=PreparedFileStatus.PENDING).first()


def finish(file_id: str, content: bytes) -> bool:
    """Store the made file (sealed) and drop its source; False if it was withdrawn."""
    done = PreparedFile.objects.filter(pk=file_id, status=PreparedFileStatus.PENDING).update(
        status=PreparedFileStatus.READY,
        content=base64.b64encode(content).decode("ascii"),  # sealed by the field
        source=None,
        ready_at=timezone.now(),
    )
    return bool(done)


def fail(file_id: str, error: str) -> None:
    """The file could not be made: say why, keep nothing of its source."""
    PreparedFile.objects.filter(pk=file_id, status=PreparedFileStatus.PENDING).update(
        status=PreparedFileStatus.FAILED, error=error, source=None, content=None
    )


def make(file_id: str, build: Callable[[PreparedFile], bytes], error: str) -> None:
    """Run `build` for the pending file and store what it made; on any error, fail the file
    with the sentence `error` (the worker goes on with its next task)."""
    item = claim(file_id)
    if item is None:
        return
    try:
        content = build(item)
    except Exception:
        logger.exception("Prepared file %s (%s) could not be made.", file_id, item.kind)
        fail(file_id, error)
        return
    finish(file_id, content)


def bundle_for(user: Any, bundle: uuid.UUID) -> list[PreparedFile]:
    """The files of `bundle` that `user` asked for (no one else's), content deferred."""
    expire_old()
    return list(PreparedFile.objects.filter(bundle=bundle, owner=user).defer("content", "source"))


def take(user: Any, file_id: uuid.UUID) -> tuple[PreparedFile, bytes]:
    """The file's content, once: it is deleted in the same transaction that reads it.

    Raises NotAvailable if it is not `user`'s, not ready, downloaded already or expired.
    """
    expire_old()
    with transaction.atomic():
        item = (
            PreparedFile.objects.select_for_update()
            .filter(pk=file_id, owner=user, status=PreparedFileStatus.READY)
            .first()
        )
        if item is None or not item.content:
            raise NotAvailable
        content = base64.b64decode(item.content)
        PreparedFile.objects.filter(pk=item.pk).update(
            status=PreparedFileStatus.DOWNLOADED, content=None, downloaded_at=timezone.now()
        )
    return item, content


def expire_old(now: datetime.datetime | None = None) -> int:
    """Delete the content and source of files older than KEEP_FOR that nobody fetched."""
    now = now or timezone.now()
    waiting = Q(status__in=[PreparedFileStatus.PENDING, PreparedFileStatus.READY])
    old: QuerySet[PreparedFile] = PreparedFile.objects.filter(
        waiting, created_at__lt=now - KEEP_FOR
    )
    return old.update(status=PreparedFileStatus.EXPIRED, content=None, source=None)
