"""What an adversary reads from a copied SQLite data folder: the database as of every commit.

SQLite's write-ahead log keeps, frame after frame, the full image of every page each commit
changed. Writing a commit's frames over the database file (in order, up to that commit)
gives the database exactly as it was right after that commit; two neighbouring states show
what that one commit changed, e.g. which voter-roll row flipped and which ballot appeared.
No key is needed for any of this. Used by tests/system/test_data_folder_secrecy.py.
"""

from __future__ import annotations

import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

WAL_HEADER = 32
FRAME_HEADER = 24


def commits(database: bytes, wal: bytes) -> Iterator[bytes]:
    """The database file as it was after each commit still in the log, oldest first.

    Only the frames of the log's current generation (the salts of its header) count as
    SQLite would count them; older frames past them are stale pages of earlier generations
    (looked at separately, by searching their bytes).
    """
    if len(wal) < WAL_HEADER:
        return
    page_size = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    state = bytearray(database)
    offset = WAL_HEADER
    pending: list[tuple[int, bytes]] = []
    while offset + FRAME_HEADER + page_size <= len(wal):
        header = wal[offset : offset + FRAME_HEADER]
        page_number, size_after_commit = struct.unpack(">II", header[:8])
        if header[8:16] != salts:
            break
        pending.append(
            (page_number, wal[offset + FRAME_HEADER : offset + FRAME_HEADER + page_size])
        )
        offset += FRAME_HEADER + page_size
        if size_after_commit:
            for number, page in pending:
                start = (number - 1) * page_size
                if len(state) < start + page_size:
                    state.extend(b"\0" * (start + page_size - len(state)))
                state[start : start + page_size] = page
            del state[size_after_commit * page_size :]
            pending = []
            yield bytes(state)


def query(state: bytes, sql: str) -> list[tuple[object, ...]]:
    """Rows of `sql` on one database state (a file of its own, opened read-only)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.sqlite3"
        path.write_bytes(state)
        connection = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return connection.execute(sql).fetchall()
        except sqlite3.DatabaseError:
            return []  # a table that does not exist yet in this state
        finally:
            connection.close()
