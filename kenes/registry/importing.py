"""Importing member lists: all valid rows in one transaction, or (strict) nothing.

The rows are read and checked by kenes.core.roster; this module turns valid
rows into members and memberships. A person already in the registry (same
IIN, found through the blind index) is not duplicated: if the row's name, birth
date and region agree with the record, the group membership is added and keeps
what the group typed; if not, the row waits as a merge conflict for a national
admin (docs/security.md, "Merging"). Importing the same file twice changes
nothing the second time.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kenes.audit import services as audit
from kenes.core.roster import (
    DEFAULT_LIMITS,
    Defect,
    MemberRow,
    ReadLimits,
    check_rows,
    read_table,
)
from kenes.core.roster.limits import MIB
from kenes.core.rules import load_jurisdiction
from kenes.registry.bulk import insert_rows
from kenes.registry.models import (
    ConflictState,
    ConstituentGroup,
    ImportBatch,
    Member,
    MergeConflict,
)
from kenes.registry.name_search import write_name_tokens
from kenes.registry.rosters import Roster, lock_roster, save_roster
from kenes.security.keys import FieldKey, field_keys
from kenes.security.sealing import blind_index, seal

CHUNK = 2000
# Any constant works: it names the lock that serialises imports on PostgreSQL.
_IMPORT_LOCK_KEY = 0x4B454E4553


def upload_limits() -> ReadLimits:
    """What reading one member list may cost (settings KENES_UPLOAD_*, docs/security.md)."""

    def setting(name: str, default: int) -> int:
        return int(getattr(settings, name, default))

    return ReadLimits(
        max_cells=setting("KENES_UPLOAD_MAX_CELLS", DEFAULT_LIMITS.max_cells),
        max_cell_chars=setting("KENES_UPLOAD_MAX_CELL_CHARS", DEFAULT_LIMITS.max_cell_chars),
        max_unpacked_bytes=setting(
            "KENES_UPLOAD_MAX_UNPACKED_MB", DEFAULT_LIMITS.max_unpacked_bytes // MIB
        )
        * MIB,
        max_expansion=setting("KENES_UPLOAD_MAX_EXPANSION", DEFAULT_LIMITS.max_expansion),
    )


class StrictImportRefused(Exception):
    """--strict and at least one row is invalid: nothing was written."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(
            f"The file has {result.rejected} invalid rows; with strict import nothing was imported."
        )
        self.result = result


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    merged: int = 0
    unchanged: int = 0
    conflicts: int = 0  # entries that disagree with a known person: set aside, not merged
    rejected: int = 0
    defects: list[Defect] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)
    merged_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        shape = {
            "rows": self.rows,
            "imported": self.imported,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "defects": [defect_json(d) for d in self.defects],
        }
        if self.conflicts:  # a key added later: present only when there are some
            shape["conflicts"] = self.conflicts
        return shape


def defect_json(defect: Defect) -> dict[str, Any]:
    return {
        "row": defect.row,
        "field": defect.field,
        "code": defect.code,
        "message": defect.message,
    }


def _lock_imports() -> None:
    """Serialise imports so two lists naming the same new person cannot both create them.

    SQLite already serialises writers (transactions are IMMEDIATE); PostgreSQL
    takes a transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])


MEMBER_COLUMNS = (
    "full_name",
    "iin",
    "iin_index",
    "birth_date",
    "sex",
    "phone",
    "address",
    "region_code",
    "status",
    "joined_on",
    "consent_on",
    "consent_method",
    "created_at",
    "updated_at",
)


def _member_values(
    rows: list[MemberRow], index_of: dict[str, str], today: datetime.date, key: FieldKey
) -> list[tuple[Any, ...]]:
    """Rows in the database's own form, sealed as SealedTextField would seal them."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    day = ops.adapt_datefield_value

    def sealed(text: str | None) -> str | None:
        return seal(text, key=key) if text else None

    return [
        (
            seal(r.full_name, key=key),
            seal(r.iin, key=key),
            index_of[r.iin],
            sealed(r.birth_date.isoformat() if r.birth_date else None),
            r.sex or "",
            sealed(r.phone),
            sealed(r.address),
            r.region_code,
            r.status or "member",
            day(r.joined or today),
            day(r.consent_date),
            r.consent_method or "",
            now,
            now,
        )
        for r in rows
    ]


