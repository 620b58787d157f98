"""Every page through the onion service in Tor Browser's safest mode, i.e. without JavaScript.

The demo movement of the browser tests is served a second time, as docs/tor.md deploys it:
gunicorn under production settings with KENES_ONION_HOST, answering that name only over
plain HTTP. Chromium stands in for Tor Browser: the onion name is resolved to 127.0.0.1
(Tor would carry it), the onion origin counts as a secure context (Tor Browser treats
.onion so: Secure cookies work), and JavaScript is off.

An officer logs in and follows every link to every kind of page; a member types a code,
votes, sees the receipt and the published results. On every page: it answers 200, shows
its content, and has no control that does nothing without JavaScript. No request leaves
the onion name.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server, crawl
from tests.conftest import isolated_env
from tests.listening import free_port, wait_until_listening

ONION = "kenesdemo" + "a" * 46 + "d.onion"

#: What only works with JavaScript, shown: a plain button (scripts that add one, e.g. for
#: passkeys, keep it `hidden` until they run), a link to nowhere, htmx requests on elements
#: that are neither a link nor a form.
NEEDS_JAVASCRIPT = (
    "button[type=button]:not([hidden]), "
    "a[href='#'], a[href^='javascript:'], "
    "[hx-get]:not(a[href]):not(form[action]):not(form [hx-get]), "
    "[hx-post]:not(form[action]):not(form [hx-post])"
)


@dataclass
class Onion:
    url: str
    var: Path


@pytest.fixture(scope="module")
def onion(server: Server) -> Iterator[Onion]:
    """The demo's database and keys, served by a production onion process."""
    secrets = {
        name: (server.var / file).read_text().strip()
        for name, file in (
            ("KENES_SECRET_KEY", "secret_key"),
            ("KENES_FIELD_KEYS", "field_keys"),
            ("KENES_SERVICE_KEY", "service_key"),
        )
    }
    env = isolated_env(
        {
            **secrets,
            "KENES_ENV": "production",
            "KENES_VAR_DIR": str(server.var),
            "KENES_ONION_HOST": ONION,
            "KENES_TWO_STEP": "optional",  # the demo's officers have no second step set up
        }
    )
    port = free_port()
    log = open(server.var / "onion.log", "wb")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kenes.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--worker-class", "gthread", "--workers", "1", "--threads", "4"],
        env=env,
        stdout=log,
        stderr=log,
    )
    wait_until_listening(port, process, server.var / "onion.log")
    try:
        yield Onion(url=f"http://{ONION}:{port}", var=server.var)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def tor_browser(playwright, onion: Onion):  # type: ignore[no-untyped-def]
    args = [
        *CHROMIUM_ARGS,
        f"--host-resolver-rules=MAP {ONION} 127.0.0.1",
        f"--unsafely-treat-insecure-origin-as-secure={onion.url}",
    ]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield chromium
    chromium.close()


@pytest.fixture
def safest(tor_browser, onion: Onion):  # type: ignore[no-untyped-def]
    """A page with JavaScript off, recording every request it makes."""
    context = tor_browser.new_context(
        viewport={"width": 1000, "height": 800}, locale="ru-RU", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    yield page
    context.close()
    elsewhere = [u for u in seen if urlsplit(u).hostname != ONION and not u.startswith("data:")]
    assert not elsewhere, f"requests left the onion name: {elsewhere}"


def _problems(page, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    found = []
    body = "main" if page.locator("main").count() else "body"  # printable pages have no <main>
    if len(page.locator(body).inner_text().strip()) < 10:
        found.append(f"{where}: no content in <{body}>")
    selector = NEEDS_JAVASCRIPT
    if page.locator("noscript meta[http-equiv=refresh]").count():
        # A part that polls (hx-trigger "every …") on a page that reloads itself without
        # JavaScript: the reload shows the same, less often (the hall, an import under way).
        selector = ", ".join(f"{s.strip()}:not([hx-trigger^=every])" for s in selector.split(", "))
    for html in page.eval_on_selector_all(selector, "els => els.map(e => e.outerHTML)"):
        found.append(f"{where}: needs JavaScript: {html[:160]}")
    return found


def test_every_officer_page_works_without_javascript(safest, onion: Onion, server: Server):
    page = safest
    page.goto(onion.url + "/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", server.logins["admin"])
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(onion.url + "/")
    problems: list[str] = []
    seen: set[str] = set()
    for path, kind, response in crawl(page, onion.url):
        seen.add(kind)
        if response.status != 200:
            problems.append(f"{path}: answered {response.status}")
        else:
            problems += _problems(page, path)
    assert {"dashboard", "members", "elections"} <= seen and len(seen) > 15, seen
    assert problems == [], "\n".join(problems)


def _demo_codes(var: Path, title: str) -> list[str]:
    lines = (var / "demo-codes.txt").read_text().splitlines()
    return [line.split("\t")[0] for line in lines if line.split("\t")[2] == title]


def test_a_member_votes_and_checks_the_results_without_javascript(safest, onion: Onion):
    page = safest
    codes = _demo_codes(onion.var, "Председатель партии")
    code = codes[len(codes) // 2]  # the other browser tests use the first and the last codes
    page.goto(onion.url + "/vote/")
    problems = _problems(page, "code page")
    page.fill("input[name=code]", code)
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_selector("form.ballot")
    problems += _problems(page, "ballot")
    ranks = page.locator(".ballot-line__rank")
    if ranks.count():
        ranks.first.fill("1")
    else:
        page.locator("form.ballot input[type=radio]").first.check()
    page.click("form.ballot button.vote-button")
    page.wait_for_selector("#receipt")
    problems += _problems(page, "receipt")
    assert page.locator("#receipt").inner_text().strip()

    page.goto(onion.url + "/results/")
    problems += _problems(page, "results")
    href = page.locator("a[href$='/result/']").first.get_attribute("href")
    assert href is not None, "the demo publishes a result"
    page.goto(onion.url + href)
    problems += _problems(page, "result")
    page.goto(onion.url + href.replace("/result/", "/box/"))
    problems += _problems(page, "ballot box")
    assert problems == [], "\n".join(problems)
