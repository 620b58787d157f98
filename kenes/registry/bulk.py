"""Fast bulk inserts for imports: plain value tuples, no model instances.

A 100,000-row import spent half its time in the ORM preparing model
instances field by field (bench/README.md). Here rows are tuples already in
the database's form: SQLite gets one `executemany`, PostgreSQL a `COPY`.
Values must be adapted by the caller with `connection.ops` (dates, times).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def columns_of(model: type[Model], names: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]  # type: ignore[union-attr]


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert `rows` (tuples in the order of `names`) into `model`'s table."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in columns_of(model, names))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3: COPY is its fastest bulk path
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
