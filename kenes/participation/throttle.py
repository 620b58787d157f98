"""Throttling personal-code guessing, per client address, in the database.

A code is 75 random bits, so guessing one blindly is hopeless; the throttle is there to
make a guessing run visible and slow, and to keep a flood of wrong codes from costing
database work. Failures are counted in the database, not in memory, because several
gunicorn processes (and machines) serve the same voters (docs/ARCHITECTURE: no
in-memory state shared between requests).

Only failures are stored, and only a keyed hash of the address (`blind_index`): a
successful code leaves no trace here, so this table cannot tell who voted or when.

Once an address is throttled, even a valid code waits: the check comes *before* the
code is looked up. Otherwise every further guess would still be answered "valid" or
"throttled", and the throttle would stop nothing.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.db import connection
from django.utils import timezone

from kenes.participation.models import CodeAttempt
from kenes.security.addresses import client_address as client_address  # the views' key
from kenes.security.sealing import blind_index

FAILURE_LIMIT = 10
"""Wrong codes allowed from one address within `WINDOW`.

Ten covers a voter retyping a smudged code several times, and a family or a polling
place sharing one phone or one address. Mobile carriers put many phones behind one
address (carrier-grade NAT), so the limit must not be tight: a blind guesser gets
10 tries per 15 minutes, about a thousand a day, against 2**75 possible codes.
"""

WINDOW = datetime.timedelta(minutes=15)
"""How long a failure counts; a throttled address waits until its oldest one expires."""


def _address_index(address: str) -> str:
    return blind_index(f"code-attempt:{address}")


class Throttled(Exception):
    """This address must wait `minutes` before any code it sends is looked up."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


def failures_sql(address: str, now: datetime.datetime) -> tuple[str, list[Any]]:
    """A scalar subquery counting `address`'s recent failures (at most FAILURE_LIMIT), and
    its parameters: one index probe.

    Every voter's request asks it first, so statements that a voter's page sends anyway
    carry it as one more column (kenes.ballots.voting): one round trip fewer per page.
    """
    table = connection.ops.quote_name(CodeAttempt._meta.db_table)
    since = connection.ops.adapt_datetimefield_value(now - WINDOW)
    sql = (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE address_index = %s "
        "AND failed_at > %s LIMIT %s) AS recent)"
    )
    return sql, [_address_index(address), since, FAILURE_LIMIT]


def minutes_to_wait(address: str, failures: int, *, now: datetime.datetime) -> int:
    """Minutes to wait, given the count `failures_sql` gave at `now`; 0 if none."""
    if failures < FAILURE_LIMIT:
        return 0
    recent = list(
        CodeAttempt.objects.filter(
            address_index=_address_index(address), failed_at__gt=now - WINDOW
        )
        .order_by("-failed_at")
        .values_list("failed_at", flat=True)[:FAILURE_LIMIT]
    )
    if len(recent) < FAILURE_LIMIT:  # some expired between the two queries
        return 0
    # The address may try again once the oldest of its last FAILURE_LIMIT failures expires.
    free_at = recent[-1] + WINDOW
    return max(1, math.ceil((free_at - now).total_seconds() / 60))


def wait_minutes(address: str, *, now: datetime.datetime | None = None) -> int:
    """Minutes this address must wait before a code is looked up again; 0 if none."""
    now = now or timezone.now()
    sql, params = failures_sql(address, now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        row = cursor.fetchone()
    return minutes_to_wait(address, int(row[0]) if row else 0, now=now)


def record_failure(address: str, *, now: datetime.datetime | None = None) -> None:
    """Count one wrong code from `address`, and drop failures too old to count."""
    now = now or timezone.now()
    CodeAttempt.objects.filter(failed_at__lte=now - WINDOW).delete()
    CodeAttempt.objects.create(address_index=_address_index(address), failed_at=now)