def _same_text(a: str, b: str) -> bool:
    """Names compared as people write them: case, ё/е and spacing do not count."""

    def key(text: str) -> str:
        return " ".join(text.casefold().replace("ё", "е").split())

    return key(a) == key(b)


def _disagreement(row: MemberRow, name: str, born: datetime.date | None, region: str) -> str:
    """The fields (comma-separated) on which an entry disagrees with the person's record."""
    fields = []
    if not _same_text(row.full_name, name):
        fields.append("full_name")
    if born is not None and row.birth_date != born:
        fields.append("birth_date")
    if row.region_code != region:
        fields.append("region")
    return ",".join(fields)


def entered_json(row: MemberRow) -> str:
    """What a group typed for a person, kept sealed on its membership or on a conflict."""

    def day(value: datetime.date | None) -> str | None:
        return value.isoformat() if value else None

    return json.dumps(
        {
            "full_name": row.full_name,
            "birth_date": day(row.birth_date),
            "region": row.region_code,
            "phone": row.phone,
            "address": row.address,
            "status": row.status,
            "consent_on": day(row.consent_date),
            "consent_method": row.consent_method,
            "joined_on": day(row.joined),
        },
        ensure_ascii=False,
    )


def _write_chunk(
    members: list[MemberRow],
    group: ConstituentGroup,
    batch: ImportBatch | None,
    result: ImportResult,
    today: datetime.date,
    roster: Roster,
    acting_user: Any = None,
) -> None:
    """Write one chunk of valid rows: new people, and memberships for people already known.

    An entry for a known IIN joins that person only if its name, birth date and region
    agree with the record; it keeps what the group typed (sealed) and gives the group's
    coordinators nothing else (kenes.registry.scoping.records_for). An entry that
    disagrees is not merged: it waits as a MergeConflict for a national admin. Memberships
    go into the group's `roster` (locked by the caller, sealed once at the end).
    """
    keys = field_keys()
    newest = keys[0]
    index_of = {row.iin: blind_index(row.iin, key=newest) for row in members}
    lookup: dict[str, str] = {idx: iin for iin, idx in index_of.items()}
    for key in keys[1:]:  # rows not yet rotated to the newest key
        lookup.update({blind_index(row.iin, key=key): row.iin for row in members})
    existing: dict[str, int] = {
        lookup[idx]: pk
        for pk, idx in Member.objects.filter(iin_index__in=list(lookup)).values_list(
            "pk", "iin_index"
        )
    }
    fresh = [r for r in members if r.iin not in existing]
    insert_rows(Member, MEMBER_COLUMNS, _member_values(fresh, index_of, today, newest))
    name_of = {index_of[r.iin]: r.full_name for r in fresh}
    created_index = list(
        Member.objects.filter(iin_index__in=list(name_of)).values_list("pk", "iin_index")
    )
    created = [pk for pk, _ in created_index]
    write_name_tokens(((pk, name_of[idx]) for pk, idx in created_index), newest)
    already = set(existing.values()) & roster.ids
    joining = [r for r in members if r.iin in existing and existing[r.iin] not in already]
    records = {
        m.pk: m
        for m in Member.objects.filter(pk__in=[existing[r.iin] for r in joining]).only(
            "pk", "full_name", "birth_date", "region_code"
        )
    }
    merged: list[tuple[int, str]] = []
    conflicts: list[tuple[MemberRow, int, str]] = []
    for row in joining:
        record = records[existing[row.iin]]
        differs = _disagreement(row, record.full_name, record.birth_date, record.region_code)
        if differs:
            conflicts.append((row, record.pk, differs))
        else:
            merged.append((record.pk, entered_json(row)))
    roster.ids.update(created)
    for pk, entered in merged:
        roster.ids.add(pk)
        roster.joined[pk] = entered
    if conflicts:
        _queue_conflicts(conflicts, group, batch, result, acting_user)
    result.imported += len(created)
    result.merged += len(merged)
    result.unchanged += len(already)
    result.created_ids.extend(created)
    result.merged_ids.extend(pk for pk, _ in merged)


