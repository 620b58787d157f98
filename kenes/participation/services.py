"""Issuing and resolving personal codes. Other apps call only this module.

`purpose` names one process, e.g. "election:42" or "consultation:7". Issuing
again for the same member and purpose revokes the earlier code (a lost SMS).
Resolving is a keyed-hash lookup: constant work whatever is typed. A code row names its
member only through a voter token and a sealed id (kenes.participation.voters).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kenes import db
from kenes.audit import services as audit
from kenes.participation.codes import new_code, normalise
from kenes.participation.models import PersonalCode
from kenes.participation.voters import voter_tokens
from kenes.registry.models import Member
from kenes.security.sealing import code_index_candidates, open_sealed, service_index


@dataclass(frozen=True)
class IssuedCode:
    member_id: int
    full_name: str
    code: str


def _code_text(purpose: str, normalised: str) -> str:
    return f"code:{purpose}:{normalised}"


def _index(purpose: str, normalised: str) -> str:
    return service_index(_code_text(purpose, normalised))  # works while sealed


def do_issue_codes(
    purpose: str, members: Iterable[Member], *, acting_user: Any
) -> list[IssuedCode]:
    """New codes for `members`; the plaintext is returned once and never stored.

    Needs the server unsealed (the voter tokens and the sealed member ids). The audit entry
    counts the codes: a list of member ids beside a purpose naming a group's vote would say
    who is in the group.
    """
    issued: list[IssuedCode] = []
    rows: list[PersonalCode] = []
    people = list(members)
    tokens = voter_tokens(purpose, [m.pk for m in people])
    with transaction.atomic():
        PersonalCode.objects.filter(
            purpose=purpose, voter__in=list(tokens.values()), revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        for member in people:
            code = new_code()
            rows.append(
                PersonalCode(
                    purpose=purpose,
                    voter=tokens[member.pk],
                    member=str(member.pk),
                    region_code=member.region_code,
                    code_index=_index(purpose, code.replace("-", "")),
                )
            )
            issued.append(IssuedCode(member.pk, member.full_name, code))
        PersonalCode.objects.bulk_create(rows, batch_size=2000)
        audit.record(
            "codes.issue",
            acting_user=acting_user,
            target_type="purpose",
            target_id=purpose,
            detail={"codes": len(people)},
        )
    return issued


def resolve_code(purpose: str, text: str) -> Member | None:
    """The member a typed code belongs to, for this purpose; None if it opens nothing.
    Raises Sealed while sealed (the member id is sealed)."""
    found = find_code(text, [purpose])
    return Member.objects.get(pk=found.member_id()) if found else None


@dataclass(frozen=True)
class FoundCode:
    purpose: str
    voter: str  # the voter token (kenes.participation.voters)
    code_id: int
    region_code: str
    sealed_member: str  # as stored: opened by member_id() only

    def member_id(self) -> int:
        """The member the code was issued to: opens its seal (raises Sealed while sealed)."""
        return int(open_sealed(self.sealed_member))


def find_code(text: str, purposes: Iterable[str]) -> FoundCode | None:
    """The live code `text` among `purposes`, in ONE query; or None. Reads nothing sealed:
    works while the server is sealed.

    The query goes by the unique keyed hash alone (one index probe whatever the table's
    size or statistics); the purpose is then checked here. Filtering on the purpose in SQL
    let PostgreSQL pick the (purpose, voter) index and scan every code of an election
    whose statistics were not gathered yet (bench/README.md, bench.ballots_load).
    """
    normalised = normalise(text)
    if normalised is None:
        return None
    wanted = {
        index: purpose
        for purpose in purposes
        for index in code_index_candidates(_code_text(purpose, normalised))
    }
    if not wanted:
        return None
    table = connection.ops.quote_name(PersonalCode._meta.db_table)
    rows = db.fetch(  # every ballot page asks: SQL, not an ORM build, prepared (kenes.db)
        f"SELECT code_index, purpose, voter, id, region_code, member FROM {table} "
        f"WHERE code_index IN ({', '.join(['%s'] * len(wanted))}) AND revoked_at IS NULL",
        list(wanted),
    )
    for index, purpose, voter, code_id, region_code, member in rows:
        if wanted.get(index) == purpose:
            return FoundCode(purpose, voter, code_id, region_code, member)
    return None


def live_code_sql(text: str, purpose: str) -> tuple[str, list[Any]] | None:
    """A subquery giving (id, voter) of the live code `text` for `purpose` (no row if it
    opens nothing), with its parameters; None if `text` cannot be a code at all.

    For a statement that looks the code up on its way (kenes.ballots.casting): the same
    look-up as `find_code`, by the unique keyed hash alone with the purpose checked after
    it (`OFFSET 0` keeps PostgreSQL from folding the purpose into the scan; see there).
    """
    normalised = normalise(text)
    if normalised is None:
        return None
    indexes = code_index_candidates(_code_text(purpose, normalised))
    table = connection.ops.quote_name(PersonalCode._meta.db_table)
    sql = (
        f"SELECT id, voter FROM (SELECT id, purpose, voter FROM {table} "
        f"WHERE code_index IN ({', '.join(['%s'] * len(indexes))}) AND revoked_at IS NULL "
        "OFFSET 0) AS live_code WHERE purpose = %s LIMIT 1"
    )
    return sql, [*indexes, purpose]


def do_revoke_codes(purpose: str, *, acting_user: Any) -> int:
    with transaction.atomic():
        n = PersonalCode.objects.filter(purpose=purpose, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record(
            "codes.revoke",
            acting_user=acting_user,
            target_type="purpose",
            target_id=purpose,
            detail={"revoked": n},
        )
    return n
