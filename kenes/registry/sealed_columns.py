"""Every database column that holds values sealed under a field key, and which keys they name.

A sealed value starts with the id of the key that sealed it (``v1$<key id>$...``,
kenes.security.sealing), so counting the values that still need a key reads no plaintext
and needs no key: it works before `kenes custody drop-key` removes an old key from
keys.json, and after `kenes rotate-keys` to say which old keys still hold data.

The columns come from two places: every model field that is a SealedTextField (found by
introspection, so a new one is counted without anyone remembering to list it), and the
columns sealed by hand with `seal()` (listed in HAND_SEALED; tests/custody/test_drop_key.py
fails when a module outside that list starts calling `seal()`). The models are looked up
through Django's app registry, not imported: the registry sits below the apps that own
some of these columns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection
from django.dispatch import receiver

from kenes.custody.signals import key_uses
from kenes.security.fields import SealedTextField
from kenes.security.sealing import PREFIX

# (app label, model, field): columns whose values a module seals itself with `seal()`
HAND_SEALED: tuple[tuple[str, str, str], ...] = (
    ("audit", "SigningKey", "sealed_private_key"),  # kenes.audit.receipts
    ("ballots", "Election", "ballot_key"),  # kenes.ballots.envelopes
    ("ballots", "Election", "envelope_private_key"),  # kenes.ballots.envelopes
    ("twostep", "SealedTOTPDevice", "sealed_key"),  # kenes.twostep.models
    ("registry", "GroupRoster", "sealed"),  # kenes.registry.rosters (the group id bound in)
)


@dataclass(frozen=True)
class SealedColumn:
    model: Any
    field: str
    table: str
    column: str

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}"


def sealed_columns() -> list[SealedColumn]:
    """Every sealed column of the installed models, in a stable order."""
    found: dict[tuple[str, str], SealedColumn] = {}

    def add(model: Any, name: str) -> None:
        field = model._meta.get_field(name)
        column = SealedColumn(model, name, model._meta.db_table, field.column)
        found[(column.table, column.column)] = column

    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, SealedTextField):
                add(model, field.name)
    for app_label, model_name, name in HAND_SEALED:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # an app not installed here holds nothing
            continue
        add(model, name)
    return [found[k] for k in sorted(found)]


def _quoted(column: SealedColumn) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(column.table), quote(column.column)


def key_uses_by_column(key_id: str) -> tuple[dict[str, int], int]:
    """How many values of each sealed column name `key_id` (columns with none left out),
    and how many sealed values were looked at in all."""
    prefix = f"{PREFIX}${key_id}$"
    uses: dict[str, int] = {}
    looked_at = 0
    with connection.cursor() as cursor:
        for column in sealed_columns():
            table, name = _quoted(column)
            cursor.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN SUBSTR({name}, 1, %s) = %s THEN 1 ELSE 0 END) "  # noqa: S608
                f"FROM {table} WHERE {name} IS NOT NULL AND {name} <> ''",
                [len(prefix), prefix],
            )
            total, naming = cursor.fetchone()
            looked_at += int(total or 0)
            if naming:
                uses[column.label] = int(naming)
    return uses, looked_at


def keys_in_use() -> dict[str, dict[str, int]]:
    """Per key id named by any sealed value: how many values of each column name it."""
    found: dict[str, Counter[str]] = {}
    width = len(PREFIX) + 10  # "v1$" + an 8-digit key id + "$"
    with connection.cursor() as cursor:
        for column in sealed_columns():
            table, name = _quoted(column)
            cursor.execute(
                f"SELECT SUBSTR({name}, 1, %s), COUNT(*) FROM {table} "  # noqa: S608
                f"WHERE {name} IS NOT NULL AND {name} <> '' GROUP BY 1",
                [width],
            )
            for start, count in cursor.fetchall():
                parts = start.split("$")
                key = parts[1] if len(parts) == 3 and parts[0] == PREFIX and not parts[2] else "?"
                found.setdefault(key, Counter())[column.label] += int(count)
    return {key: dict(sorted(counts.items())) for key, counts in sorted(found.items())}


def keys_still_used(key_ids: list[str], newest: str) -> dict[str, dict[str, int]]:
    """For `kenes rotate-keys --json`: every key but the newest (configured, or named by a
    value), with the columns that still need it; an empty dict means the key may go."""
    in_use = keys_in_use()
    keys = [k for k in key_ids if k != newest] + [
        k for k in in_use if k != newest and k not in key_ids
    ]
    return {key: in_use.get(key, {}) for key in keys}


@receiver(key_uses, dispatch_uid="kenes.registry.sealed_columns")
def count_key_uses(sender: Any, *, key_id: str, **_: Any) -> dict[str, Any]:
    """The answer to kenes.custody.signals.key_uses (`kenes custody drop-key` asks it)."""
    uses, looked_at = key_uses_by_column(key_id)
    return {"uses": uses, "columns": len(sealed_columns()), "values": looked_at}


def reseal_sealed_fields(*, skip: set[Any], chunk: int = 1000) -> dict[str, int]:
    """Re-seal under the newest key every SealedTextField of the models not in `skip` (the
    ones `kenes rotate-keys` handles itself): reading opens a value under whichever key
    sealed it, saving seals it under the newest. Returns rows re-sealed per table, for the
    tables that had any. Columns sealed by hand (HAND_SEALED) are re-sealed by their owners.
    """
    fields_by_model: dict[Any, list[str]] = {}
    for column in sealed_columns():
        field = column.model._meta.get_field(column.field)
        if column.model not in skip and isinstance(field, SealedTextField):
            fields_by_model.setdefault(column.model, []).append(column.field)
    done: dict[str, int] = {}
    for model, names in fields_by_model.items():
        manager = model._base_manager
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), chunk):
            rows = list(manager.filter(pk__in=pks[start : start + chunk]))
            manager.bulk_update(rows, names)
        if pks:
            done[model._meta.db_table] = len(pks)
    return done
