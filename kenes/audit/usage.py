"""How many members' rows one account was shown, read back from the audit log.

The log already holds every look at members (kenes.registry and kenes.web write
`member.list` with the rows shown as `count`, and one `member.view` per card opened), so
the daily screen limit (kenes.registry.screen_budget) counts from it rather than keeping
a second tally that could disagree with the log.
"""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from kenes.audit.models import AuditEntry

LIST_ACTION = "member.list"
CARD_ACTION = "member.view"
APPROVED_FILE = "read_request"
"""The target type of a `member.list` entry written when an approved file was made: other
officers approved that read, so it is not one person's look."""


def members_shown(*, actor_id: int, since: datetime.datetime, until: datetime.datetime) -> int:
    """Rows of members shown to the account `actor_id` with since < at <= until: the sum of
    `count` over its `member.list` entries (approved files left out) plus one for each
    `member.view`. One query, on the indexed `at`."""
    entries = AuditEntry.objects.filter(
        actor_id=actor_id, at__gt=since, at__lte=until, action__in=(LIST_ACTION, CARD_ACTION)
    ).exclude(target_type=APPROVED_FILE)
    listed = Cast(KeyTextTransform("count", "detail"), BigIntegerField())
    totals = entries.aggregate(
        rows=Coalesce(Sum(listed, filter=Q(action=LIST_ACTION)), 0),
        cards=Count("id", filter=Q(action=CARD_ACTION)),
    )
    return int(totals["rows"]) + int(totals["cards"])
