"""Figures and the "zero lost" check of bench.ballots_load (reads the database with psycopg).

Kenes: every code whose POST returned a receipt has exactly one counted ballot, the one
with its last receipt; earlier receipts of the same code are gone (replaced); no ballot
exists that no voter got a receipt for; the voter roll's has_voted count equals the
number of codes that voted. Peer: one row per receipt, nothing more, nothing less.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figures:
    ballots: int  # POSTs answered 200 with a receipt, completed inside the window
    per_second: float
    post_ms: dict[str, float]
    get_ms: dict[str, float]
    errors: int  # over the whole run, warm-up included
    error_samples: list[str] = field(default_factory=list)
    total_ok: int = 0  # receipts over the whole run
    revotes_ok: int = 0


def quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1] * 1000}


def figures(records: list[dict[str, Any]], window: tuple[float, float]) -> Figures:
    low, high = window
    ok = [r for r in records if r.get("status") == 200 and r.get("receipt")]
    inside = [r for r in ok if low <= r["done"] <= high]
    gets = [r["get_s"] for r in records if "get_s" in r and low <= r["done"] <= high]
    bad = [r for r in records if r.get("error")]
    return Figures(
        ballots=len(inside),
        per_second=len(inside) / (high - low),
        post_ms=quantiles([r["post_s"] for r in inside]),
        get_ms=quantiles(gets),
        errors=len(bad),
        error_samples=list(dict.fromkeys(str(r["error"]) for r in bad))[:5],
        total_ok=len(ok),
        revotes_ok=sum(1 for r in ok if r.get("revote")),
    )


def _receipts_by_code(records_by_voter: list[list[dict[str, Any]]]) -> dict[str, list[str]]:
    """Each code's receipts in the order its POSTs completed (one voter process per code)."""
    by_code: dict[str, list[str]] = {}
    for records in records_by_voter:
        for r in records:
            if r.get("status") == 200 and r.get("receipt"):
                by_code.setdefault(r["code"], []).append(r["receipt"])
    return by_code


def close_election(env: dict[str, str], election: int) -> None:
    """Close the vote as an officer does: its sealed envelopes are opened into the box."""
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from kenes.ballots import services\n"
        "from kenes.ballots.models import Election\n"
        f"services.do_close(Election.objects.get(pk={election}), acting_user='bench')\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True)


def verify_kenes(
    url: str, election: int, records_by_voter: list[list[dict[str, Any]]]
) -> tuple[bool, str]:
    """After `close_election`: the box against the receipts the voters were given."""
    import psycopg

    by_code = _receipts_by_code(records_by_voter)
    with psycopg.connect(url) as conn:
        stored = [
            row[0]
            for row in conn.execute(
                "SELECT receipt FROM ballots_ballot WHERE election_id = %s", [election]
            )
        ]
        voted = conn.execute(
            "SELECT count(*) FROM ballots_voterroll WHERE election_id = %s AND has_voted",
            [election],
        ).fetchone()
    in_box = set(stored)
    last = {receipts[-1] for receipts in by_code.values()}
    earlier = {r for receipts in by_code.values() for r in receipts[:-1]}
    missing = last - in_box
    stale = earlier & in_box
    phantom = in_box - last
    has_voted = voted[0] if voted else -1
    good = (
        not missing
        and not stale
        and not phantom
        and len(stored) == len(in_box) == len(by_code)
        and has_voted == len(by_code)
    )
    text = (
        f"codes with a receipt {len(by_code)}, ballots in the box {len(stored)}, "
        f"has_voted {has_voted}; last receipts missing {len(missing)}, replaced receipts "
        f"still counted {len(stale)}, ballots without a receipt {len(phantom)}, "
        f"re-votes {sum(len(v) - 1 for v in by_code.values())}"
    )
    return good, text


def verify_peer(url: str, records_by_voter: list[list[dict[str, Any]]]) -> tuple[bool, str]:
    import psycopg

    got = [
        r["receipt"]
        for records in records_by_voter
        for r in records
        if r.get("status") == 200 and r.get("receipt")
    ]
    with psycopg.connect(url) as conn:
        stored = [row[0] for row in conn.execute("SELECT receipt FROM peer_vote_plainballot")]
    good = sorted(got) == sorted(stored)
    return good, f"receipts {len(got)}, rows {len(stored)}, equal sets: {good}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and a == a and b == b else "-"
