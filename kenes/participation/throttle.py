"""Throttling personal-code guessing, per client address, in the database.

A code is 75 random bits, so guessing one blindly is hopeless: at the whole server's
capacity (about 300 requests a second, bench/README.md), hitting any one of 100,000 live
codes takes 2**75 / (100,000 * 300) seconds, some 40 million years on average. The
entropy is the defence; the throttle keeps a flood of wrong codes cheap and tells a human
who keeps mistyping to stop and check. Failures are counted in the database, not in
memory, because several gunicorn processes (and machines) serve the same voters
(docs/ARCHITECTURE: no in-memory state shared between requests).

Only failures are stored, and only a keyed hash of the address: a successful code leaves
no trace here, so this table cannot tell who voted or when. Under custody the hash is keyed
by the key holder's throttle key, made at random when the holder starts (and at every
seal), held in memory only and never written (kenes.security.keys.throttle_secret): a
seized copy of the database, var/ and the environment cannot test whether an address
mistyped a code. A holder restart or a seal changes the key, which forgives the wrong codes
counted so far. Without custody (development, the demo) the service key keys it.

A right code always works, whatever its address did: a congress hall or a village shares
one address (Wi-Fi, carrier-grade NAT), and one person mistyping, or one guesser, must not
lock everyone behind it out of a vote. So the throttle answers only *wrong* codes: past
`FAILURE_LIMIT` of them in `WINDOW`, a wrong code from that address gets the "too many
wrong codes" page (HTTP 429 with Retry-After) instead of "wrong code", and nothing more is
written: each further guess costs the index read that any code costs, and no write.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import math
from typing import Any

from django.db import connection
from django.utils import timezone

from kenes.participation.models import CodeAttempt
from kenes.security.addresses import client_address as client_address  # the views' key
from kenes.security.keys import throttle_secret

FAILURE_LIMIT = 10
"""Wrong codes allowed from one address within `WINDOW`.

Ten covers a voter retyping a smudged code several times, and a family or a polling
place sharing one phone or one address. Past it, wrong codes from the address are answered
"too many wrong codes, wait": a person stops and checks, a polite client backs off
(Retry-After); a script is not slowed, and needs not be (the module's docstring).
"""

WINDOW = datetime.timedelta(minutes=15)
"""How long a failure counts; an address's wrong codes get the "too many" page until the
oldest of its last FAILURE_LIMIT failures expires."""


def _address_index(address: str) -> str:
    """The address's keyed hash; works while sealed (the module's docstring)."""
    value = f"code-attempt:{address}".encode()
    return hmac.new(throttle_secret(), value, hashlib.sha256).hexdigest()


class Throttled(Exception):
    """This address is past its limit of wrong codes for `minutes` more: a code it sends
    must be checked (read only) before it costs any write, and a wrong one gets the
    "too many wrong codes" page."""

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


def _recent_failures(address: str, now: datetime.datetime) -> int:
    sql, params = failures_sql(address, now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def wait_minutes(address: str, *, now: datetime.datetime | None = None) -> int:
    """Minutes for which this address's wrong codes get the "too many" page; 0 if none."""
    now = now or timezone.now()
    return minutes_to_wait(address, _recent_failures(address, now), now=now)


def record_failure(address: str, *, now: datetime.datetime | None = None) -> int:
    """Count one wrong code from `address`, or, if it already sent `FAILURE_LIMIT` within
    `WINDOW`, return the minutes for which its wrong codes get the "too many wrong codes"
    page (0: answer "wrong code" as usual).

    Past the limit nothing is written: a flood of guesses adds no rows and no writes.
    """
    now = now or timezone.now()
    failures = _recent_failures(address, now)
    if failures >= FAILURE_LIMIT and (minutes := minutes_to_wait(address, failures, now=now)):
        return minutes
    CodeAttempt.objects.filter(failed_at__lte=now - WINDOW).delete()
    CodeAttempt.objects.create(address_index=_address_index(address), failed_at=now)
    return 0
