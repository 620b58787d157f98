"""Officers' pages at scale: how long each page an officer opens takes to answer.

    cd /work/main && .venv/bin/python -m bench.officer_pages [--members 100000]
        [--requests 20] [--data DIR] [--keep]

Seeds the demo movement with `kenes demo --members N --no-serve` into a data folder
(`--data DIR` reuses one seeded before: seeding 100,000 members takes minutes), copies it to
a scratch folder (the run opens votes), then times each officer page with Django's test
client logged in as the demo's national admin: one request to warm up, then `--requests`
timed ones; p50 and p95 printed in milliseconds with the size of the answer.

Then the long outputs, once each: opening a whole-party vote (the POST and, where the codes
are files made in the background, the page it leads to and the background work), and the
registration dossier (the request, and the background work that makes the file).
The goal (issue 10, finding 20): every page ≤ 300 ms p95 at 100,000 members. Never a timed
assertion in tests: numbers are recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def seed(data: Path, members: int) -> None:
    env = {**os.environ, "KENES_ENV": "development", "KENES_VAR_DIR": str(data)}
    env["KENES_TASKS"] = "immediate"
    print(f"Seeding {members:,} members into {data} (minutes)…", flush=True)
    subprocess.run(
        [str(BIN / "kenes"), "demo", "--members", str(members), "--no-serve"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def timed(client: Any, method: str, url: str, n: int, **data: Any) -> dict[str, Any]:
    call = getattr(client, method)
    call(url, **data)  # warm-up: caches, facts, compiled templates
    samples, size, status = [], 0, 0
    for _ in range(n):
        start = time.perf_counter()
        response = call(url, **data)
        samples.append((time.perf_counter() - start) * 1000)
        size = len(response.content) if not response.streaming else 0
        status = response.status_code
    samples.sort()
    p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
    return {"p50": statistics.median(samples), "p95": p95, "bytes": size, "status": status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--data", type=Path, help="a data folder seeded before (kept as is)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()

    data = args.data or Path(tempfile.mkdtemp(prefix="kenes-officer-seed-"))
    if not (data / "kenes.sqlite3").exists():
        seed(data, args.members)
    scratch = Path(tempfile.mkdtemp(prefix="kenes-officer-pages-"))
    for item in data.iterdir():
        if item.is_file() and not item.name.endswith(("-wal", "-shm")):
            shutil.copy2(item, scratch / item.name)

    os.environ.update(
        KENES_ENV="development",
        KENES_VAR_DIR=str(scratch),
        KENES_TASKS="database",
        DJANGO_SETTINGS_MODULE="kenes.settings",
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    import kenes
    from kenes.ballots import services as ballots
    from kenes.ballots.models import Election
    from kenes.registry.models import Member

    setup_test_environment()  # the test client's response.context and no e-mail sent
    call_command("migrate", verbosity=0)
    print(f"kenes from {Path(kenes.__file__).parent}; {Member.objects.count():,} members")
    admin = get_user_model().objects.get(username="admin")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)

    election = Election.objects.filter(phase="open").order_by("-electorate_size").first()
    pages: list[tuple[str, str]] = [
        ("dashboard", reverse("dashboard")),
        ("members list", reverse("members")),
        ("readiness", reverse("readiness")),
        ("delegates", reverse("delegates")),
    ]
    if election is not None:
        pages.append(("election detail", reverse("election_detail", args=[election.pk])))

    # Opening a whole-party vote: a fresh draft with two candidates, opened by POST.
    members = list(Member.objects.order_by("pk")[:2])
    draft = ballots.do_create_election(
        "Bench: whole-party vote",
        method="plurality",
        cutoff_on=datetime.date.today(),
        acting_user=admin,
    )
    for m in members:
        ballots.do_add_candidate(draft, m, acting_user=admin)
    start = time.perf_counter()
    opened = client.post(reverse("election_open", args=[draft.pk]), {"confirm": "on"})
    open_ms = (time.perf_counter() - start) * 1000
    extra: list[tuple[str, str]] = []
    if opened.status_code == 302 and "/files/" in opened["Location"]:
        extra.append(("codes files page (after opening)", opened["Location"]))
    rows = [(name, timed(client, "get", url, args.requests)) for name, url in pages + extra]

    print(f"\n{'page':<30} {'p50 ms':>8} {'p95 ms':>8} {'KB':>8} status")
    for name, r in rows:
        print(f"{name:<30} {r['p50']:8.0f} {r['p95']:8.0f} {r['bytes'] / 1024:8.0f} {r['status']}")
    electorate = Election.objects.get(pk=draft.pk).electorate_size
    print(
        f"\nopening a whole-party vote ({electorate:,} codes): POST {open_ms:,.0f} ms, "
        f"answer {len(opened.content) / 1024:,.0f} KB, status {opened.status_code}"
    )
    _background(client, admin)
    if args.keep:
        print(f"scratch folder kept: {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)


def _background(client: Any, admin: Any) -> None:
    """The dossier (and codes files, if any wait) made by the background worker's code."""
    from django.urls import reverse

    try:
        from kenes.participation import handouts
        from kenes.registry import dossier
        from kenes.registry.models import PreparedFile
    except ImportError:  # before finding 20: the dossier is made in the request
        start = time.perf_counter()
        response = client.get(reverse("readiness_dossier"))
        ms = (time.perf_counter() - start) * 1000
        print(f"dossier (in the request): {ms:,.0f} ms, {len(response.content) / 1024:,.0f} KB")
        return
    makers = {
        "codes_csv": handouts.make_codes_file,
        "codes_csv_phones": handouts.make_codes_file,
        "codes_slips": handouts.make_slips_file,
        "dossier": dossier.make_dossier_file,
    }

    def work() -> None:  # what the worker does with each file waiting
        for pk, kind in PreparedFile.objects.filter(status="pending").values_list("pk", "kind"):
            start = time.perf_counter()
            makers[kind].call(str(pk))
            print(f"  background: {kind} made in {(time.perf_counter() - start) * 1000:,.0f} ms")

    work()
    start = time.perf_counter()
    response = client.post(reverse("readiness_dossier"))
    request_ms = (time.perf_counter() - start) * 1000
    print(f"dossier: request {request_ms:,.0f} ms (status {response.status_code})")
    work()
    for item in PreparedFile.objects.filter(status="ready"):
        page = client.get(reverse("prepared_files", args=[item.bundle]))
        start = time.perf_counter()
        got = client.post(reverse("prepared_file_download", args=[item.bundle, item.pk]))
        ms = (time.perf_counter() - start) * 1000
        print(
            f"  download once: {item.filename} {len(got.content) / 1024:,.0f} KB in {ms:,.0f} ms "
            f"(files page {len(page.content) / 1024:,.0f} KB)"
        )


if __name__ == "__main__":
    main()
