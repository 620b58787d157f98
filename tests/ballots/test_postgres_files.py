"""After the close, PostgreSQL's table files hold no envelope and no vote key (finding 1).

The adversary copies the data directory after the close and searches every file of the
database for what was written during the vote: the envelopes' sealed bytes and the vote's
sealed key (which, with the field key, would open envelopes still in old pages). Before the
close they are there (the test would see them); after it, VACUUM FULL has moved the live
rows into new files and the old ones are gone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from kenes.ballots import casting, services
from kenes.ballots.models import BallotEnvelope, Election
from tests.ballots.conftest import open_election

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KENES_TEST_DB") != "postgres",
        reason="PostgreSQL's files are tested on PostgreSQL (make test runs it there)",
    ),
]


def _database_files() -> bytes:
    """Every file of this database in the data directory, as a copy would hold them."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # what the server holds in memory, on disk
        cursor.execute("SHOW data_directory")
        (data,) = cursor.fetchone()
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        (oid,) = cursor.fetchone()
    folder = Path(data) / "base" / str(oid)
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


def test_after_the_close_no_table_file_holds_an_envelope_or_the_votes_key(members, officers):
    election, codes = open_election(members, officers["admin"])
    for code in list(codes.values())[:5]:
        casting.do_cast(election, code, [[1], [0]])
    casting.do_cast(election, next(iter(codes.values())), [[2]])  # a re-vote
    key = Election.objects.get(pk=election.pk).envelope_private_key.encode()
    sealed = [bytes(s) for s in BallotEnvelope.objects.values_list("sealed", flat=True)]
    before = _database_files()
    assert key in before and all(s in before for s in sealed)  # the adversary's view works
    services.do_close(election, acting_user=officers["admin"])
    after = _database_files()
    assert key not in after
    assert not [s for s in sealed if s in after]
