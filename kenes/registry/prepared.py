"""Long outputs made in the background and handed out once (issue 10, finding 20).

A page an officer opens answers at once; what takes long (the registration dossier of
every member, the codes file and printable slips of a whole-party vote) is a
`PreparedFile`: asked for in a POST, made by the background worker (django-tasks), kept
sealed at rest (kenes.security.sealing, through SealedTextField), downloaded once by the
officer who asked for it and then deleted. A file nobody fetches is deleted after
`KEEP_FOR`. The page that shows the files is reloadable (POST/redirect/GET).

Each app makes its own files (kenes.registry.dossier, kenes.participation.handouts); this
module keeps only what they share: the row's life from pending to downloaded.

A bulk read of personal data (issue 12) is held: the file is created "awaiting" with the
path of the task that makes it (`maker`) and queued only once other officers approve it
(kenes.registry.approvals, `release`). Its download is audited with the request.
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
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

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
    hold: bool = False,
) -> PreparedFile:
    """A pending file for `acting_user`; `enqueue(file id)` queues the background task that
    makes it. `source` (sealed) is what it is made from.

    `hold`: the file waits for approval (kenes.registry.approvals): nothing is queued now,
    `release` queues the same task later (`enqueue` must be a django-tasks task's enqueue).
    """
    task = getattr(enqueue, "__self__", None)
    maker = getattr(task, "module_path", "") if hold else ""
    if hold and not maker:
        raise ValueError("A held file needs a task (its enqueue) to be made by later.")
    item = PreparedFile.objects.create(
        kind=kind,
        owner=acting_user,
        title=title[:300],
        back_url=back_url[:200],
        filename=filename[:200],
        content_type=content_type,
        bundle=bundle or new_bundle(),
        source=source,
        status=PreparedFileStatus.AWAITING if hold else PreparedFileStatus.PENDING,
        maker=maker,
        queued_at=None if hold else timezone.now(),
    )
    if enqueue is not None and not hold:
        # In the caller's transaction: the database backend's task row commits with the
        # file's row (a worker sees both or neither); the immediate backend runs it here.
        enqueue(str(item.pk))
    return item


def release(bundle: uuid.UUID) -> int:
    """Queue the held files of `bundle` (approved): each once, whoever calls it at the same
    time (the status moves from awaiting to pending in one conditional update)."""
    released = 0
    for item in PreparedFile.objects.filter(bundle=bundle, status=PreparedFileStatus.AWAITING):
        moved = PreparedFile.objects.filter(pk=item.pk, status=PreparedFileStatus.AWAITING).update(
            status=PreparedFileStatus.PENDING, queued_at=timezone.now()
        )
        if moved:
            import_string(item.maker).enqueue(str(item.pk))
            released += 1
    return released


def withdraw(bundle: uuid.UUID) -> int:
    """The held files of `bundle` will not be made (refused, expired): their source goes."""
    return PreparedFile.objects.filter(bundle=bundle, status=PreparedFileStatus.AWAITING).update(
        status=PreparedFileStatus.EXPIRED, source=None, content=None
    )


def claim(file_id: str) -> PreparedFile | None:
    """The pending file, for the worker that makes it; None if there is nothing to make."""
    return PreparedFile.objects.filter(pk=file_id, status=PreparedFileStatus.PENDING).first()


def finish(file_id: str, content: bytes) -> bool:
    """Store the made file (sealed) and drop its source; False if it was withdrawn."""
    from kenes.registry import approvals

    with transaction.atomic():
        done = PreparedFile.objects.filter(pk=file_id, status=PreparedFileStatus.PENDING).update(
            status=PreparedFileStatus.READY,
            content=base64.b64encode(content).decode("ascii"),  # sealed by the field
            source=None,
            ready_at=timezone.now(),
        )
        if done:
            approvals.note_made(file_id)
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
    The download of an approved bulk read is audited in that transaction.
    """
    from kenes.registry import approvals  # approvals queues files through this module

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
        approvals.note_download(item, acting_user=user)
    return item, content


def expire_old(now: datetime.datetime | None = None) -> int:
    """Delete the content and source of files queued more than KEEP_FOR ago that nobody
    fetched (a held file's clock starts when it is approved and queued)."""
    now = now or timezone.now()
    waiting = Q(status__in=[PreparedFileStatus.PENDING, PreparedFileStatus.READY])
    old: QuerySet[PreparedFile] = PreparedFile.objects.annotate(
        clock=Coalesce("queued_at", "created_at")
    ).filter(waiting, clock__lt=now - KEEP_FOR)
    return PreparedFile.objects.filter(pk__in=list(old.values_list("pk", flat=True))).update(
        status=PreparedFileStatus.EXPIRED, content=None, source=None
    )
