"""The daily screen limit: no officer reads the registry alone page after page (issue 12).

A member list as a file needs other officers' approval (kenes.registry.approvals); without
a limit on screens, one officer — pressed, or a script with a stolen session — could walk
the whole scoped registry 50 rows at a time. So each officer account may be shown at
most `BulkReadSettings.screen_rows_per_day` members' rows in any 24 hours: the rows of
its `member.list` audit entries plus one per member card (`member.view`), read back from
the audit log (kenes.audit.usage), through the web pages and the API alike.

Once the limit is reached, the pages that show members answer with one sentence — how
many rows in the last 24 hours, the limit, and that a member list as a file can be asked
for on the requests page — and show nothing of any member; each refusal is audited
(`member.list_refused`). The check comes before a page is read, so the page that crosses
the limit is still shown whole: an officer sees at most one page (PAGE_SIZE rows) over.
0 shows no member on any screen (the national admin closes the screens at once). Nobody
is exempt by role: a national admin is one person too. Approved files do not count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kenes.audit import services as audit
from kenes.audit.usage import members_shown
from kenes.registry.approvals import current_settings

WINDOW = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class ScreenBudget:
    """Rows of members one account was shown in the 24 hours up to `now`, and its limit."""

    shown: int
    limit: int

    @property
    def used_up(self) -> bool:
        return self.shown >= self.limit

    @property
    def left(self) -> int:
        return max(0, self.limit - self.shown)


def screen_budget(*, acting_user: Any, now: datetime.datetime | None = None) -> ScreenBudget:
    """The account's screen budget at `now` (default: this moment)."""
    limit = current_settings().screen_rows_per_day
    actor_id = getattr(acting_user, "pk", None)
    if actor_id is None:  # not an account: nothing it may be shown is counted for it
        return ScreenBudget(shown=0, limit=limit)
    until = now if now is not None else timezone.now()
    shown = members_shown(actor_id=actor_id, since=until - WINDOW, until=until)
    return ScreenBudget(shown=shown, limit=limit)


def check_screen_budget(
    screen: str, *, acting_user: Any, target_type: str = "", target_id: Any = ""
) -> ScreenBudget:
    """The budget of `acting_user` now; if it is used up (show no member), the refusal is
    written to the audit log (`screen` names the page: members, member, group,
    readiness, election, api)."""
    budget = screen_budget(acting_user=acting_user)
    if not budget.used_up:
        return budget
    audit.record_standalone(
        "member.list_refused",
        acting_user=acting_user,
        target_type=target_type,
        target_id=target_id,
        detail={
            "screen": screen,
            "shown_24h": budget.shown,
            "screen_rows_per_day": budget.limit,
        },
    )
    return budget
