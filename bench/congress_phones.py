"""The delegates' phones of bench.congress_load: processes of threads, plain http.client.

Each phone is a thread with its own keep-alive connection (reconnecting where the server
closes it). It polls `/hall/<slug>/state.json` every `poll` seconds from a random offset,
sending If-None-Match with the last ETag (a 304 keeps its state), and once, at a random
moment in the casting window, casts its ballot on the motion as a phone's browser does:
GET `/vote/<code>/` (bench.ballots_voters reads the form), then POST `/vote/cast/` with a
random yes/no/abstain and follow the 303 to the receipt. It records every poll's latency
and each change of what the state shows (the vote under way or not, the speaker), with the
time it arrived: the driver compares those with the moments the chair acted.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.ballots_voters import TIMEOUT, form_inputs, receipt_of

CHOICES = ("yes", "no", "abstain")


@dataclass
class Plan:
    """One process's phones; times are time.monotonic() (system-wide on Linux)."""

    index: int
    host: str
    port: int
    slug: str
    codes: list[str]
    poll: float  # seconds between polls; 0: this run does not poll
    seed: int
    out: str


class Phone:
    def __init__(self, plan: Plan, number: int) -> None:
        self.origin = f"https://{plan.host}:{plan.port}"
        self.host, self.port = plan.host, plan.port
        self.conn = http.client.HTTPConnection(plan.host, plan.port, timeout=TIMEOUT)
        self.base = {
            "Host": f"{plan.host}:{plan.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.{number // 250 % 250}.{number % 250}.9",
            "User-Agent": "kenes-bench-phone/1",
            "Accept-Language": "kk",
        }

    def request(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int, bytes, Any]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers={**self.base, **headers})
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # An idle keep-alive connection the server closed: once more on a new one.
                self.conn.close()
                if attempt == 2:
                    raise
        if response.will_close:
            self.conn.close()
        return response.status, data, response.headers

    def cast(self, code: str, rng: random.Random) -> dict[str, Any]:
        path = f"/vote/{urllib.parse.quote(code)}/"
        started = time.monotonic()
        status, data, headers = self.request("GET", path, None, {})
        got = time.monotonic()
        record: dict[str, Any] = {"code": code, "get_s": got - started, "get_status": status}
        if status != 200:
            record.update(status=None, error=f"GET {status}", done=got)
            return record
        page = data.decode("utf-8", "replace")
        cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
        inputs = form_inputs(page)
        if "csrfmiddlewaretoken" not in inputs:
            record.update(status=None, error="GET: no form on the ballot page", done=got)
            return record
        fields = {
            "csrfmiddlewaretoken": inputs["csrfmiddlewaretoken"],
            "code": inputs.get("code", code),
            "election": inputs.get("election", ""),
            "choice": rng.choice(CHOICES),
        }
        sent = time.monotonic()
        status, data, headers = self.request(
            "POST",
            "/vote/cast/",
            urllib.parse.urlencode(fields),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
                "Cookie": "; ".join(cookies),
            },
        )
        if status == 303:  # POST, redirect, GET: the receipt page is part of the cast
            more = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
            status, data, _ = self.request(
                "GET", "/vote/receipt/", None, {"Cookie": "; ".join([*cookies, *more])}
            )
        done = time.monotonic()
        receipt = receipt_of(data.decode("utf-8", "replace")) if status == 200 else ""
        record.update(status=status, post_s=done - sent, done=done, receipt=receipt)
        if status != 200:
            record["error"] = f"POST {status}"
        elif not receipt:
            record["error"] = "POST 200 without a receipt"
        return record


def summary(state: dict[str, Any]) -> list[Any]:
    """What the driver watches for: the vote under way (its state) and who speaks."""
    vote = state.get("vote")
    speaker = state.get("speaker")
    result = state.get("last_result")
    return [
        vote["state"] if vote else None,
        speaker["name"] if speaker else None,
        result["title"] if result else None,
    ]


def phone(
    plan: Plan, number: int, code: str, times: Any, out: dict[str, Any], rng: random.Random
) -> None:
    start, cast_from, cast_to = times[0], times[1], times[2]
    client = Phone(plan, number)
    cast_at = rng.uniform(cast_from, cast_to)
    next_poll = start + rng.uniform(0, plan.poll) if plan.poll else float("inf")
    polls: list[tuple[float, float, int]] = []  # (done, seconds, status)
    changes: list[tuple[float, list[Any]]] = []
    etag = ""
    shown: list[Any] | None = None
    record: dict[str, Any] | None = None
    while True:
        now = time.monotonic()
        end = times[3]  # set by the driver once the chair has closed the vote
        if record is None and now >= cast_at:
            try:
                record = client.cast(code, rng)
            except (OSError, http.client.HTTPException) as exc:
                client.conn.close()
                record = {"code": code, "status": None, "done": time.monotonic()}
                record["error"] = repr(exc)
            continue
        if now >= end and record is not None:
            break
        if now >= next_poll and now < end:
            headers = {"If-None-Match": etag} if etag else {}
            sent = time.monotonic()
            try:
                status, data, response_headers = client.request(
                    "GET", f"/hall/{plan.slug}/state.json", None, headers
                )
            except (OSError, http.client.HTTPException):
                client.conn.close()
                status, data, response_headers = 0, b"", None
            done = time.monotonic()
            polls.append((done, done - sent, status))
            if status == 200:
                etag = response_headers.get("ETag", "")
                seen = summary(json.loads(data))
                if seen != shown:
                    changes.append((done, seen))
                    shown = seen
            next_poll += plan.poll
            while next_poll < time.monotonic():  # fell behind: skip, as a phone's timer does
                next_poll += plan.poll
            continue
        wake = min(next_poll, cast_at if record is None else float("inf"), max(end, now + 0.01))
        time.sleep(max(0.001, min(0.5, wake - time.monotonic())))
    client.conn.close()
    out[code] = {"record": record, "polls": polls, "changes": changes}


def run(plan: Plan, ready: Any, go: Any, times: Any) -> None:
    """This process's phones, one thread each, from times[0] to times[3]."""
    rng = random.Random(plan.seed * 1000 + plan.index)
    results: dict[str, Any] = {}
    threads = [
        threading.Thread(
            target=phone,
            args=(plan, plan.index * 10_000 + n, code, times, results, random.Random(rng.random())),
            daemon=True,
        )
        for n, code in enumerate(plan.codes)
    ]
    ready.wait()
    go.wait()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Path(plan.out).write_text(json.dumps(results))
