"""Registry actions: `check_*` validate, `do_*` change state and write the audit entry
in the same transaction. Views, commands and the API call these; none of them
write registry rows by themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenes.audit import services as audit
from kenes.core.iin import normalise_iin
from kenes.core.rules import load_jurisdiction
from kenes.registry.member_cards import entered_by_groups
from kenes.registry.models import ConstituentGroup, Member, MemberStatus, Role, RoleKind
from kenes.registry.scoping import Action, can, members_for, own_group_ids, records_for
from kenes.security.sealing import blind_index_candidates, fingerprint

SEALED_FIELDS = ("full_name", "iin", "birth_date", "phone", "address")


def check_group_slug(slug: str) -> str:
    clean = slugify(slug)
    if not clean or clean != slug:
        raise ValidationError(
            _("Use only lowercase Latin letters, digits and hyphens in the short name, e.g. %(s)s.")
            % {"s": clean or "workers-almaty"}
        )
    if ConstituentGroup.objects.filter(slug=slug).exists():
        raise ValidationError(_("A group with the short name %(s)s already exists.") % {"s": slug})
    return slug


def do_add_group(slug: str, *, name: str, concern: str = "", acting_user: Any) -> ConstituentGroup:
    check_group_slug(slug)
    with transaction.atomic():
        group = ConstituentGroup.objects.create(slug=slug, name=name, concern=concern)
        audit.record(
            "group.add",
            acting_user=acting_user,
            target_type="group",
            target_id=slug,
            detail={"new": {"name": name, "concern": concern}},
        )
    return group


def check_role(kind: str, *, region_code: str = "", group: ConstituentGroup | None = None) -> None:
    if kind not in RoleKind.values:
        raise ValidationError(_("Unknown role %(k)s.") % {"k": kind})
    if kind == RoleKind.REGIONAL:
        if load_jurisdiction("kz").find_region(region_code) is None:
            raise ValidationError(_("A regional coordinator needs a known region."))
    elif region_code:
        raise ValidationError(_("Only a regional coordinator has a region."))
    if kind == RoleKind.GROUP and group is None:
        raise ValidationError(_("A group coordinator needs a group."))
    if kind != RoleKind.GROUP and group is not None:
        raise ValidationError(_("Only a group coordinator has a group."))


def do_grant_role(
    user: Any,
    kind: str,
    *,
    region_code: str = "",
    group: ConstituentGroup | None = None,
    acting_user: Any,
) -> Role:
    if region_code:
        region = load_jurisdiction("kz").find_region(region_code)
        region_code = region.code if region else region_code
    check_role(kind, region_code=region_code, group=group)
    with transaction.atomic():
        role, created = Role.objects.get_or_create(
            user=user, kind=kind, region_code=region_code, group=group
        )
        if created:
            audit.record(
                "role.grant",
                acting_user=acting_user,
                target_type="user",
                target_id=user.get_username(),
                detail={
                    "new": {
                        "kind": kind,
                        "region": region_code,
                        "group": group.slug if group else None,
                    }
                },
            )
    return role


def do_revoke_role(role: Role, *, acting_user: Any) -> None:
    with transaction.atomic():
        audit.record(
            "role.revoke",
            acting_user=acting_user,
            target_type="user",
            target_id=role.user.get_username(),
            detail={
                "old": {
                    "kind": role.kind,
                    "region": role.region_code,
                    "group": role.group.slug if role.group else None,
                }
            },
        )
        role.delete()


def refuse_out_of_scope(*, acting_user: Any, target_type: str, target_id: Any) -> None:
    """Write that a look-up outside the user's scope was refused, then refuse it.

    Only the fact and the id asked for are recorded: nothing about the person, not
    even whether they exist.
    """
    audit.record_standalone(
        "scope.refused", acting_user=acting_user, target_type=target_type, target_id=target_id
    )
    raise PermissionDenied


def get_member_for_viewing(member_id: int, *, acting_user: Any, purpose: str = "view") -> Member:
    """Fetch one member with their personal data; the look is audited first.

    Raises PermissionDenied if the member is outside the user's scope (the
    same answer whether or not the member exists); the refusal is audited too.
    """
    member = members_for(acting_user).filter(pk=member_id).first()
    if member is None:
        refuse_out_of_scope(acting_user=acting_user, target_type="member", target_id=member_id)
    assert member is not None
    audit.record_standalone(
        f"member.{purpose}", acting_user=acting_user, target_type="member", target_id=member.pk
    )
    return member


def phones_for_messages(
    member_ids: Sequence[int], *, acting_user: Any, purpose: str
) -> dict[int, str]:
    """The phone numbers of these members, for sending them their codes (SMS, mail merge).

    Only members in the user's scope (`members_for`); members without a phone, or outside
    the scope, are left out. One audit entry records the look, its purpose and how many
    numbers were read, before any is returned.
    """
    wanted = sorted(set(member_ids))
    phones: dict[int, str] = {}
    scope, records = members_for(acting_user), records_for(acting_user)
    own = own_group_ids(acting_user)
    for start in range(0, len(wanted), _PHONE_BATCH):
        batch = wanted[start : start + _PHONE_BATCH]
        for pk, phone in records.filter(pk__in=batch).values_list("pk", "phone"):
            if phone:
                phones[pk] = phone
        # People whose record another group made: only the phone the user's group typed.
        joined = (
            scope.filter(pk__in=batch)
            .exclude(pk__in=list(phones))
            .exclude(pk__in=records.values("pk"))
        )
        for pk in joined.values_list("pk", flat=True):
            phone = entered_by_groups(pk, own).get("phone")
            if phone:
                phones[pk] = phone
    audit.record_standalone(
        "member.phones_read",
        acting_user=acting_user,
        target_type="purpose",
        target_id=purpose,
        detail={"asked": len(wanted), "read": len(phones)},
    )
    return phones


_PHONE_BATCH = 2000  # ids per query: far below every database's limit on parameters


def find_members_by_iin(iin: str, *, acting_user: Any) -> list[Member]:
    """Exact search by IIN through the blind index, within the user's scope."""
    return list(
        members_for(acting_user).filter(iin_index__in=blind_index_candidates(normalise_iin(iin)))
    )


