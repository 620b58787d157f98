"""The few statements every voter's request sends, prepared once per connection on PostgreSQL.

Django binds parameters in the client (psycopg's ClientCursor), so PostgreSQL parses and
plans every statement anew. For the statements of a voter's page that planning was two
thirds of the server's work per ballot (bench/README.md, bench.ballots_load): `fetch`
runs such a statement with its parameters bound by the server and prepared on first use,
so each connection plans it once. Every other query keeps Django's way: server-side
binding allows at most 65,535 parameters a statement, which large imports and bulk inserts
exceed. Other databases, and KENES_DB_PREPARE=0 (e.g. behind a transaction-pooling
PgBouncer older than 1.21, which cannot keep prepared statements), go Django's way too.

Django's cursor wrapper still runs the statement: its thread and broken-transaction
checks, error wrapping and execute wrappers apply as to any query. While Django logs
queries (DEBUG, or a test capturing them) statements go its plain way, so that the log
shows them as written.
Results should be plain values (numbers, text): timestamps would come back in the
connection's time zone, not converted as Django's own cursors convert them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

from django.db import connection

_ONLY_WHEN_ASKED = 2**62


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of `sql` run with `params` (`%s` placeholders), prepared where possible."""
    if connection.vendor != "postgresql" or connection.queries_logged or not _preparing():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:  # Django's default: psycopg prepares nothing,
        # not even when asked. A threshold no statement reaches: only what is asked for here.
        raw_connection.prepare_threshold = _ONLY_WHEN_ASKED
    raw = _prepared_cursor_class()(raw_connection)
    with connection.make_cursor(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _preparing() -> bool:
    return os.environ.get("KENES_DB_PREPARE", "1") != "0"


@functools.cache
def _prepared_cursor_class() -> type:
    """Django's server-binding psycopg cursor, preparing every statement it runs."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):  # type: ignore[misc]
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, **{**options, "prepare": True})

    return PreparedCursor
