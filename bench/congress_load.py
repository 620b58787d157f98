"""Congress load benchmark: 1,000 delegates' phones following the hall and casting on one
motion, Kenes under gunicorn with PostgreSQL, the bare Django peer beside it for the casts.

    cd /work/main && .venv/bin/python -m bench.congress_load [--delegates N]
        [--processes P] [--poll S] [--warmup W] [--window C] [--after A]
        [--server gthread:4x4] [--runs kenes,kenes-quiet,peer] [--keep]

Setup (not timed; bench/congress_setup.py): a throw-away PostgreSQL (tests/pgserver.py), a
migrated database with N members imported, an ordinary congress with all of them seated,
checked in at the door, voting codes issued, the current item with a speaker and four
waiting, and one secret motion open. Each run copies that database, starts gunicorn
(bench/ballots_server.py, production settings behind a TLS proxy) and N phones in P
processes (bench/congress_phones.py): every phone polls `/hall/<slug>/state.json` every S
seconds (If-None-Match) and casts one ballot at a random moment of the casting window C
(after a warm-up W of polling only). Halfway through the window the chair gives the floor to
the next speaker; after the window (and every cast answered) the chair closes the motion
(bench/congress_setup.py chair). An observer polls the state every 50 ms to time how soon
the state shows each change; the phones' own first sight of it is timed too (that adds
their polling period). Then the database is checked: every receipt's ballot is in the box,
nothing else (bench/ballots_verify.py).

Runs: `kenes` (phones poll and cast), `kenes-quiet` (they only cast: the casting cost without
the polling), `peer` (bench/peer_vote, they only cast: it has no hall). Ratios Kenes/peer
are of the casts. Absolute figures drift on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import ballots_verify as verify
from bench.ballots_load import create_database, kenes_env, peer_env, quiet
from bench.ballots_server import ROOT, Gunicorn, postmaster_pid, tree_cpu
from bench.congress_phones import Plan, run, summary
from bench.congress_setup import MOTION

GOAL_P99_S = 1.0
GOAL_FRESH_S = 2.0


def q(values: list[float]) -> dict[str, float]:
    return verify.quantiles(values)  # ms: p50, p95, p99, max


class Observer(threading.Thread):
    """Polls the state every 50 ms and notes when what it shows changes."""

    def __init__(self, port: int, slug: str) -> None:
        super().__init__(daemon=True)
        self.port, self.slug = port, slug
        self.changes: list[tuple[float, list[Any]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        shown = None
        while not self.stop.is_set():
            try:
                conn.request("GET", f"/hall/{self.slug}/state.json", headers=headers)
                response = conn.getresponse()
                data = response.read()
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                time.sleep(0.05)
                continue
            if response.status == 200:
                seen = summary(json.loads(data))
                if seen != shown:
                    self.changes.append((time.monotonic(), seen))
                    shown = seen
            time.sleep(0.05)
        conn.close()


class Chair:
    """bench.congress_setup chair: Django started once, each action timed at its commit."""

    def __init__(self, env: dict[str, str], slug: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.congress_setup", "chair", "--congress", slug],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the chair did not start: {line!r}")

    def act(self, command: str) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        if not answer or answer[0] != "done":
            raise RuntimeError(f"the chair failed at {command!r}: {answer}")
        return float(answer[1])

    def quit(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(30)


def first_after(changes: list[tuple[float, list[Any]]], moment: float, test: Any) -> float | None:
    """Seconds from `moment` (the chair's return, just after the commit) to the first change
    that shows it; 0 when it was seen before the chair's answer came back (the commit is
    visible before `do_close_vote` returns)."""
    for at, seen in changes:
        if test(seen):
            return max(0.0, at - moment)
    return None


def one_run(name: str, pg: str, setup: dict[str, Any], args: argparse.Namespace, n: int) -> dict:
    app = "peer" if name == "peer" else "kenes"
    polling = name == "kenes"
    work: Path = setup["work"]
    folder = work / f"{n:02d}-{name}"
    folder.mkdir()
    url = create_database(pg, f"run_{n:02d}_{name.replace('-', '_')}", setup[app])
    env = kenes_env(work, url) if app == "kenes" else peer_env(url)
    wsgi = "kenes.wsgi:application" if app == "kenes" else "bench.peer_vote.wsgi:application"
    print(f"  {name:<12} {args.server} ...", end="", flush=True)
    chair = Chair(env, setup["summary"]["congress"]) if app == "kenes" else None
    gunicorn = Gunicorn(wsgi, env, args.server, folder / "gunicorn.log")
    observer = Observer(gunicorn.port, setup["summary"]["congress"]) if polling else None
    ctx = multiprocessing.get_context("spawn")
    ready, go = ctx.Barrier(args.processes + 1), ctx.Event()
    times = ctx.Array("d", 4)
    codes = setup["codes"]
    procs = []
    moments: dict[str, float] = {}
    try:
        for i in range(args.processes):
            plan = Plan(
                i,
                "127.0.0.1",
                gunicorn.port,
                setup["summary"]["congress"],
                codes[i :: args.processes],
                args.poll if polling else 0.0,
                args.seed,
                str(folder / f"p{i}.json"),
            )
            proc = ctx.Process(target=run, args=(plan, ready, go, times), daemon=True)
            proc.start()
            procs.append(proc)
        ready.wait(timeout=300)
        start = time.monotonic() + 0.5
        cast_from, cast_to = start + args.warmup, start + args.warmup + args.window
        # The phones stop polling `after` seconds after the close; the close comes once
        # every cast is answered, so `end` is pushed on below (times[3]).
        times[0], times[1], times[2], times[3] = start, cast_from, cast_to, float("inf")
        server_pid, db_pid = gunicorn.proc.pid, postmaster_pid(pg)
        cpu0 = (tree_cpu(server_pid), tree_cpu(db_pid) if db_pid else 0.0)
        if observer:
            observer.start()
        go.set()
        load_mid = 0.0
        time.sleep(max(0.0, (cast_from + cast_to) / 2 - time.monotonic()))
        load_mid = os.getloadavg()[0]
        if chair:
            moments["speaker"] = chair.act("next")
        time.sleep(max(0.0, cast_to - time.monotonic()))
        # Every cast answered (each has a TIMEOUT), then the close.
        time.sleep(2.0)
        if chair:
            moments["close"] = chair.act("close")
        times[3] = time.monotonic() + args.after
        cpu1 = (tree_cpu(server_pid), tree_cpu(db_pid) if db_pid else 0.0)
        for proc in procs:
            proc.join(timeout=args.after + 120)
        if observer:
            observer.stop.set()
            observer.join(5)
        load_end = os.getloadavg()[0]
    finally:
        gunicorn.stop()
        if chair:
            chair.quit()
        for proc in procs:
            if proc.is_alive():
                proc.kill()
    phones: dict[str, Any] = {}
    for i in range(args.processes):
        path = folder / f"p{i}.json"
        if path.exists():
            phones.update(json.loads(path.read_text()))
    records = [p["record"] for p in phones.values() if p["record"]]
    ok = [r for r in records if r.get("status") == 200 and r.get("receipt")]
    errors = [r for r in records if r.get("error")]
    polls = [p for ph in phones.values() for p in ph["polls"]]
    poll_ok = [s for _d, s, status in polls if status in (200, 304)]
    result: dict[str, Any] = {
        "name": name,
        "phones": len(phones),
        "casts": len(records),
        "receipts": len(ok),
        "cast_errors": len(errors),
        "error_samples": list(dict.fromkeys(str(r["error"]) for r in errors))[:5],
        "post_ms": q([r["post_s"] for r in ok]),
        "get_ms": q([r["get_s"] for r in ok]),
        "polls": len(polls),
        "poll_failed": len(polls) - len(poll_ok),
        "poll_304": sum(1 for _d, _s, status in polls if status == 304),
        "poll_ms": q(poll_ok),
        "load": (load_mid, load_end),
        "cpu_s": (cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]),
    }
    if app == "kenes":
        good, check = verify.verify_kenes(
            url, setup["summary"]["election"], [[p["record"]] for p in phones.values()]
        )
    else:
        good, check = verify.verify_peer(url, [[p["record"]] for p in phones.values()])
    result.update(verified=good and len(ok) == len(codes), check=check)
    if observer and "close" in moments:

        def closed(seen: list[Any]) -> bool:
            return seen[0] is None and seen[2] == MOTION

        def spoke(seen: list[Any]) -> bool:
            return seen[1] != setup["first_speaker"]

        result["fresh_s"] = {
            "close": first_after(observer.changes, moments["close"], closed),
            "speaker": first_after(observer.changes, moments["speaker"], spoke),
        }
        phone_close = [
            first_after(ph["changes"], moments["close"], closed) for ph in phones.values()
        ]
        seen = [d for d in phone_close if d is not None]
        result["phones_saw_close"] = len(seen)
        result["phone_close_ms"] = q(seen)
    print(
        f" {len(ok)}/{len(codes)} receipts, POST p99 {result['post_ms']['p99']:.0f} ms, "
        f"{'verified' if result['verified'] else 'FAILED'}",
        flush=True,
    )
    return result


def make_setup(work: Path, pg: str, args: argparse.Namespace) -> dict[str, Any]:
    setup: dict[str, Any] = {"work": work}
    url = create_database(pg, "template_kenes")
    env = kenes_env(work, url)
    # `python -m kenes` from ROOT: this checkout's migrations (the console script may be
    # installed from another checkout).
    quiet([sys.executable, "-m", "kenes", "migrate", "--no-input", "--skip-checks"], env)
    out = quiet(
        [sys.executable, "-m", "bench.congress_setup", "setup", "--delegates", str(args.delegates)]
        + ["--csv", str(work / "members.csv"), "--codes", str(work / "codes.txt")],
        env,
    )
    setup["summary"] = json.loads(out.strip().splitlines()[-1])
    setup["kenes"] = "template_kenes"
    setup["codes"] = (work / "codes.txt").read_text().split()
    # Who speaks at the start: the observer then knows the speaker changed.
    script = (
        "import django, json; django.setup()\n"
        "from kenes.congress import live\n"
        "from kenes.congress.models import Congress\n"
        f"c = Congress.objects.get(slug={setup['summary']['congress']!r})\n"
        "print(json.dumps(live.compute(c)['speaker']['name']))\n"
    )
    setup["first_speaker"] = json.loads(quiet([sys.executable, "-c", script], env).strip())
    if "peer" in args.runs:
        peer = create_database(pg, "template_peer")
        quiet([sys.executable, "-m", "django", "migrate", "--no-input"], peer_env(peer))
        setup["peer"] = "template_peer"
    return setup


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def print_table(results: list[dict[str, Any]]) -> None:
    print(
        f"\n{'run':<12} {'receipts':>9} {'POST p50':>8} {'p95':>6} {'p99':>6} {'max':>6} "
        f"{'GET p50':>7} {'polls':>6} {'304':>5} {'poll p50':>8} {'p99':>6} {'load':>9}"
    )
    for r in results:
        p, g, s = r["post_ms"], r["get_ms"], r["poll_ms"]
        print(
            f"{r['name']:<12} {r['receipts']:>4}/{r['phones']:<4} {p['p50']:>8.0f} "
            f"{p['p95']:>6.0f} {p['p99']:>6.0f} {p['max']:>6.0f} {g['p50']:>7.0f} "
            f"{r['polls']:>6} {r['poll_304']:>5} {s['p50']:>8.1f} {s['p99']:>6.0f} "
            f"{r['load'][0]:>4.1f}/{r['load'][1]:<4.1f}"
        )
    peer = next((r for r in results if r["name"] == "peer"), None)
    if peer:
        print("\nKenes ÷ peer, casts (POST latency; > 1: Kenes is slower):")
        for r in results:
            if r["name"] != "peer":
                p50 = verify.ratio(r["post_ms"]["p50"], peer["post_ms"]["p50"])
                p99 = verify.ratio(r["post_ms"]["p99"], peer["post_ms"]["p99"])
                print(f"  {r['name']:<12} p50 {p50}  p99 {p99}")
    print("\nCPU in the run (s): app server, PostgreSQL")
    for r in results:
        print(f"  {r['name']:<12} {r['cpu_s'][0]:>6.1f} {r['cpu_s'][1]:>6.1f}")
    print("\nThe hall's state after the chair acts (ms; observer every 50 ms; phones every poll):")
    for r in results:
        if "fresh_s" in r:
            f = r["fresh_s"]
            pc = r["phone_close_ms"]
            print(
                f"  {r['name']:<12} state shows the next speaker {fmt(f['speaker'])}, the close "
                f"{fmt(f['close'])}; phones saw the close ({r['phones_saw_close']}) p50 "
                f"{pc['p50']:.0f} p99 {pc['p99']:.0f} max {pc['max']:.0f}"
            )
    print("\nEvery ballot accepted (database against receipts):")
    for r in results:
        print(f"  {r['name']:<12} {'ok    ' if r['verified'] else 'FAILED'} {r['check']}")
        for sample in r["error_samples"]:
            print(f"  {'':<12} error: {sample}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delegates", type=int, default=1000, help="phones = delegates")
    parser.add_argument("--processes", type=int, default=8, help="phone processes")
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between polls")
    parser.add_argument("--warmup", type=float, default=6.0, help="polling only, before casts")
    parser.add_argument("--window", type=float, default=40.0, help="the casts spread over it")
    parser.add_argument("--after", type=float, default=5.0, help="polling after the close")
    parser.add_argument("--server", default="gthread:4x4", help="gunicorn: sync:4 | gthread:4x4")
    parser.add_argument("--runs", default="kenes,kenes-quiet,peer")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    args.runs = [r for r in args.runs.split(",") if r]
    if set(args.runs) - {"kenes", "kenes-quiet", "peer"}:
        parser.error("--runs takes kenes, kenes-quiet and/or peer")

    from tests.pgserver import ensure_server

    work = Path(tempfile.mkdtemp(prefix="kenes-bench-congress-"))
    try:
        pg = ensure_server()
        began = time.monotonic()
        setup = make_setup(work, pg, args)
        print(
            f"setup {time.monotonic() - began:.0f} s: {setup['summary']}; {args.processes} "
            f"phone processes, poll {args.poll} s, {args.warmup:.0f} s + {args.window:.0f} s "
            f"casting; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}; "
            f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
            flush=True,
        )
        results = [one_run(name, pg, setup, args, n) for n, name in enumerate(args.runs, 1)]
        print_table(results)
        print(
            f"\nGoals: every ballot accepted, POST p99 ≤ {GOAL_P99_S:.0f} s, the state "
            f"showing a change within {GOAL_FRESH_S:.0f} s:"
        )
        for r in results:
            if r["name"] == "peer":
                continue
            p99_met = r["post_ms"]["p99"] <= GOAL_P99_S * 1000
            line = f"  {r['name']}: accepted {'met' if r['verified'] else 'NOT met'}, "
            line += f"p99 {'met' if p99_met else 'NOT met'}"
            if "fresh_s" in r:
                fresh = [v for v in r["fresh_s"].values() if v is not None]
                met = len(fresh) == 2 and max(fresh) <= GOAL_FRESH_S
                line += f", state within 2 s {'met' if met else 'NOT met'}"
            print(line)
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        (out / f"congress_load-{stamp}.json").write_text(
            json.dumps({"args": vars(args), "setup": setup["summary"], "runs": results})
        )
        return 0 if all(r["verified"] for r in results) else 1
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
