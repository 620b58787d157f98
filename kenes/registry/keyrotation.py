"""Re-encrypting personal data under the newest key (`kenes rotate-keys`).

Operators put a new key first in KENES_FIELD_KEYS, keep the old ones after
it, run rotate-keys, and may then drop the old keys.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection, transaction

from kenes.audit import services as audit
from kenes.registry.models import ImportBatch, Member, MergeConflict
from kenes.registry.name_search import reindex_names
from kenes.registry.rosters import reseal_rosters
from kenes.registry.sealed_columns import keys_still_used, reseal_sealed_fields
from kenes.security.keys import current_key, field_keys
from kenes.security.sealing import blind_index, sealed_key_id
from kenes.twostep.services import do_reseal_app_secrets

CHUNK = 1000
MEMBER_FIELDS = ["full_name", "iin", "birth_date", "phone", "address"]


def _keys_in_use(table: str, column: str) -> Counter[str]:
    found: Counter[str] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
        for (value,) in cursor.fetchall():
            found[sealed_key_id(value)] += 1
    return found


def do_rotate_keys(*, acting_user: Any) -> dict[str, Any]:
    newest = current_key()
    before = _keys_in_use(Member._meta.db_table, "iin")
    tokens = 0
    with transaction.atomic():
        ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            members = list(Member.objects.filter(pk__in=ids[start : start + CHUNK]))
            for m in members:
                m.iin_index = blind_index(m.iin, key=newest)
            # Saving re-seals every sealed field under the newest key.
            Member.objects.bulk_update(members, [*MEMBER_FIELDS, "iin_index"])
            # The name tokens too: the old key's are dropped with it.
            tokens += reindex_names([(m.pk, m.full_name) for m in members], newest)
        rosters = reseal_rosters(newest)
        conflicts = list(MergeConflict.objects.all())
        if conflicts:
            MergeConflict.objects.bulk_update(conflicts, ["entered", "group_ref"])
        batches = list(ImportBatch.objects.exclude(content__isnull=True, report__isnull=True))
        if batches:
            ImportBatch.objects.bulk_update(batches, ["content", "report"])
        result = {
            "key": newest.key_id,
            "members": len(ids),
            "name_tokens": tokens,
            "imports": len(batches),
            "rosters": rosters,
            "conflicts": len(conflicts),
            "app_secrets": do_reseal_app_secrets(),
            # every other SealedTextField (memberships' entries, conflicts, requests, ...)
            "other_rows": reseal_sealed_fields(skip={Member, ImportBatch, MergeConflict}),
            "keys_before": dict(before),
        }
        audit.record("keys.rotate", acting_user=acting_user, detail=result)
    # after the row: old key -> {"table.column": values still sealed under it}; {} = may go
    result["keys_still_used"] = keys_still_used([k.key_id for k in field_keys()], newest.key_id)
    return result
