"""Nothing is lost or doubled when the server is killed while ballots are being cast.

A real server (`kenes runserver` on the demo's SQLite database) takes re-votes from ten
voters at once; it is killed with SIGKILL in the middle. Afterwards each code has exactly
one ballot: the one whose receipt the voter last received, or — if a request of that voter
was cut off — possibly that request's ballot, but never none and never two; the voter roll
agrees with the ballots; the database is intact.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from tests.system.demo_server import free_port, seeded_demo, start_server

CHECK = """
import json, sys
import django
django.setup()
from django.db import connection
from kenes.ballots.models import BallotEnvelope, Election, VoterRoll
from kenes.ballots import envelopes
from kenes.ballots.casting import _slot
from kenes.participation.codes import normalise
election = Election.objects.get(method="schulze")
codes = json.loads(sys.argv[1])
slots = {code: _slot(election, normalise(code)) for code in codes}
inside = dict(envelopes.opened(election))
found = {code: inside.get(slot) for code, slot in slots.items()}
receipts = {code: [c.receipt] if c else [] for code, c in found.items()}
with connection.cursor() as cursor:
    cursor.execute("PRAGMA integrity_check")
    integrity = cursor.fetchone()[0]
print(json.dumps({
    "receipts": receipts,
    "online_ballots": BallotEnvelope.objects.filter(election=election).count(),
    "voted": VoterRoll.objects.filter(election=election, has_voted=True).count(),
    "integrity": integrity,
}))
"""


class Voter(threading.Thread):
    """Casts again and again with one code; remembers answered and cut-off requests."""

    def __init__(self, port: int, code: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.code, self.stop = port, code, stop
        self.receipts: list[str] = []
        self.cut_off = 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", f"/vote/{self.code}/")
                response = conn.getresponse()
                page = response.read().decode()
                cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
                election = re.search(r'name="election" value="(\d+)"', page).group(1)
            except (OSError, http.client.HTTPException, AttributeError):
                return  # the server is gone: nothing was sent
            n += 1
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "code": self.code,
                    "election": election,
                    f"rank_{n % 4}": "1",
                    f"rank_{(n + 1) % 4}": "2",
                }
            )
            try:
                conn.request(
                    "POST",
                    "/vote/cast/",
                    body,
                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
                )
                response = conn.getresponse()
                page = response.read().decode()
                if response.status == 303:  # stored; the receipt is on the page it leads to
                    sent = response.getheader("Set-Cookie", "").split(";", 1)[0]
                    conn.request("GET", response.getheader("Location"), headers={"Cookie": sent})
                    response = conn.getresponse()
                    page = response.read().decode()
            except (OSError, http.client.HTTPException):
                self.cut_off += 1  # sent, but no answer: it may or may not have been stored
                return
            receipt = re.search(r'id="receipt"[^>]*>([^<]+)<', page)
            if response.status == 200 and receipt is None:
                self.cut_off += 1  # the page was cut off before the receipt: outcome unknown
                return
            if receipt is not None:
                self.receipts.append(receipt.group(1).replace(" ", "").strip())
            conn.close()


def test_killing_the_server_mid_cast_loses_and_doubles_nothing(tmp_path: Path) -> None:
    env, codes = seeded_demo(tmp_path)  # the codes of the demo's open election
    assert len(codes) == 10
    port = free_port()
    server = start_server(env, port)
    try:
        stop = threading.Event()
        voters = [Voter(port, code, stop) for code in codes]
        for voter in voters:
            voter.start()
        deadline = time.monotonic() + 30
        while sum(len(v.receipts) for v in voters) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        for voter in voters:
            voter.join(timeout=15)
    finally:
        if server.poll() is None:
            server.kill()
    answered = sum(len(v.receipts) for v in voters)
    assert answered >= 40, "the voters did not get going before the kill"

    check = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(codes)],
        env={**env, "DJANGO_SETTINGS_MODULE": "kenes.settings"},
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    state = json.loads(check.stdout)
    assert state["integrity"] == "ok"
    for voter in voters:
        stored = state["receipts"][voter.code]
        if not voter.receipts and not voter.cut_off:
            assert stored == []
            continue
        assert len(stored) == 1, voter.code  # never two ballots for one code
        if voter.cut_off == 0:
            assert stored == [voter.receipts[-1]]  # the last answered ballot is the one kept
        else:
            assert stored[0] not in voter.receipts[:-1]  # never an earlier, replaced ballot
    with_ballot = sum(1 for r in state["receipts"].values() if r)
    # The demo cast some ballots with other codes before: the roll counts them too.
    assert state["voted"] == state["online_ballots"]
    assert with_ballot >= sum(1 for v in voters if v.receipts)
