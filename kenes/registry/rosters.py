"""Group memberships, sealed: one roster per group (docs/security.md, "Group memberships").

A roster holds the ids of a group's members and, for people the group joined after
another group had made their record, what the group typed (`entered`). It is sealed
under the field key with the group id as associated data, so a roster cannot be moved
to another group unnoticed. Reads open the rosters they need and filter members by id;
writes lock the roster row first, so two writers into one group never lose each other's
members. While sealed, opening a roster raises `Sealed` like every personal read.

Only the registry's scoping and selectors (and the registry's own writers) use this
module; other apps ask `kenes.registry.selectors`.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr

from kenes.registry.models import ConstituentGroup, GroupRoster
from kenes.security.keys import FieldKey, Sealed, key_by_id
from kenes.security.sealing import open_sealed, seal, sealed_key_id

#: Past this many ids a filter passes them as one JSON parameter, not one each
#: (SQLite and PostgreSQL limit the parameters of a statement).
INLINE_IDS = 500


def _context(group_id: int) -> bytes:
    return b"kenes-roster:%d" % group_id


@dataclass
class Roster:
    group_id: int
    ids: set[int] = field(default_factory=set)
    #: member id -> what the group typed (JSON text, or None for joins made before that
    #: rule) for members whose record another group made; absent: the group made it.
    joined: dict[int, str | None] = field(default_factory=dict)

    def keeps_record(self, member_id: int) -> bool:
        return member_id in self.ids and member_id not in self.joined

    def record_ids(self) -> list[int]:
        return sorted(self.ids - self.joined.keys())


def _parse(group_id: int, sealed: str) -> Roster:
    if not sealed:
        return Roster(group_id)
    data = json.loads(open_sealed(sealed, context=_context(group_id)))
    return Roster(
        group_id,
        set(data["ids"]),
        {int(k): v for k, v in data.get("joined", {}).items()},
    )


def seal_roster(roster: Roster, *, key: FieldKey | None = None) -> str:
    text = json.dumps(
        {"ids": sorted(roster.ids), "joined": {str(k): v for k, v in roster.joined.items()}},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return seal(text, key=key, context=_context(roster.group_id))


# Opened rosters by (group id, head of the sealed text). Every seal draws a fresh random
# nonce, so the head names one version: a changed roster is never served from here, in
# any process. A hit still needs the key (`key_by_id` raises Sealed once sealed, and the
# cache is emptied then).
_opened: OrderedDict[tuple[int, str], Roster] = OrderedDict()
_opened_lock = threading.Lock()  # threads of one worker share it
_OPENED_MAX = 64
_HEAD = 64


def forget_opened() -> None:
    with _opened_lock:
        _opened.clear()


def _load(rows: QuerySet[GroupRoster]) -> dict[int, Roster]:
    found: dict[int, Roster] = {}
    missing: list[int] = []
    heads = dict(rows.values_list("group_id", Substr("sealed", 1, _HEAD)))
    for gid, head in heads.items():
        if not head:
            found[gid] = Roster(gid)
            continue
        try:
            key_by_id(sealed_key_id(head))
        except Sealed:
            forget_opened()  # the first read after sealing empties the cache
            raise
        with _opened_lock:
            cached = _opened.get((gid, head))
            if cached is not None:
                _opened.move_to_end((gid, head))
        if cached is None:
            missing.append(gid)
        else:
            found[gid] = cached
    for gid, sealed in GroupRoster.objects.filter(group_id__in=missing).values_list(
        "group_id", "sealed"
    ):
        roster = found[gid] = _parse(gid, sealed)
        with _opened_lock:
            _opened[(gid, sealed[:_HEAD])] = roster
            while len(_opened) > _OPENED_MAX:
                _opened.popitem(last=False)
    # Shared with the cache: read them, never change them (writers use `lock_roster`).
    return found


def open_roster(group_id: int) -> Roster:
    """The roster of one group (empty if it has none yet). Raises Sealed while sealed."""
    return open_rosters([group_id])[group_id]


def open_rosters(group_ids: Iterable[int] | None = None) -> dict[int, Roster]:
    """The rosters of `group_ids` (None: every group's), by group id."""
    rows = GroupRoster.objects.all()
    if group_ids is not None:
        wanted = list(group_ids)
        rows = rows.filter(group_id__in=wanted)
    else:
        wanted = list(ConstituentGroup.objects.values_list("pk", flat=True))
    found = _load(rows)
    return {gid: found.get(gid, Roster(gid)) for gid in wanted}


def lock_roster(group_id: int) -> Roster:
    """The roster of `group_id`, its row locked until the transaction ends (made if new)."""
    GroupRoster.objects.get_or_create(group_id=group_id)
    sealed = GroupRoster.objects.select_for_update().get(group_id=group_id).sealed
    return _parse(group_id, sealed)


def save_roster(roster: Roster, *, key: FieldKey | None = None) -> None:
    """Write a roster taken with `lock_roster` back, sealed anew."""
    GroupRoster.objects.filter(group_id=roster.group_id).update(
        sealed=seal_roster(roster, key=key), size=len(roster.ids)
    )


def reseal_rosters(key: FieldKey) -> int:
    """Seal every roster anew under `key` (key rotation), each row locked; how many."""
    ids = list(GroupRoster.objects.order_by("group_id").values_list("group_id", flat=True))
    for group_id in ids:
        save_roster(lock_roster(group_id), key=key)
    return len(ids)


def add_members(
    group_id: int,
    made: Iterable[int] = (),
    joined: Iterable[tuple[int, str | None]] = (),
    *,
    key: FieldKey | None = None,
) -> set[int]:
    """Add members to a group's roster, in the caller's transaction. `made`: records the
    group made; `joined`: (member id, what the group typed) for people it joined. Returns
    the ids that were already in the group (left as they were)."""
    roster = lock_roster(group_id)
    already: set[int] = set()
    for pk in made:
        if pk in roster.ids:
            already.add(pk)
        roster.ids.add(pk)
    for pk, entered in joined:
        if pk in roster.ids:
            already.add(pk)
            continue
        roster.ids.add(pk)
        roster.joined[pk] = entered
    save_roster(roster, key=key)
    return already


def ids_in(ids: Sequence[int] | set[int], field_name: str = "pk") -> Q:
    """A filter `field_name IN ids` that passes a long list as one parameter."""
    ids = sorted(ids)
    if len(ids) <= INLINE_IDS:
        return Q(**{f"{field_name}__in": ids})
    if connection.vendor == "postgresql":
        sql = "SELECT (jsonb_array_elements_text(%s::jsonb))::bigint"
    else:
        sql = "SELECT value FROM json_each(%s)"
    return Q(**{f"{field_name}__in": RawSQL(sql, [json.dumps(ids)])})


def member_ids_of(group_id: int) -> frozenset[int] | set[int]:
    return open_roster(group_id).ids


def groups_of_member(member_id: int) -> list[ConstituentGroup]:
    """The groups a member belongs to (opens every roster), by slug."""
    ids = [gid for gid, r in open_rosters().items() if member_id in r.ids]
    return list(ConstituentGroup.objects.filter(pk__in=ids).order_by("slug"))


def groups_by_member(member_ids: Iterable[int]) -> dict[int, list[ConstituentGroup]]:
    """Each member's groups (opens every roster once), groups by slug."""
    wanted = set(member_ids)
    groups = {g.pk: g for g in ConstituentGroup.objects.order_by("slug")}
    out: dict[int, list[ConstituentGroup]] = {pk: [] for pk in wanted}
    rosters = open_rosters(list(groups))
    for gid, group in groups.items():
        for pk in rosters[gid].ids & wanted:
            out[pk].append(group)
    return out


def entered_for(member_id: int, group_ids: Iterable[int]) -> list[str]:
    """What each of `group_ids` typed for `member_id` when it joined the person (JSON)."""
    rosters = open_rosters(list(group_ids))
    return [r.joined[member_id] for r in rosters.values() if r.joined.get(member_id)]


def membership_count() -> int:
    """Memberships in all (the sum of the rosters' sizes: visible without a key)."""
    return sum(GroupRoster.objects.values_list("size", flat=True))


def group_sizes() -> dict[int, int]:
    return dict(GroupRoster.objects.values_list("group_id", "size"))
