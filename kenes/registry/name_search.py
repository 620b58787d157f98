"""Finding and ordering members by their sealed names (kenes.registry.names).

Callers pass a queryset already scoped by kenes.registry.scoping (`members_for`,
`records_for`, ...): these functions only narrow and order it, never widen it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from kenes.registry.bulk import insert_rows
from kenes.registry.models import Member, MemberNameToken
from kenes.registry.names import name_parts, prefixes, query_parts, query_tokens, sort_key, token
from kenes.security.keys import FieldKey

#: A list of at most this many members is shown in name order (their names are opened
#: and sorted in Python); a longer one in the order members were entered, each page's
#: rows by name. Opening 2,000 names costs about as much as drawing the page.
SORT_LIMIT = 2000


#: Up to this many members having the query's rarest part, the other parts are checked
#: against them in Python-sized steps and the scoped list is narrowed to their ids; past
#: it (a common given name across the country), the database intersects the parts.
LISTED_IDS = 20_000
#: The same for a national admin's search, which needs no scope check: 50,000 ids read
#: from the token index cost less than letting the database intersect.
LISTED_IDS_NATIONAL = 50_000
_STEP = 5_000  # ids per query when checking the other parts: far below every limit


def with_name(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    """`members` whose name has every part of `query` as the start of one of its parts
    (case, ё/е and Kazakh letters aside). An empty query changes nothing.

    The rarest part (counted in the index) is looked up first; when few members have it,
    the others are checked among them only, through the (token, member) index.
    """
    parts = sorted(
        zip(query_parts(query), query_tokens(query), strict=True), key=lambda p: -len(p[0])
    )
    if not parts:
        return members
    national = not members.query.where  # the whole registry: no scope to check
    limit = LISTED_IDS_NATIONAL if national else LISTED_IDS
    if len(parts) > 1:  # the rarest part first: counted in the index, up to the limit
        parts.sort(key=lambda p: _members_having(p[1], limit))
    first = parts[0][1]
    ids = list(
        MemberNameToken.objects.filter(token__in=first).values_list("member_id", flat=True)[
            : limit + 1
        ]
    )
    if len(ids) > limit:
        for _part, candidates in parts:
            members = members.filter(
                pk__in=MemberNameToken.objects.filter(token__in=candidates).values("member_id")
            )
        if national and len(parts) == 1:
            # One token per member and part (under one key): the index counts them.
            members.found_count = MemberNameToken.objects.filter(token__in=first).count()  # type: ignore[attr-defined]
        return members
    for _part, candidates in parts[1:]:
        kept: list[int] = []
        for start in range(0, len(ids), _STEP):
            kept += MemberNameToken.objects.filter(
                token__in=candidates, member_id__in=ids[start : start + _STEP]
            ).values_list("member_id", flat=True)
        ids = kept
    # The scope is applied once, here: the list, its count and its page then read these
    # few ids only (a scope is a subquery that the database would evaluate for each).
    # EXISTS, not IN: SQLite would walk the whole scope (a region: ~60,000 rows at a
    # million members), taking an IN-subquery for a short list; this walks the ids.
    found = sorted(set(ids))
    if not national:
        in_scope = Exists(members.order_by().filter(pk=OuterRef("pk")))
        found = list(
            Member.objects.filter(pk__in=found).filter(in_scope).values_list("pk", flat=True)
        )
    narrowed = Member.objects.filter(pk__in=found)
    narrowed.query.order_by = members.query.order_by
    narrowed._prefetch_related_lookups = members._prefetch_related_lookups
    narrowed.found_ids = found  # type: ignore[attr-defined]  # see `ids_of`
    return narrowed


def _members_having(candidates: list[int], limit: int) -> int:
    """How many members have one of these tokens, counted up to `limit` + 1."""
    return MemberNameToken.objects.filter(token__in=candidates)[: limit + 1].count()


def ids_of(members: QuerySet[Member], limit: int) -> list[int]:
    """Up to `limit` + 1 ids of `members`: read from `with_name`'s answer when `members`
    is that answer itself (a further filter makes a copy without them), else queried."""
    found = getattr(members, "found_ids", None)
    if found is not None:
        return list(found[: limit + 1])
    return list(members.order_by().values_list("pk", flat=True)[: limit + 1])


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

    Written as plain rows (kenes.registry.bulk), sorted by token so that the token index
    grows in order: an import of 100,000 people writes about 1.8 million of them. Each
    distinct prefix is hashed once per call (names share most of theirs); nothing of the
    names is kept once the call returns.
    """
    hashed: dict[str, int] = {}

    def token_of(prefix: str) -> int:
        found = hashed.get(prefix)
        if found is None:
            found = hashed[prefix] = token(prefix, key)
        return found

    rows: list[tuple[Any, ...]] = sorted(
        {
            (token_of(prefix), pk)
            for pk, name in named
            for part in name_parts(name)
            for prefix in prefixes(part)
        }
    )
    for start in range(0, len(rows), 50_000):
        insert_rows(MemberNameToken, ("token", "member"), rows[start : start + 50_000])
    return len(rows)


def reindex_names(named: Sequence[tuple[int, str]], key: FieldKey) -> int:
    """Replace these (member id, name) pairs' tokens with tokens under `key`."""
    MemberNameToken.objects.filter(member_id__in=[pk for pk, _ in named]).delete()
    return write_name_tokens(named, key)