def _audit_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in SEALED_FIELDS:
        return "fp:" + fingerprint(str(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def do_update_member(member: Member, changes: dict[str, Any], *, acting_user: Any) -> Member:
    """Change a member's fields, recording old and new values (sealed ones as fingerprints)."""
    if not can(acting_user, Action.EDIT_MEMBER, member):
        refuse_out_of_scope(acting_user=acting_user, target_type="member", target_id=member.pk)
    if "status" in changes and changes["status"] not in MemberStatus.values:
        raise ValidationError(_("Unknown status %(s)s.") % {"s": changes["status"]})
    with transaction.atomic():
        current = Member.objects.select_for_update().get(pk=member.pk)
        old = {f: getattr(current, f) for f in changes}
        for name, value in changes.items():
            setattr(current, name, value)
        if changes.get("status") == MemberStatus.LEFT and not current.left_on:
            current.left_on = timezone.localdate()
        current.save()
        audit.record(
            "member.update",
            acting_user=acting_user,
            target_type="member",
            target_id=current.pk,
            detail={
                "old": {f: _audit_value(f, v) for f, v in old.items()},
                "new": {f: _audit_value(f, changes[f]) for f in changes},
            },
        )
    return current


def get_user_by_name(username: str) -> Any:
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise ValidationError(_("There is no user %(u)s.") % {"u": username}) from exc


MEMBER_FORM_FIELDS = (
    "full_name", "birth_date", "iin", "phone", "region", "address", "consent_date",
    "consent_method", "status",
)  # fmt: skip


class MergeConflictRefused(Exception):
    """The IIN is in the registry under another name, birth date or region: nothing was
    added; the entry waits for a national admin (kenes.registry.conflicts)."""


def do_add_member(values: dict[str, str], *, group: ConstituentGroup, acting_user: Any) -> Member:
    """Add one person (e.g. at a meeting) through exactly the checks an imported row gets.

    The values become a one-row member list imported strictly, so a person
    entered by hand is checked, merged with an existing member (same IIN, name,
    birth date and region) and audited the same way as one imported from a
    spreadsheet. Raises StrictImportRefused with the row's defects if anything
    is wrong, MergeConflictRefused if the IIN is known under other details.
    """
    import csv
    import io

    from kenes.registry.importing import do_import_members

    if not can(acting_user, Action.IMPORT_MEMBERS, group):
        raise PermissionDenied
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MEMBER_FORM_FIELDS)
    writer.writerow([values.get(name, "") or "" for name in MEMBER_FORM_FIELDS])
    result = do_import_members(
        io.BytesIO(out.getvalue().encode()),
        filename="(form)",
        group=group,
        acting_user=acting_user,
        strict=True,
    )
    if result.conflicts:
        raise MergeConflictRefused
    return Member.objects.get(iin_index__in=blind_index_candidates(normalise_iin(values["iin"])))
