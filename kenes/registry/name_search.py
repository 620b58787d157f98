"""Finding and ordering members by their sealed names (kenes.registry.names).

Callers pass a queryset already scoped by kenes.registry.scoping (`members_for`,
`records_for`, ...): these functions only narrow and order it, never widen it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet

from kenes.registry.bulk import insert_rows
from kenes.registry.models import Member, MemberNameToken
from kenes.registry.names import name_tokens, query_tokens, sort_key
from kenes.security.keys import FieldKey

#: A list of at most this many members is shown in name order (their names are opened
#: and sorted in Python); a longer one in the order members were entered, each page's
#: rows by name. Opening 2,000 names costs about as much as drawing the page.
SORT_LIMIT = 2000


def with_name(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    """`members` whose name has every part of `query` as the start of one of its parts
    (case, ё/е and Kazakh letters aside). An empty query changes nothing."""
    for candidates in query_tokens(query):
        members = members.filter(
            pk__in=MemberNameToken.objects.filter(token__in=candidates).values("member_id")
        )
    return members


def name_order(members: QuerySet[Member], *, limit: int = SORT_LIMIT) -> list[int] | None:
    """The ids of `members` in name order, or None when there are more than `limit`
    (then order them by id in SQL: names are sealed)."""
    ids = list(members.order_by().values_list("pk", flat=True)[: limit + 1])
    if len(ids) > limit:
        return None  # known from ids alone: no name opened
    rows = list(Member.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    rows.sort(key=lambda row: (sort_key(row[1]), row[0]))
    return [pk for pk, _ in rows]


def by_name(members: Iterable[Member]) -> list[Member]:
    """Members (already fetched) in name order."""
    return sorted(members, key=lambda m: (sort_key(m.full_name), m.pk))


def in_order(members: QuerySet[Member], ids: Sequence[int]) -> list[Member]:
    """The members of these ids, in the order of `ids`."""
    found = {m.pk: m for m in members.filter(pk__in=list(ids))}
    return [found[pk] for pk in ids if pk in found]


def write_name_tokens(named: Iterable[tuple[int, str]], key: FieldKey) -> int:
    """Index these (member id, name) pairs under `key` (new members: no tokens yet).

    Written as plain rows (kenes.registry.bulk): an import of 100,000 people writes
    about two million of them.
    """
    rows: list[tuple[Any, ...]] = [(pk, t) for pk, name in named for t in name_tokens(name, key)]
    for start in range(0, len(rows), 50_000):
        insert_rows(MemberNameToken, ("member", "token"), rows[start : start + 50_000])
    return len(rows)


def reindex_names(named: Sequence[tuple[int, str]], key: FieldKey) -> int:
    """Replace these (member id, name) pairs' tokens with tokens under `key`."""
    MemberNameToken.objects.filter(member_id__in=[pk for pk, _ in named]).delete()
    return write_name_tokens(named, key)
