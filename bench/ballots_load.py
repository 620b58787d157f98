"""Ballot-casting load benchmark: Kenes under gunicorn beside a bare Django peer.

    cd /work/main && .venv/bin/python -m bench.ballots_load [--voters N]
        [--concurrency C] [--seconds S] [--warmup W] [--workers W] [--threads T]
        [--classes sync,gthread] [--apps kenes,peer] [--keep]

Setup (not timed): a throw-away PostgreSQL (tests/pgserver.py), a migrated database
with N members imported and an open STV election of 8 candidates (bench/ballots_setup.py),
its personal codes in a file; a migrated database for the peer (bench/peer_vote). Each
run copies its template database, starts `gunicorn` on 127.0.0.1 with KENES_ENV=production
(DEBUG off, HTTPS behind a proxy), and C voter processes (bench/ballots_voters.py) each
GET a ballot and POST a random ranking, a tenth of them twice. After a warm-up, the window
counts ballots/s and POST latencies; then the database is checked: nothing lost, nothing
doubled (bench/ballots_verify.py). Absolute figures drift on a shared machine; compare
Kenes with the peer run beside it.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import multiprocessing
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import ballots_verify as verify
from bench.ballots_server import BIN, ROOT, Gunicorn, postmaster_pid, tree_cpu
from bench.ballots_voters import TIMEOUT, Plan, run

# One pair of secrets for the whole run: the codes' blind indexes are keyed with them.
SECRET_KEY = secrets.token_urlsafe(40)
FIELD_KEYS = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
GOAL_PER_SECOND = 300.0


@dataclass
class Result:
    server: str
    app: str
    figures: verify.Figures
    verified: bool
    check: str
    load: tuple[float, float]
    exhausted: int
    cpu_ms: tuple[float, ...]  # CPU ms per ballot in the window: app server, PostgreSQL, voters
    latencies: list[float]


def quiet(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def create_database(server: str, name: str, template: str | None = None) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return server.rsplit("/", 1)[0] + "/" + name


def kenes_env(work: Path, url: str) -> dict[str, str]:
    """Production settings as deployed behind a TLS proxy: DEBUG off, secrets from the env."""
    dropped = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("KENES_")}
    env.update(
        KENES_ENV="production",
        KENES_VAR_DIR=str(work / "var"),
        KENES_SECRET_KEY=SECRET_KEY,
        KENES_FIELD_KEYS=FIELD_KEYS,
        KENES_ALLOWED_HOSTS="127.0.0.1",
        KENES_BEHIND_PROXY="1",
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="kenes.settings",
    )
    return env


def peer_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KENES_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="bench.peer_vote.settings", PEER_DATABASE_URL=url)
    return env


def load(
    port: int,
    codes: list[str],
    args: argparse.Namespace,
    folder: Path,
    server_pid: int,
    db_pid: int | None,
) -> dict[str, Any]:
    """C voter processes from a common start; returns their records and the window."""
    ctx = multiprocessing.get_context("spawn")
    ready, go = ctx.Barrier(args.concurrency + 1), ctx.Event()
    times = ctx.Array("d", 2)
    procs = []
    for i in range(args.concurrency):
        share = codes[i :: args.concurrency]
        plan = Plan(i, "127.0.0.1", port, share, args.seed, str(folder / f"v{i}.json"))
        proc = ctx.Process(target=run, args=(plan, ready, go, times), daemon=True)
        proc.start()
        procs.append(proc)
    ready.wait(timeout=300)
    start = time.monotonic() + 0.2
    warm_end = start + args.warmup
    end = warm_end + args.seconds
    times[0], times[1] = start, end
    go.set()

    def cpu() -> tuple[float, float, float]:
        return (
            tree_cpu(server_pid),
            tree_cpu(db_pid) if db_pid else float("nan"),
            sum(tree_cpu(p.pid) for p in procs if p.pid),
        )

    time.sleep(max(0.0, warm_end - time.monotonic()))
    cpu_start = cpu()
    spy = None
    if args.py_spy:
        # Sample the app server's workers for the window (py-spy: bench/requirements.txt).
        spy = subprocess.Popen(
            [str(BIN / "py-spy"), "record", "--pid", str(server_pid), "--subprocesses"]
            + ["--nonblocking", "-r", "100", "-d", str(int(args.seconds)), "-f", "raw"]
            + ["-o", str(folder / "profile.raw")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    time.sleep(max(0.0, warm_end + args.seconds / 2 - time.monotonic()))
    load_mid = os.getloadavg()[0]
    time.sleep(max(0.0, end - time.monotonic()))
    cpu_end = cpu()
    if spy:
        spy.wait(60)
    for proc in procs:
        proc.join(timeout=max(1.0, end + TIMEOUT + 30 - time.monotonic()))
    load_end = os.getloadavg()[0]
    outputs = []
    for i, proc in enumerate(procs):
        path = folder / f"v{i}.json"
        outputs.append(json.loads(path.read_text()) if path.exists() else {"records": []})
        if proc.is_alive():
            proc.kill()
    return {
        "records": [o["records"] for o in outputs],
        "exhausted": sum(1 for o in outputs if o.get("exhausted")),
        "window": (warm_end, end),
        "load": (load_mid, load_end),
        "cpu": tuple(b - a for a, b in zip(cpu_start, cpu_end, strict=True)),
    }


def one_run(
    app: str, server: str, pg: str, templates: dict[str, Any], args: argparse.Namespace, n: int
) -> Result:
    work: Path = templates["work"]
    folder = work / f"{n:02d}-{app}-{server.replace(':', '-')}"
    folder.mkdir()
    url = create_database(pg, f"run_{n:02d}_{app}", templates[app])
    if app == "kenes":
        env, wsgi, codes = kenes_env(work, url), "kenes.wsgi:application", templates["codes"]
    else:
        # The peer checks no code: give it enough to never run out, in the same order.
        env, wsgi, codes = peer_env(url), "bench.peer_vote.wsgi:application", templates["codes"] * 4
    print(f"  {server:<12} {app:<6} ...", end="", flush=True)
    gunicorn = Gunicorn(wsgi, env, server, folder / "gunicorn.log")
    try:
        out = load(gunicorn.port, codes, args, folder, gunicorn.proc.pid, postmaster_pid(pg))
    finally:
        gunicorn.stop()
    records = [r for rs in out["records"] for r in rs]
    figs = verify.figures(records, out["window"])
    if app == "kenes":
        verify.close_election(env, templates["election"])
        good, check = verify.verify_kenes(url, templates["election"], out["records"])
    else:
        good, check = verify.verify_peer(url, out["records"])
    print(f" {figs.per_second:.0f} ballots/s, {'verified' if good else 'FAILED'}", flush=True)
    latencies = [
        r["post_s"]
        for r in records
        if r.get("status") == 200 and out["window"][0] <= r["done"] <= out["window"][1]
    ]
    cpu_ms = tuple(1000 * c / figs.ballots if figs.ballots else float("nan") for c in out["cpu"])
    return Result(server, app, figs, good, check, out["load"], out["exhausted"], cpu_ms, latencies)


def setup(work: Path, pg: str, args: argparse.Namespace) -> dict[str, Any]:
    templates: dict[str, Any] = {"work": work}
    if "kenes" in args.apps:
        url = create_database(pg, "template_kenes")
        env = kenes_env(work, url)
        quiet([str(BIN / "kenes"), "migrate", "--no-input", "--skip-checks"], env)
        summary = json.loads(
            quiet(
                [sys.executable, "-m", "bench.ballots_setup", "--members", str(args.voters)]
                + ["--csv", str(work / "members.csv"), "--codes", str(work / "codes.txt")],
                env,
            )
            .strip()
            .splitlines()[-1]
        )
        templates.update(kenes="template_kenes", election=summary["election"], summary=summary)
        templates["codes"] = (work / "codes.txt").read_text().split()
    else:
        templates["codes"] = [f"PEER{i:011d}" for i in range(args.voters)]
    if "peer" in args.apps:
        url = create_database(pg, "template_peer")
        quiet([sys.executable, "-m", "django", "migrate", "--no-input"], peer_env(url))
        templates["peer"] = "template_peer"
    return templates


def print_table(results: list[Result]) -> None:
    print(
        f"\n{'server':<12} {'app':<6} {'ballots/s':>9} {'ballots':>7} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'GET p50':>7} {'errors':>6} "
        f"{'load':>9}  {'kenes/peer: rate':>16} {'p50':>5} {'p99':>5}"
    )
    for r in results:
        f = r.figures
        peer = next((p for p in results if p.app == "peer" and p.server == r.server), None)
        ratios = ""
        if r.app == "kenes" and peer:
            pf = peer.figures
            ratios = (
                f"{verify.ratio(f.per_second, pf.per_second):>16} "
                f"{verify.ratio(f.post_ms['p50'], pf.post_ms['p50']):>5} "
                f"{verify.ratio(f.post_ms['p99'], pf.post_ms['p99']):>5}"
            )
        print(
            f"{r.server:<12} {r.app:<6} {f.per_second:>9.0f} {f.ballots:>7} "
            f"{f.post_ms['p50']:>7.1f} {f.post_ms['p95']:>7.1f} {f.post_ms['p99']:>7.1f} "
            f"{f.post_ms['max']:>7.0f} {f.get_ms['p50']:>7.1f} {f.errors:>6} "
            f"{r.load[0]:>4.1f}/{r.load[1]:<4.1f}  {ratios}"
        )
    print(
        "\nCPU per ballot in the window (ms; GET + POST, re-votes included) and what 2 free "
        "cores would sustain:"
    )
    print(f"{'server':<12} {'app':<6} {'app ms':>7} {'pg ms':>7} {'voters ms':>9} {'ceiling/s':>9}")
    for r in results:
        app_ms, pg_ms, voters_ms = r.cpu_ms
        ceiling = 2000 / (app_ms + pg_ms) if app_ms + pg_ms > 0 else float("nan")
        print(
            f"{r.server:<12} {r.app:<6} {app_ms:>7.1f} {pg_ms:>7.1f} {voters_ms:>9.1f} "
            f"{ceiling:>9.0f}"
        )
    print("\nZero lost (database against receipts):")
    for r in results:
        print(f"  {r.server:<12} {r.app:<6} {'ok    ' if r.verified else 'FAILED'} {r.check}")
        for sample in r.figures.error_samples:
            print(f"  {'':<12} {'':<6} error: {sample}")
        if r.exhausted:
            print(f"  {'':<12} {'':<6} {r.exhausted} voter processes ran out of codes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=60_000, help="members = codes issued")
    parser.add_argument("--concurrency", type=int, default=32, help="voter processes")
    parser.add_argument("--seconds", type=float, default=25.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--classes", default="sync,gthread", help="gunicorn worker classes")
    parser.add_argument("--apps", default="kenes,peer")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--py-spy", action="store_true", help="profile the app server in the window (with --keep)"
    )
    args = parser.parse_args(argv)
    args.apps = [a for a in args.apps.split(",") if a]
    if set(args.apps) - {"kenes", "peer"}:
        parser.error("--apps takes kenes and/or peer")
    servers = []
    for kind in args.classes.split(","):
        threads = f"x{args.threads}" if kind == "gthread" else ""
        servers.append(f"{kind}:{args.workers}{threads}")
    if "kenes" in args.apps and "placeholder" in (ROOT / "kenes/web/views/vote.py").read_text():
        print("note: kenes/web/views/vote.py is still a placeholder: Kenes runs will fail")

    from tests.pgserver import ensure_server

    work = Path(tempfile.mkdtemp(prefix="kenes-bench-vote-"))
    try:
        pg = ensure_server()
        started = time.monotonic()
        templates = setup(work, pg, args)
        print(
            f"setup {time.monotonic() - started:.0f} s: {templates.get('summary', {})}; "
            f"{args.concurrency} voters, {args.warmup:.0f} s warm-up + {args.seconds:.0f} s; "
            f"{os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}; {datetime.date.today()}",
            flush=True,
        )
        results: list[Result] = []
        n = 0
        for server in servers:
            for app in args.apps:  # side by side: Kenes and the peer under the same load
                n += 1
                results.append(one_run(app, server, pg, templates, args, n))
        print_table(results)
        print(f"\nGoal: >= {GOAL_PER_SECOND:.0f} ballots/s sustained, zero lost:")
        for r in results:
            if r.app == "kenes":
                met = r.figures.per_second >= GOAL_PER_SECOND and r.verified
                print(f"  {r.server}: {r.figures.per_second:.0f}/s — {'met' if met else 'NOT met'}")
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        (out / f"ballots_load-{stamp}.json").write_text(
            json.dumps(
                {"args": vars(args), "setup": templates.get("summary"), "cpus": os.cpu_count()}
                | {"runs": [asdict(r) for r in results]},
                default=str,
            )
        )
        failed = [r for r in results if not r.verified or r.figures.errors or not r.figures.ballots]
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
