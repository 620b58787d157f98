"""Who may see which members and do what: the ONE place access is decided.

Every view, export, command and API goes through `members_for`, `groups_for`
and `can`. Roles (kenes.registry.models.Role):

- national admin: every member and group; imports anywhere; dossier export; roles.
- regional coordinator: members whose region is theirs.
- group coordinator: members of their group; imports into their group. Of a person
  whose record another group made (their group joined by entering the same IIN, name,
  birth date and region), they see only what their own group entered (`sees_record`,
  docs/security.md "Merging"), and of anyone's groups only their own (`groups_seen`).
- auditor: aggregates only (dashboard, readiness, audit log), no personal data.
- trustee: holds a share of the master key; sees the custody page, seals the server and
  enters their share to unseal it (with the national admin); no personal data by this role.

A user with several roles sees the union. A superuser counts as a national admin.

Votes and consultations are called for an electorate (the whole party, a region or a
group); who runs one, and which ones a user sees, is decided here too (`runs_electorate`,
`electorates_run_by`, `electorates_seen_by`) for kenes.ballots.rules and kenes.agenda.rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from kenes.registry.models import (
    ConstituentGroup,
    Member,
    ReadRequest,
    Role,
    RoleKind,
)
from kenes.registry.rosters import (
    groups_of_member,
    ids_in,
    member_ids_of,
    open_roster,
    open_rosters,
)


class Action(StrEnum):
    VIEW_AGGREGATES = "view_aggregates"
    LIST_MEMBERS = "list_members"
    VIEW_MEMBER = "view_member"
    EDIT_MEMBER = "edit_member"
    IMPORT_MEMBERS = "import_members"
    EXPORT_DOSSIER = "export_dossier"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_ROLES = "manage_roles"
    MANAGE_GROUPS = "manage_groups"
    RESOLVE_CONFLICTS = "resolve_conflicts"
    KEEP_CUSTODY = "keep_custody"  # the custody page: seal now, enter a share to unseal
    # Bulk reads of personal data wait for other officers (kenes.registry.approvals):
    ASK_BULK_READ = "ask_bulk_read"  # the requests page: ask, see one's own requests
    APPROVE_BULK_READ = "approve_bulk_read"  # obj: a ReadRequest this user could read
    SEE_BULK_READS = "see_bulk_reads"  # every open request (trustees are told of each)
    SET_BULK_READ_RULES = "set_bulk_read_rules"  # how many approve, the API's limit, delay
    # Members' own data (kenes.participation.my_data): hand out the codes that open it and
    # apply or refuse the corrections members ask for (`data_requests_for`).
    ANSWER_DATA_REQUESTS = "answer_data_requests"
    # Congresses (kenes.congress, docs/congress.md): the national admin creates and runs
    # one (open, close, seat delegates, check them again); the admin and the regional
    # coordinators keep the door and see the congress's page (delegates of their own region
    # by name, counts of the others); badges are printed by the admin or by the regional
    # coordinator of the badges' region (obj: the region code).
    SEE_CONGRESS = "see_congress"
    MANAGE_CONGRESS = "manage_congress"
    KEEP_DOOR = "keep_door"
    PRINT_BADGES = "print_badges"
    # The chair's console of a congress (agenda, speakers, votes, codes, proxies, texts,
    # protocol): national admins only; a congress speaks for the whole party.
    CHAIR_CONGRESS = "chair_congress"


def roles_of(user: Any) -> list[Role]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_kenes_roles", None)
    if cached is None:
        cached = list(Role.objects.filter(user=user).select_related("group"))
        user._kenes_roles = cached
    return cached


def is_admin(user: Any) -> bool:
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    return any(r.kind == RoleKind.ADMIN for r in roles_of(user))


def _member_filter(user: Any) -> Q | None:
    """None means everything; an empty Q-set means nothing."""
    if is_admin(user):
        return None
    condition = Q(pk__in=[])
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL:
            condition |= Q(region_code=role.region_code)
        elif role.kind == RoleKind.GROUP:
            condition |= ids_in(member_ids_of(role.group_id))
    return condition


def members_for(user: Any) -> QuerySet[Member]:
    """The members whose personal data `user` may see (never the auditor's)."""
    condition = _member_filter(user)
    if condition is None:
        return Member.objects.all()
    # No join (rosters give ids): a person in two of the user's groups appears once.
    return Member.objects.filter(condition)


def _record_filter(user: Any) -> Q | None:
    """Like `_member_filter`, but a group coordinator's group must have made the record."""
    if is_admin(user):
        return None
    condition = Q(pk__in=[])
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL:
            condition |= Q(region_code=role.region_code)
        elif role.kind == RoleKind.GROUP:
            condition |= ids_in(open_roster(role.group_id).record_ids())
    return condition


def records_for(user: Any) -> QuerySet[Member]:
    """The members whose whole record (phone, address, consent, ...) `user` may see and edit.

    A subset of `members_for`: a group coordinator's group must have made the record. A
    person their group joined later shows them only what the group entered.
    """
    condition = _record_filter(user)
    if condition is None:
        return Member.objects.all()
    return Member.objects.filter(condition)


def sees_record(user: Any, member: Member) -> bool:
    return records_for(user).filter(pk=member.pk).exists()


def data_requests_for(user: Any) -> QuerySet[Member]:
    """The members whose own-data requests `user` answers (codes, corrections): an officer
    of the member's group, i.e. a coordinator of the group that made the record (who may
    edit it, `records_for`), or a national admin. A regional coordinator does not: the
    member asks their group, and the group answers.
    """
    if is_admin(user):
        return Member.objects.all()
    groups = own_group_ids(user)
    if not groups:
        return Member.objects.none()
    made = {pk for r in open_rosters(groups).values() for pk in r.record_ids()}
    return Member.objects.filter(ids_in(made))


def own_group_ids(user: Any) -> set[int]:
    """The groups `user` coordinates (an admin coordinates none in particular)."""
    return {r.group_id for r in roles_of(user) if r.kind == RoleKind.GROUP and r.group_id}


def groups_seen(user: Any, member: Member, groups: Any = None) -> list[ConstituentGroup]:
    """Which of `member`'s `groups` (None: read from the rosters) `user` may see: all for
    an admin or the member's regional coordinator; otherwise only the groups `user`
    coordinates (membership of other groups is personal data of its own)."""
    groups = list(groups_of_member(member.pk) if groups is None else groups)
    if is_admin(user) or any(
        r.kind == RoleKind.REGIONAL and r.region_code == member.region_code for r in roles_of(user)
    ):
        return groups
    own = own_group_ids(user)
    return [g for g in groups if g.pk in own]


def members_of_group_for(user: Any, group: ConstituentGroup) -> QuerySet[Member]:
    """The members of `group` that `user` may list as its members (see `groups_seen`)."""
    members = members_for(user).filter(ids_in(member_ids_of(group.pk)))
    if is_admin(user) or group.pk in own_group_ids(user):
        return members
    regions = [r.region_code for r in roles_of(user) if r.kind == RoleKind.REGIONAL]
    return members.filter(region_code__in=regions)


def in_group(members: QuerySet[Member], group: ConstituentGroup) -> QuerySet[Member]:
    """`members` narrowed to `group`'s (opens its roster: Sealed while sealed)."""
    return members.filter(ids_in(member_ids_of(group.pk)))


def groups_for(user: Any) -> QuerySet[ConstituentGroup]:
    """Groups whose page the user may open (names and counts are not personal data)."""
    if not roles_of(user) and not is_admin(user):
        return ConstituentGroup.objects.none()
    return ConstituentGroup.objects.all()


def import_groups_for(user: Any) -> QuerySet[ConstituentGroup]:
    if is_admin(user):
        return ConstituentGroup.objects.all()
    ids = [r.group_id for r in roles_of(user) if r.kind == RoleKind.GROUP]
    return ConstituentGroup.objects.filter(pk__in=ids)


def can(user: Any, action: Action, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    kinds = {r.kind for r in roles_of(user)}
    admin = is_admin(user)
    if action == Action.VIEW_AGGREGATES:
        return admin or bool(kinds)
    if action == Action.LIST_MEMBERS:
        return admin or bool(kinds & {RoleKind.REGIONAL, RoleKind.GROUP})
    if action == Action.VIEW_MEMBER:
        return obj is not None and members_for(user).filter(pk=obj.pk).exists()
    if action == Action.EDIT_MEMBER:
        return obj is not None and sees_record(user, obj)
    if action == Action.IMPORT_MEMBERS:
        if obj is None:
            return admin or RoleKind.GROUP in kinds
        return import_groups_for(user).filter(pk=obj.pk).exists()
    if action == Action.VIEW_AUDIT_LOG:
        return admin or RoleKind.AUDITOR in kinds
    if action == Action.KEEP_CUSTODY:
        return admin or RoleKind.TRUSTEE in kinds
    if action == Action.ASK_BULK_READ:
        return admin or bool(kinds & {RoleKind.REGIONAL, RoleKind.GROUP})
    if action == Action.SEE_BULK_READS:
        return admin or RoleKind.TRUSTEE in kinds
    if action == Action.APPROVE_BULK_READ:
        return isinstance(obj, ReadRequest) and reads_in_bulk(user, obj)
    if action == Action.SET_BULK_READ_RULES:
        return admin
    if action == Action.ANSWER_DATA_REQUESTS:
        if obj is None:
            return admin or RoleKind.GROUP in kinds
        return data_requests_for(user).filter(pk=obj.pk).exists()
    if action in (Action.SEE_CONGRESS, Action.KEEP_DOOR):
        return admin or RoleKind.REGIONAL in kinds
    if action == Action.PRINT_BADGES:
        if admin:
            return True
        return bool(obj) and any(
            r.kind == RoleKind.REGIONAL and r.region_code == obj for r in roles_of(user)
        )
    if action in (
        Action.CHAIR_CONGRESS,
        Action.EXPORT_DOSSIER,
        Action.MANAGE_CONGRESS,
        Action.MANAGE_ROLES,
        Action.MANAGE_GROUPS,
        Action.RESOLVE_CONFLICTS,
    ):
        return admin
    return False


#: Member ids per query when checking that a user may read every member of a bulk read.
_IDS_PER_QUERY = 2000


def reads_in_bulk(user: Any, request: ReadRequest) -> bool:
    """May `user` read everything `request` would hand out (and so approve it)?

    The dossier: whoever may export it (national admins). Any other read: an officer who
    may list members and sees every member it covers (`members_for`); a read of the whole
    registry (no member list): a national admin only.
    """
    if request.kind == "dossier":
        return can(user, Action.EXPORT_DOSSIER)
    if not can(user, Action.LIST_MEMBERS):
        return False
    if is_admin(user):
        return True
    if request.member_count is None:  # the whole registry
        return False
    scope = members_for(user)
    if scope.count() < request.member_count:  # one count instead of opening the list
        return False
    wanted = request.member_ids() or []
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        if scope.filter(pk__in=chunk).count() != len(set(chunk)):
            return False
    return True


def is_auditor(user: Any) -> bool:
    return any(r.kind == RoleKind.AUDITOR for r in roles_of(user))


def is_trustee(user: Any) -> bool:
    """Holds a share of the master key: may enter it on the custody page."""
    return any(r.kind == RoleKind.TRUSTEE for r in roles_of(user))


def runs_electorate(user: Any, *, region_code: str = "", group_id: int | None = None) -> bool:
    """Is `user` an officer of this electorate (a vote's or a consultation's)?

    Admin: every electorate; a regional coordinator: their region's; a group coordinator:
    their group's. Nobody but an admin runs the whole party's.
    """
    if is_admin(user):
        return True
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL and region_code == role.region_code:
            return bool(role.region_code)
        if role.kind == RoleKind.GROUP and group_id == role.group_id:
            return role.group_id is not None
    return False


@dataclass(frozen=True)
class Electorates:
    """The electorates a user may call a vote of: the whole party, regions, groups."""

    whole_party: bool
    region_codes: tuple[str, ...]
    group_ids: tuple[int, ...] | None  # None: every group

    @property
    def any(self) -> bool:
        return self.whole_party or bool(self.region_codes) or bool(self.group_ids)


def electorates_run_by(user: Any) -> Electorates:
    """Admin: any electorate; a regional coordinator: their region; a group one: their group."""
    if is_admin(user):
        return Electorates(True, (), None)
    roles = roles_of(user)
    regions = {r.region_code for r in roles if r.kind == RoleKind.REGIONAL} - {""}
    groups = {r.group_id for r in roles if r.kind == RoleKind.GROUP and r.group_id is not None}
    return Electorates(False, tuple(sorted(regions)), tuple(sorted(groups)))


def electorates_seen_by(user: Any) -> Q | None:
    """A filter on `region_code` / `group_id` for the votes or consultations `user` sees:
    None for everything (admin, auditor), else those of the electorates they run."""
    if is_admin(user) or is_auditor(user):
        return None
    condition = Q(pk__in=[])
    for role in roles_of(user):
        if role.kind == RoleKind.REGIONAL and role.region_code:
            condition |= Q(region_code=role.region_code)
        elif role.kind == RoleKind.GROUP and role.group_id is not None:
            condition |= Q(group_id=role.group_id)
    return condition


def delegate_regions_seen_by(user: Any) -> frozenset[str] | None:
    """The regions whose congress delegates `user` sees by name: None for all (a national
    admin), else the regional coordinator's own regions (the others only as counts)."""
    if is_admin(user):
        return None
    return frozenset(
        r.region_code for r in roles_of(user) if r.kind == RoleKind.REGIONAL and r.region_code
    )
