"""Login lockout that a guesser elsewhere cannot turn against an officer.

django-axes counts wrong passwords per login name *and* client address
(`AXES_LOCKOUT_PARAMETERS`, the address from kenes.security.addresses): five from one
address stop that address from trying that name for 30 minutes, and nobody else. A lock
per name alone would let anyone shut any officer out with five wrong passwords.

A guesser with many addresses would then get five tries per address. So a login name that
has drawn `UNDER_ATTACK` wrong passwords within the cool-off, from all addresses together,
is under attack, and while it is, each address may get only `LIMIT_UNDER_ATTACK` wrong
passwords for it: the guessing slows to a third, per address. An address that has not
failed yet is still asked for the password, so the officer, from their own phone or
office, logs in with the right one whatever the guesser does. Nothing here sleeps: a delay
in the server would hold a worker thread per guess, and a flood of guesses would then
stop everyone's pages.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

LIMIT_UNDER_ATTACK = 2
"""Wrong passwords per address for a login name under attack: one typo is still forgiven."""


def under_attack_threshold() -> int:
    """Wrong passwords for one name, from all addresses within the cool-off, that make it
    'under attack': four addresses' worth of the ordinary limit."""
    return 4 * int(settings.AXES_FAILURE_LIMIT)


def failures_for_name(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """Wrong passwords for the login name in `credentials`, from every address, lately."""
    username = get_client_username(request, credentials)
    if not username:
        return 0
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with the per-address limit lowered for a name under attack."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        here = self.get_failures(request, credentials)  # this name from this address
        if here < LIMIT_UNDER_ATTACK:
            return False
        return failures_for_name(request, credentials) >= under_attack_threshold()