def _queue_conflicts(
    conflicts: list[tuple[MemberRow, int, str]],
    group: ConstituentGroup,
    batch: ImportBatch | None,
    result: ImportResult,
    acting_user: Any,
) -> None:
    """Set disagreeing entries aside for a national admin, audited in this transaction.

    One open conflict per person and group: entering the same person again adds none.
    """
    user = acting_user if getattr(acting_user, "pk", None) else None
    if user is None and batch is not None:
        user = batch.uploaded_by
    waiting = {
        member_id
        for member_id, group_ref in MergeConflict.objects.filter(
            state=ConflictState.OPEN, member_id__in=[pk for _, pk, _ in conflicts]
        ).values_list("member_id", "group_ref")
        if group_ref == str(group.pk)
    }
    queued = MergeConflict.objects.bulk_create(
        [
            MergeConflict(
                member_id=pk,
                group=group,
                entered_by=user.get_username() if user is not None else None,
                entered=entered_json(row),
                differs=differs,
            )
            for row, pk, differs in conflicts
            if pk not in waiting
        ]
    )
    result.conflicts += len(conflicts)
    # The audit names records and fields, never the values typed.
    audit.record(
        "member.merge_conflict",
        acting_user=acting_user,
        target_type="group",
        target_id=group.slug,
        detail={
            "batch": str(batch.pk) if batch else None,
            # Counts only: conflict or member ids beside the group would say who is in it.
            "count": len(queued),
            "fields": sorted({f for _, _, d in conflicts for f in d.split(",")}),
        },
    )


def do_import_members(
    source: str | IO[bytes],
    *,
    filename: str,
    group: ConstituentGroup,
    acting_user: Any,
    strict: bool = False,
    rule_id: str | None = None,
    reference_date: datetime.date | None = None,
    batch: ImportBatch | None = None,
    progress: Callable[[int], None] | None = None,
    finish: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Read and check the whole file, then write its valid rows in one transaction.

    The file is read before the transaction, within the upload limits
    (`upload_limits`): no database lock is held while a file is read, so a
    hostile or merely long file never stalls a vote. Raises UnreadableFile
    (nothing written) if the file cannot be read or passes a limit, and
    StrictImportRefused (nothing written) if `strict` and any row is invalid.
    `finish`, if given, runs inside the transaction once the rows are written
    (a batch records its outcome there, so both happen or neither).
    """
    jurisdiction = load_jurisdiction("kz")
    rule = jurisdiction.registration_rule(rule_id)
    today = timezone.localdate()
    result = ImportResult()
    valid: list[MemberRow] = []
    with read_table(source, filename=filename, limits=upload_limits()) as table:
        checked = check_rows(
            table, jurisdiction=jurisdiction, rule=rule, reference_date=reference_date or today
        )
        for row in checked:
            result.rows += 1
            if row.defects or row.member is None:
                result.rejected += 1
                result.defects.extend(row.defects)
            elif not (strict and result.rejected):
                valid.append(row.member)
            if progress is not None and result.rows % CHUNK == 0:
                progress(result.rows)
    if progress is not None:
        progress(result.rows)  # read to the end: the last sign of life before the writing
    if strict and result.rejected:
        raise StrictImportRefused(result)
    with transaction.atomic():
        _lock_imports()
        roster = lock_roster(group.pk)
        for start in range(0, len(valid), CHUNK):
            chunk = valid[start : start + CHUNK]
            _write_chunk(chunk, group, batch, result, today, roster, acting_user)
        save_roster(roster)
        audit.record(
            "members.import",
            acting_user=acting_user,
            target_type="group",
            target_id=group.slug,
            detail={
                "file": filename,
                "batch": str(batch.pk) if batch else None,
                "rows": result.rows,
                "imported": result.imported,
                "merged": result.merged,
                "unchanged": result.unchanged,
                "rejected": result.rejected,
            },
        )
        if finish is not None:
            finish(result)
    return result
