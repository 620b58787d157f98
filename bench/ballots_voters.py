"""The voters of bench.ballots_load: one process each, plain http.client, no Django.

Each voter process takes its share of the personal codes and, for every code, does
what a phone does: GET /vote/<code>/ (keeping the CSRF cookie), then POST
/vote/cast/ with the hidden fields and a random ranking, and reads the receipt.
About a tenth of the codes vote a second time a few voters later (the
coercion-resistance path: only the last ballot counts). The connection is kept
alive where the server allows it (gunicorn's sync workers close it each time;
http.client then reconnects). Requests carry what a TLS-terminating proxy adds
(X-Forwarded-Proto, X-Forwarded-For) and the Origin/Referer a browser sends.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REVOTE_SHARE = 0.10
REVOTE_AFTER = 3  # a re-vote comes this many voters later, not back to back
TIMEOUT = 60.0

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'\b(name|value)\s*=\s*"([^"]*)"', re.IGNORECASE)
_RECEIPT = re.compile(r'id\s*=\s*"receipt"[^>]*>(.{0,400})', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"[0-9A-Z]{16,32}")


@dataclass
class Plan:
    """What one voter process does; times are time.monotonic() (system-wide on Linux)."""

    index: int
    host: str
    port: int
    codes: list[str]
    seed: int
    out: str


def form_inputs(page: str) -> dict[str, str]:
    """name → value of every <input> on the page (the hidden fields and the rank boxes)."""
    found: dict[str, str] = {}
    for tag in _INPUT.findall(page):
        attrs = {k.lower(): v for k, v in _ATTR.findall(tag)}
        if "name" in attrs:
            found.setdefault(attrs["name"], attrs.get("value", ""))
    return found


def receipt_of(page: str) -> str:
    """The receipt shown in the element with id="receipt" (grouping dashes/spaces ignored)."""
    match = _RECEIPT.search(page)
    if not match:
        return ""
    text = _TAG.sub(" ", match.group(1)).split("<")[0]
    token = _TOKEN.search(text.replace("-", "").replace("\u00a0", "").replace(" ", ""))
    return token.group(0) if token else ""


def random_ranking(positions: list[int], rng: random.Random) -> dict[str, str]:
    """rank_<position> fields: a random 1..n of the candidates ranked, the rest left blank."""
    ranked = rng.sample(positions, rng.randint(1, len(positions)))
    fields = {f"rank_{p}": "" for p in positions}
    for rank, position in enumerate(ranked, start=1):
        fields[f"rank_{position}"] = str(rank)
    return fields


class Voter:
    """One browser-like client on one keep-alive connection."""

    def __init__(self, plan: Plan) -> None:
        self.origin = f"https://{plan.host}:{plan.port}"
        self.conn = http.client.HTTPConnection(plan.host, plan.port, timeout=TIMEOUT)
        self.base = {
            "Host": f"{plan.host}:{plan.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.{plan.index // 250}.{plan.index % 250}.7",
            "User-Agent": "kenes-bench-voter/1",
            "Accept-Language": "ru",
        }

    def request(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int, str, list[str]]:
        try:
            self.conn.request(method, path, body=body, headers={**self.base, **headers})
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed an idle keep-alive connection: retry once on a new one.
            self.conn.close()
            self.conn.request(method, path, body=body, headers={**self.base, **headers})
            response = self.conn.getresponse()
        page = response.read().decode("utf-8", "replace")
        cookies = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
        if response.will_close:
            self.conn.close()
        return response.status, page, cookies

    def vote(self, code: str, rng: random.Random) -> dict[str, Any]:
        """GET the ballot, POST a ranking; the POST's latency, status and receipt."""
        path = f"/vote/{urllib.parse.quote(code)}/"
        started = time.monotonic()
        status, page, cookies = self.request("GET", path, None, {})
        got = time.monotonic()
        record: dict[str, Any] = {"code": code, "get_s": got - started, "get_status": status}
        if status != 200:
            record.update(status=None, error=f"GET {status}", done=got)
            return record
        inputs = form_inputs(page)
        positions = sorted(int(k[5:]) for k in inputs if re.fullmatch(r"rank_\d+", k))
        if "csrfmiddlewaretoken" not in inputs or not positions:
            record.update(status=None, error="GET: no form on the ballot page", done=got)
            return record
        fields = {
            "csrfmiddlewaretoken": inputs["csrfmiddlewaretoken"],
            "code": inputs.get("code", code),
            "election": inputs.get("election", ""),
            **random_ranking(positions, rng),
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + path,
            "Cookie": "; ".join(cookies),
        }
        sent = time.monotonic()
        body = urllib.parse.urlencode(fields)
        status, page, set_cookies = self.request("POST", "/vote/cast/", body, headers)
        if status == 303:  # POST, redirect, GET: the receipt page (Kenes); part of the cast
            cookie = "; ".join([*cookies, *set_cookies])
            status, page, _ = self.request("GET", "/vote/receipt/", None, {"Cookie": cookie})
        done = time.monotonic()
        receipt = receipt_of(page) if status == 200 else ""
        record.update(status=status, post_s=done - sent, done=done, receipt=receipt)
        if status != 200:
            record["error"] = f"POST {status}: {_TAG.sub(' ', page)[:200].split()}"
        elif not receipt:
            record["error"] = "POST 200 without a receipt"
        return record


def run(plan: Plan, ready: Any, go: Any, times: Any) -> None:
    """Vote from `times[0]` (start) until `times[1]` (end), then write the records."""
    rng = random.Random(plan.seed * 1000 + plan.index)
    voter = Voter(plan)
    ready.wait()
    go.wait()
    start, end = times[0], times[1]
    while time.monotonic() < start:
        time.sleep(0.001)
    records: list[dict[str, Any]] = []
    fresh = deque(plan.codes)
    revotes: deque[tuple[int, str]] = deque()
    exhausted = False
    while time.monotonic() < end:
        if revotes and revotes[0][0] <= len(records):
            code, second = revotes.popleft()[1], True
        elif fresh:
            code, second = fresh.popleft(), False
        elif revotes:
            code, second = revotes.popleft()[1], True
        else:
            exhausted = True
            break
        try:
            record = voter.vote(code, rng)
        except (OSError, http.client.HTTPException) as exc:
            voter.conn.close()
            record = {"code": code, "status": None, "done": time.monotonic(), "error": repr(exc)}
        record["revote"] = second
        records.append(record)
        if not second and record.get("receipt") and rng.random() < REVOTE_SHARE:
            revotes.append((len(records) + REVOTE_AFTER, code))
    voter.conn.close()
    Path(plan.out).write_text(json.dumps({"records": records, "exhausted": exhausted}))
