"""In-process profile of casting (GET the ballot, POST it) through Django's test client.

    python -m bench.ballots_profile [--members 400] [--ballots 300] [--top 40] [--pg]

Production settings (DEBUG off, cached template loader) on a throw-away SQLite database in
a temporary folder, or with --pg a throw-away PostgreSQL (tests/pgserver.py; the app's CPU
then excludes the server's, which is printed apart). Requests come as the TLS proxy
forwards them. Prints the CPU time per ballot (GET+POST) and the cProfile functions with
the most cumulative time. Not
timed against a peer: it says where Python spends a ballot, bench.ballots_load says what
a ballot costs under gunicorn and PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import os
import pstats
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.ballots_server import postmaster_pid, tree_cpu

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = secrets.token_urlsafe(40)
FIELD_KEYS = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--ballots", type=int, default=300)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument(
        "--pg", action="store_true", help="a throw-away PostgreSQL (tests/pgserver.py), not SQLite"
    )
    parser.add_argument("--out", type=Path, help="also write the raw cProfile stats here")
    parser.add_argument(
        "--sql", action="store_true", help="print the SQL statements of one ballot, then stop"
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="kenes-profile-"))
    try:
        return _profile(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _profile(args: argparse.Namespace, work: Path) -> int:
    database = f"sqlite:///{work / 'kenes.sqlite3'}"
    if args.pg:
        import psycopg

        from tests.pgserver import ensure_server

        server = ensure_server()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{work.name}"')
        database = server.rsplit("/", 1)[0] + "/" + work.name
    os.environ.update(
        KENES_ENV="production",
        KENES_VAR_DIR=str(work / "var"),
        KENES_SECRET_KEY=SECRET_KEY,
        KENES_FIELD_KEYS=FIELD_KEYS,
        KENES_ALLOWED_HOSTS="127.0.0.1",
        KENES_BEHIND_PROXY="1",
        DATABASE_URL=database,
        DJANGO_SETTINGS_MODULE="kenes.settings",
    )
    (work / "var").mkdir()
    env = dict(os.environ)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    codes_file = work / "codes.txt"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.ballots_setup",
            "--members",
            str(args.members),
            "--csv",
            str(work / "members.csv"),
            "--codes",
            str(codes_file),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    codes = codes_file.read_text().split()

    import django

    django.setup()
    from django.test import Client

    headers = {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_FOR": "10.0.0.1",
        "HTTP_HOST": "127.0.0.1",
    }
    post_headers = {
        **headers,
        "HTTP_ORIGIN": "https://127.0.0.1",
        "HTTP_REFERER": "https://127.0.0.1/vote/",
    }
    hidden = re.compile(r'name="(csrfmiddlewaretoken|election|code)" value="([^"]*)"')

    client = Client(enforce_csrf_checks=True)  # one handler, as one gunicorn worker has

    def ballot(code: str) -> None:
        client.cookies.clear()  # a new voter: no session, no CSRF cookie yet
        page = client.get(f"/vote/{code}/", **headers)
        assert page.status_code == 200, page.status_code
        fields = dict(hidden.findall(page.content.decode()))
        fields.update(rank_0="2", rank_3="1", rank_5="3")
        done = client.post(  # as a browser and bench.ballots_voters send it: not multipart
            "/vote/cast/",
            urllib.parse.urlencode(fields),
            content_type="application/x-www-form-urlencoded",
            **post_headers,
        )
        assert done.status_code == 303, done.status_code  # then the receipt page:
        shown = client.get(done["Location"], **headers)
        assert shown.status_code == 200 and b'id="receipt"' in shown.content, shown.status_code

    for code in codes[:20]:  # warm up: imports, template cache, translations
        ballot(code)
    todo = codes[20 : 20 + args.ballots]
    if args.sql:
        return _print_sql(ballot, todo[0])
    server_pid = postmaster_pid(database) if args.pg else None
    rounds, server_rounds = [], []
    for _ in range(3):  # the least of three: other processes share the cores
        started, server_started = time.process_time(), _server_cpu(server_pid)
        for code in todo:  # the 2nd and 3rd rounds are re-votes: the same path
            ballot(code)
        rounds.append((time.process_time() - started) / len(todo) * 1000)
        server_rounds.append((_server_cpu(server_pid) - server_started) / len(todo) * 1000)
    plain = min(rounds)
    profile = cProfile.Profile()
    profile.enable()
    for code in todo:  # re-votes: the same path
        ballot(code)
    profile.disable()
    engine = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"{len(todo)} ballots, {plain:.2f} ms CPU per GET+POST "
        f"(unprofiled, least of 3 rounds; {engine}, test client)"
    )
    if server_pid:
        print(
            f"PostgreSQL server: {min(server_rounds):.2f} ms CPU per GET+POST (least of 3 "
            "rounds; anything else using the same server counts too)"
        )
    if args.out:
        profile.dump_stats(args.out)
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


def _server_cpu(pid: int | None) -> float:
    return tree_cpu(pid) if pid else 0.0


def _print_sql(ballot: Any, code: str) -> int:
    """Every statement one GET+POST sends (a re-vote, as in the timed rounds)."""
    from django.db import connection

    ballot(code)
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        ballot(code)
    for n, sql in enumerate(statements, 1):
        print(f"{n:2}. {sql}")
    print(f"{len(statements)} statements (transaction control not counted)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
