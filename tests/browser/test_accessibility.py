"""axe-core finds no serious or critical violation on any page, for any role, on a phone and a
desktop, in Russian, Kazakh and English.

Each officer logs in and follows every link of the site that leads to a page (one page per
kind of page: one member's record stands for all members' records); the member-facing pages
(the code page, a ballot, the receipt, a consultation, published results, the ballot box) are
opened with personal codes from the demo. Every violation found is collected, so a failure
lists them all. On the phone, the officers' menu takes at most a quarter of the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import Server, crawl, log_in, start_pages

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
SERIOUS = ("serious", "critical")

#: Each role of the demo, and where (screen, language) all its pages are checked. The national
#: admin sees every kind of page: it is checked on both screens and in the three languages; the
#: others see fewer pages with their own (scoped) content, each on one screen and language, so
#: the whole test stays within about a minute and a half.
OFFICERS = [
    ("admin", PHONE, "ru"),
    ("admin", DESKTOP, "kk"),
    ("admin", PHONE, "en"),
    ("coord-farmers", DESKTOP, "ru"),
    ("coord-almaty", PHONE, "kk"),
    ("auditor", DESKTOP, "en"),
]
MEMBER_VIEWS = [
    (PHONE, "ru"),
    (PHONE, "kk"),
    (PHONE, "en"),
    (DESKTOP, "ru"),
    (DESKTOP, "kk"),
    (DESKTOP, "en"),
]


@dataclass
class Check:
    axe: object
    violations: list[str]
    pages: int = 0

    def run(self, page, where: str) -> None:  # type: ignore[no-untyped-def]
        response = self.axe.run(page).response  # type: ignore[attr-defined]
        self.pages += 1
        for violation in response["violations"]:
            if violation["impact"] not in SERIOUS:
                continue
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            self.violations.append(
                f"{where}: {violation['id']} ({violation['impact']}) at {targets}: "
                f"{violation['help']}"
            )


@pytest.fixture(scope="module")
def axe() -> Iterator[object]:
    from axe_playwright_python.sync_playwright import Axe

    yield Axe()


@pytest.fixture
def check(axe: object) -> Check:
    return Check(axe=axe, violations=[])


def _context(browser, server: Server, viewport: dict[str, int], language: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport, locale="ru-RU")
    context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _crawl(page, server: Server, check: Check, where: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Every kind of page reachable by links from the overview, each checked once."""
    kinds = set()
    for path, kind, response in crawl(page, server.url):
        kinds.add(kind)
        if response.status == 200:
            check.run(page, f"{where} {path}")
    return kinds


@pytest.mark.parametrize(("username", "viewport", "language"), OFFICERS)
def test_no_serious_violation_on_any_officer_page(
    browser, server, check, username, viewport, language
):  # type: ignore[no-untyped-def]
    context, page = _context(browser, server, viewport, language)
    try:
        log_in(page, server, username)
        page.wait_for_url(server.url + "/")
        assert page.locator("html").get_attribute("lang") == language
        where = f"{username} {viewport['width']}px {language}"
        if viewport["width"] == PHONE["width"]:
            header = page.locator("header.site-header").bounding_box()
            assert header is not None
            assert header["height"] <= PHONE["height"] / 4, (
                f"{where}: the header and menu take {header['height']:.0f} of {PHONE['height']} px"
            )
        kinds = _crawl(page, server, check, where)
    finally:
        context.close()
    assert "dashboard" in kinds and check.pages > 3
    assert check.violations == [], "\n".join(check.violations)


def _demo_codes(server: Server) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for line in Path(server.var / "demo-codes.txt").read_text().splitlines():
        code, _name, title = line.split("\t")[:3]
        codes.setdefault(title, []).append(code)
    return codes


def _cast(page, server: Server, code: str) -> None:  # type: ignore[no-untyped-def]
    """Open the ballot with `code` and cast it as it first comes: the top candidate or option."""
    page.goto(server.url + "/vote/")
    page.fill("input[name=code]", code)
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.wait_for_selector("form.ballot")


def test_no_serious_violation_on_any_member_page(browser, server, check):  # type: ignore[no-untyped-def]
    codes = _demo_codes(server)
    vote_codes, consult_codes, report_codes = (
        codes["Председатель партии"],
        codes["Как собирать взносы"],
        codes["Программа партии"],
    )
    for n, (viewport, language) in enumerate(MEMBER_VIEWS):
        where = f"member {viewport['width']}px {language}"
        context, page = _context(browser, server, viewport, language)
        try:
            page.goto(server.url + "/vote/")
            assert page.locator("html").get_attribute("lang") == language
            check.run(page, f"{where} code page")
            # The last codes of the demo: the other browser tests make their own votes.
            _cast(page, server, vote_codes[-1 - n])
            check.run(page, f"{where} ballot")
            ranks = page.locator(".ballot-line__rank")
            if ranks.count():
                ranks.first.fill("1")
            else:
                page.locator("form.ballot input[type=radio]").first.check()
            page.click("form.ballot button.vote-button")
            page.wait_for_selector("#receipt")
            check.run(page, f"{where} receipt")

            page.goto(server.url + "/consult/")
            check.run(page, f"{where} consultation code page")
            page.fill("input[name=code]", consult_codes[-1 - (n % len(consult_codes))])
            page.locator("form:has(input[name=code]) button[type=submit]").first.click()
            page.wait_for_load_state()
            check.run(page, f"{where} consultation")
            page.goto(server.url + "/consult/")
            page.fill("input[name=code]", report_codes[-1 - (n % len(report_codes))])
            page.locator("form:has(input[name=code]) button[type=submit]").first.click()
            page.wait_for_load_state()
            check.run(page, f"{where} consultation report")

            page.goto(server.url + start_pages()[1])
            check.run(page, f"{where} the hall on a delegate's phone")

            page.goto(server.url + "/results/")
            check.run(page, f"{where} published results")
            result = page.locator("a[href$='/result/']").first
            assert result.count(), "the demo publishes a result"
            href = result.get_attribute("href")
            assert href is not None
            page.goto(server.url + href)
            check.run(page, f"{where} result")
            page.goto(server.url + re.sub(r"result/$", "box/", href))
            check.run(page, f"{where} ballot box")
        finally:
            context.close()
    assert check.violations == [], "\n".join(check.violations)
