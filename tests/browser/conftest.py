"""A real Kenes server for the browser: `kenes demo --no-serve` on a fresh SQLite
database, then `kenes runserver` and `kenes db_worker` as separate processes,
driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import isolated_env
from tests.listening import free_port, wait_until_listening

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


#: Links that are not pages, for the tests that follow every link: downloads, htmx
#: fragments, leaving.
NOT_PAGES = frozenset(
    {
        "logout",
        "readiness_dossier",
        "election_box_blt",
        "election_box_json",
        "agenda_report_csv",
        "agenda_report_polis",
        "prepared_file_download",
        "import_batch_status",
        "scenario_status",
        "vote_link",
        "agenda_link",
        "audit_receipt_file",
        "chair_protocol_file",
        "hall_state_json",
        "hall_phone_live",
        "hall_projector_live",
    }
)

#: Where the crawl starts besides the overview: pages no menu links to yet (the chair's
#: console of the demo's congresses, the delegates' amendment page).
CRAWL_STARTS = ("/", "/chair/s-2027/", "/chair/founding/", "/amend/s-2027/")


def start_pages() -> list[str]:
    """Where the crawls start: the overview, the chair's consoles and the amendments page of
    the demo's congresses, and the hall's pages of the upcoming one (the delegates' phone
    page and the projector), which no link has to reach."""
    from kenes.congress.demo import SLUG

    return [*CRAWL_STARTS, f"/hall/{SLUG}/", f"/hall/{SLUG}/projector/"]


RAISE_SCREEN_LIMIT = """
from django.contrib.auth import get_user_model
from kenes.registry import approvals
rules = approvals.current_settings()
approvals.do_change_settings(
    approvals_needed=rules.approvals_needed,
    api_limit=rules.api_limit,
    delay_hours=rules.delay_hours,
    screen_rows_per_day=approvals.LARGEST_SCREEN_ROWS,
    acting_user=get_user_model().objects.get(username="admin"),
)
"""


#: A congress with delegates (some flagged, one in the hall), so the crawls reach its page,
#: its door and its quorum panel (kenes.web.views.congress).
MAKE_CONGRESS = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from kenes.congress import services
from kenes.registry.models import Member
admin = get_user_model().objects.get(username="admin")
congress = services.do_create_congress(
    slug="browser-congress", title="Учредительный съезд", kind="founding",
    standing_on=timezone.localdate(), acting_user=admin,
)
seated = services.do_add_delegates(congress, Member.objects.order_by("pk")[:40], acting_user=admin)
eligible = [s for s in seated if s.delegate.eligible]
if eligible:
    services.do_check_in(congress, eligible[0].badge_code, acting_user=admin)
"""


