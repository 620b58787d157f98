"""A copy of the data folder taken at any moment links no ballot to a member (SQLite).

The adversary of issue 10, finding 1: someone who copies `var/` (the database, its `-wal`
and `-shm`) of a running server, after a crash, or after the close — no keys. They replay
the write-ahead log commit by commit (tests/system/sqlite_wal.py) and look for a commit in
which a voter-roll row flipped to "voted" while a readable ballot appeared, and they search
every byte for the receipts voters were given. A second adversary also holds the server's
field key (the development key file in `var/`): after the close they must find nothing that
still opens the sealed envelopes.

A real server (`kenes runserver` on the demo's database) takes the votes over HTTP.
"""

from __future__ import annotations

import http.client
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import urllib.parse
from pathlib import Path

from tests.system import sqlite_wal
from tests.system.demo_server import free_port, seeded_demo, start_server

CLOSE = """
import django
django.setup()
from django.contrib.auth import get_user_model
from kenes.ballots import services
from kenes.ballots.models import Election
election = Election.objects.get(method="schulze")
services.do_close(election, acting_user=get_user_model().objects.get(username="admin"))
"""

ROLL = "SELECT election_id, voter FROM ballots_voterroll WHERE has_voted"
BOX = "SELECT receipt FROM ballots_ballot WHERE NOT paper"
ENVELOPES = "SELECT slot, sealed FROM ballots_ballotenvelope"
KEYS = "SELECT id, envelope_private_key FROM ballots_election WHERE envelope_private_key != ''"


def _vote(port: int, code: str, ranks: dict[str, str]) -> str:
    """Vote as a member does (code page, then the form); the receipt shown to the voter."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/vote/{code}/")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    election = re.search(r'name="election" value="(\d+)"', page)
    assert token and election, page[:500]
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "code": code, "election": election.group(1)} | ranks
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/vote/cast/", body, headers)
    response = conn.getresponse()
    page = response.read().decode()
    location = response.getheader("Location")
    if response.status in (302, 303) and location:  # POST, redirect, GET: the receipt page
        for header in response.getheaders():
            if header[0].lower() == "set-cookie":
                headers["Cookie"] += "; " + header[1].split(";", 1)[0]
        conn.request("GET", location, headers={"Cookie": headers["Cookie"]})
        response = conn.getresponse()
        page = response.read().decode()
    conn.close()
    receipt = re.search(r'id="receipt"[^>]*>([^<]+)<', page)
    assert response.status == 200 and receipt, page[:500]
    return receipt.group(1).replace(" ", "").strip()


def _copy(var: Path, to: Path) -> dict[str, bytes]:
    """The data folder as a copy taken now: database, log and shared-memory index."""
    to.mkdir()
    files = {}
    for suffix in ("", "-wal", "-shm"):
        source = var / f"kenes.sqlite3{suffix}"
        if source.exists():
            shutil.copyfile(source, to / source.name)
            files[suffix] = (to / source.name).read_bytes()
    return files


def _links(files: dict[str, bytes]) -> list[tuple[set[object], set[object]]]:
    """Commits that flipped roll rows AND made online ballots readable: each one a link."""
    linked = []
    states = [files[""], *sqlite_wal.commits(files[""], files.get("-wal", b""))]
    before_roll = set(sqlite_wal.query(states[0], ROLL))
    before_box = set(sqlite_wal.query(states[0], BOX))
    for state in states[1:]:
        roll, box = set(sqlite_wal.query(state, ROLL)), set(sqlite_wal.query(state, BOX))
        if roll - before_roll and box - before_box:
            linked.append((roll - before_roll, box - before_box))
        before_roll, before_box = roll, box
    return linked


def _flips_beside_envelopes(files: dict[str, bytes]) -> int:
    """Commits that flipped a roll row and wrote an envelope: what the replay can see."""
    seen = 0
    states = [files[""], *sqlite_wal.commits(files[""], files.get("-wal", b""))]
    before_roll = set(sqlite_wal.query(states[0], ROLL))
    before_envelopes = set(sqlite_wal.query(states[0], ENVELOPES))
    for state in states[1:]:
        roll, envelopes = (
            set(sqlite_wal.query(state, ROLL)),
            set(sqlite_wal.query(state, ENVELOPES)),
        )
        seen += bool(roll - before_roll and envelopes - before_envelopes)
        before_roll, before_envelopes = roll, envelopes
    return seen


def _everything(files: dict[str, bytes]) -> bytes:
    return b"".join(files.values())


def test_no_copy_of_the_data_folder_links_a_ballot_to_a_member(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env, codes = seeded_demo(var)  # the codes of the demo's open election
    port = free_port()
    receipts: list[str] = []
    # Another process keeps the database open, as the task worker does: SQLite then keeps
    # the log between requests (the last connection to close would fold it in and delete it).
    worker = sqlite3.connect(var / "kenes.sqlite3")
    worker.execute("SELECT count(*) FROM ballots_election").fetchall()
    server = start_server(env, port)
    try:
        for n, code in enumerate(codes):
            receipts.append(_vote(port, code, {"rank_0": "1", f"rank_{1 + n % 3}": "2"}))
        for code in codes[:3]:  # re-votes: a coercer wants the superseded ballots
            receipts.append(_vote(port, code, {"rank_3": "1"}))
        during = _copy(var, tmp_path / "during")
        server.send_signal(signal.SIGKILL)  # a crash in the middle of the vote
        server.wait(timeout=10)
        crashed = _copy(var, tmp_path / "crashed")
    finally:
        if server.poll() is None:
            server.kill()
        worker.close()
    assert len(during.get("-wal", b"")) > 0, "the copy during voting has no log to read"
    # The replay works at the grain that would link: each cast's commit flips one roll row
    # and writes one envelope. Only the envelope's being sealed keeps the ballot unreadable.
    assert _flips_beside_envelopes(during) >= len(codes)
    for copy in (during, crashed):
        assert _links(copy) == []
        found = [r for r in receipts if r.encode() in _everything(copy)]
        assert found == [], "a receipt a voter was given is readable before the close"
        states = list(sqlite_wal.commits(copy[""], copy.get("-wal", b"")))
        assert states, "the log holds the votes' commits"
        assert any(sqlite_wal.query(state, ENVELOPES) for state in states)
    sealed_keys = {key for _id, key in sqlite_wal.query(states[-1], KEYS)}
    assert sealed_keys

    server = start_server(env, port)  # restarted after the crash; the officer closes the vote
    worker = sqlite3.connect(var / "kenes.sqlite3")
    worker.execute("SELECT count(*) FROM ballots_election").fetchall()
    try:
        subprocess.run(
            [sys.executable, "-c", CLOSE],
            env={**env, "DJANGO_SETTINGS_MODULE": "kenes.settings"},
            check=True,
            capture_output=True,
            timeout=120,
        )
        closed = _copy(var, tmp_path / "closed")
    finally:
        worker.close()
        server.kill()
        server.wait(timeout=10)
    assert _links(closed) == []
    last = [*sqlite_wal.commits(closed[""], closed.get("-wal", b""))] or [closed[""]]
    box = {receipt for (receipt,) in sqlite_wal.query(last[-1], BOX)}
    kept = set(receipts[3:])  # each code's last receipt; the three replaced ones are gone
    assert kept <= box and not set(receipts[:3]) & box
    # The key holder: no envelope, and no sealed key that would open one, anywhere.
    everything = _everything(closed)
    assert not [key for key in sealed_keys if key.encode() in everything]
    assert all(not sqlite_wal.query(state, ENVELOPES) for state in last)
    assert not [r for r in receipts[:3] if r.encode() in everything]