def crawl(page, base_url: str) -> Iterator[tuple[str, str, Any]]:  # type: ignore[no-untyped-def]
    """Every kind of page reachable by links from the overview, each opened once: yields
    (path, kind, response) for each answer in HTML, and follows the links on those that
    answer 200, as long as they stay on `base_url`'s host."""
    from django.urls import Resolver404, resolve

    host = urlsplit(base_url).netloc
    seen: set[str] = set()
    todo = start_pages()
    while todo:
        path = todo.pop(0)
        try:
            kind = resolve(urlsplit(path).path).url_name
        except Resolver404:
            continue
        if kind is None or kind in NOT_PAGES or kind in seen:
            continue
        seen.add(kind)
        response = page.goto(base_url + path)
        assert response is not None
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        yield path, kind, response
        if response.status != 200:
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlsplit(href)
            if url.netloc == host:
                todo.append(url.path + (f"?{url.query}" if url.query else ""))


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class Server:
    url: str
    var: Path
    logins: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    var = tmp_path_factory.mktemp("kenes-browser-var")
    env = isolated_env({"KENES_ENV": "development", "KENES_VAR_DIR": str(var)})
    kenes = [sys.executable, "-m", "kenes"]
    subprocess.run(
        [*kenes, "demo", "--no-serve", "--members", "800"],  # the founding congress: 760
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The crawls read the members pages many times as the same officers in one session:
    # more than the daily screen limit's default (kenes.registry.screen_budget) allows.
    subprocess.run(
        [*kenes, "shell", "-c", RAISE_SCREEN_LIMIT], env=env, check=True, capture_output=True
    )
    subprocess.run([*kenes, "shell", "-c", MAKE_CONGRESS], env=env, check=True, capture_output=True)
    logins = {}
    for line in (var / "demo-logins.txt").read_text().splitlines():
        username, password, _role = line.split("\t", 2)
        logins[username] = password
    port = free_port()
    log = open(var / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    srv = Server(url=f"http://127.0.0.1:{port}", var=var, logins=logins)
    srv.processes.append(
        subprocess.Popen(
            [*kenes, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=log,
            stderr=log,
        )
    )
    srv.processes.append(
        subprocess.Popen(
            [*kenes, "worker", "--interval", "0.2", "--no-startup-delay"],
            env=env,
            stdout=log,
            stderr=log,
        )
    )
    wait_until_listening(port, srv.processes[0], var / "server.log")
    yield srv
    for process in srv.processes:
        process.terminate()
    for process in srv.processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


@pytest.fixture(scope="session")
def playwright():  # type: ignore[no-untyped-def]
    """One Playwright for the session: its sync API cannot be started twice at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):  # type: ignore[no-untyped-def]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def requests_seen() -> list[str]:
    return []


@pytest.fixture
def page(browser, server, requests_seen):  # type: ignore[no-untyped-def]
    """A phone-sized page that records every request it makes."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    page = context.new_page()
    page.on("request", lambda request: requests_seen.append(request.url))
    page.set_default_timeout(20_000)
    yield page
    context.close()
    foreign = [
        u
        for u in requests_seen
        if urlsplit(u).hostname not in ("127.0.0.1",) and not u.startswith(("data:", "about:"))
    ]
    assert not foreign, f"requests left 127.0.0.1: {foreign}"


def log_in(page, server: Server, username: str, password: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password if password is not None else server.logins[username])
    page.click("form:has(input[name=password]) button[type=submit]")


def approve_bulk_reads(browser, server: Server, approver: str = "admin2") -> int:  # type: ignore[no-untyped-def]
    """A second officer approves every bulk read waiting for them (docs/bulk-reads.md), in
    their own browser; returns how many."""
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        log_in(page, server, approver)
        page.wait_for_url(server.url + "/")
        approved = 0
        while True:
            page.goto(server.url + "/requests/")
            button = page.locator("form[action$='/approve/'] button[type=submit]")
            if button.count() == 0:
                return approved
            button.first.click()
            page.wait_for_load_state()
            approved += 1
            assert approved < 10
    finally:
        context.close()


def download_handouts(page, link_path: str) -> list[str]:  # type: ignore[no-untyped-def]
    """After opening a vote or issuing codes: wait on the files page until the worker has
    made the codes file and the slips, download each (once), and return the codes.

    Checks what an officer relies on: the CSV and the slips hold the same codes, the slips
    carry the personal links (code after '#'), and a file is gone once downloaded.
    """
    import csv
    import io

    page.wait_for_url(re.compile(r".*/files/[0-9a-f-]+/$"))
    buttons = page.locator("ul.prepared-files form button[type=submit]")
    deadline = time.monotonic() + 60
    while buttons.count() < 2:  # the page reloads itself while the worker makes them
        assert time.monotonic() < deadline, page.locator("main").inner_text()[:2000]
        page.wait_for_timeout(500)
    files = {}
    for _ in range(2):
        with page.expect_download() as waiting:
            page.locator("ul.prepared-files form button[type=submit]").first.click()
        download = waiting.value
        files[download.suggested_filename] = Path(download.path()).read_bytes()
        page.reload()
    csv_name = next(name for name in files if name.endswith(".csv"))
    slips_name = next(name for name in files if name.endswith(".html"))
    text = files[csv_name].decode("utf-8-sig")
    first, _, rest = text.partition("\n")
    if first.startswith('"# '):  # the watermark of a bulk read names who asked for it
        assert "admin" in first, first
        text = rest
    rows = list(csv.DictReader(io.StringIO(text)))
    codes = [row["code"] for row in rows]
    slips = files[slips_name].decode()
    assert len(codes) > 3 and all(code in slips for code in codes)
    assert f"{link_path}#/{codes[0]}" in slips
    assert page.locator("ul.prepared-files form button[type=submit]").count() == 0
    return codes
