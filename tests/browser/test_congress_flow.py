"""A congress's badges and its door, in a real browser.

The admin prints a region's badges (new codes, a print-ready page: on paper only the badges,
each with its QR code); a teller at the door types a badge code and presses Enter, as a USB
scanner does, and the quorum panel open on another screen counts the delegate without being
reloaded (htmx polling). A second teller keeps the door without JavaScript. No request may
leave 127.0.0.1 (the `page` fixture checks it).
"""

from __future__ import annotations

import re

from tests.browser.conftest import crawl, log_in

CONGRESS = "/congress/browser-congress/"


def _present(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator("#quorum-panel .quorum__big").first.inner_text().replace("\xa0", ""))


def _print_badges(page, server) -> list[str]:  # type: ignore[no-untyped-def]
    """Print the badges of the regions in turn until one has a delegate who may sit; the
    codes of the badges without a problem."""
    page.goto(server.url + CONGRESS)
    regions = page.eval_on_selector_all("select[name=region] option", "os => os.map(o => o.value)")
    assert regions, "the admin is offered every region with delegates"
    for region in regions:
        page.goto(server.url + CONGRESS)
        page.select_option("select[name=region]", region)
        page.check("form[action$='/badges/'] input[name=confirm]")
        page.click("form[action$='/badges/'] button[type=submit]")
        page.wait_for_load_state()
        badges = page.locator("li.congress-badge")
        assert badges.count() == page.locator("li.congress-badge svg").count()
        codes = [
            badges.nth(i).locator(".congress-badge__code").inner_text().strip()
            for i in range(badges.count())
            if badges.nth(i).locator(".congress-badge__problems").count() == 0
        ]
        if codes:
            return codes
    raise AssertionError("no delegate of the demo may sit")


def test_badges_print_and_open_the_door_and_the_quorum_panel_follows(browser, server, page):  # type: ignore[no-untyped-def]
    log_in(page, server, "admin")
    page.wait_for_url(server.url + "/")
    codes = _print_badges(page, server)
    assert all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code) for code in codes)

    # On paper: the badges only, no menu, no notices.
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator(".badges-screen").first.is_visible()
    assert page.locator("li.congress-badge").first.is_visible()
    page.emulate_media(media="screen")

    # The quorum panel on a second screen, left alone.
    panel_context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="ru-RU")
    panel = panel_context.new_page()
    panel.set_default_timeout(20_000)
    try:
        log_in(panel, server, "admin")
        panel.wait_for_url(server.url + "/")
        panel.goto(server.url + CONGRESS + "quorum/")
        before = _present(panel)

        # The teller: the field has the focus; the scanner types the code and Enter.
        page.goto(server.url + CONGRESS + "door/")
        assert page.evaluate("document.activeElement.name") == "badge"
        page.keyboard.type(codes[0])
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        answer = page.locator("ul.messages li").first.inner_text()
        assert "вошёл в зал" in answer or "checked in" in answer, answer
        assert page.evaluate("document.activeElement.name") == "badge"  # ready for the next

        panel.wait_for_function(
            "n => Number(document.querySelector('#quorum-panel .quorum__big')"
            ".innerText.replace(/\\s/g, '')) > n",
            arg=before,
        )
        assert _present(panel) == before + 1
    finally:
        panel_context.close()


def test_the_door_works_without_javascript(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="ru-RU", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        log_in(page, server, "admin")
        page.wait_for_url(server.url + "/")
        codes = _print_badges(page, server)
        page.goto(server.url + CONGRESS + "door/")
        before = _present(page)
        page.fill("input[name=badge]", codes[-1].lower().replace("-", " "))
        page.press("input[name=badge]", "Enter")
        page.wait_for_url(server.url + CONGRESS + "door/")
        assert _present(page) == before + 1
        page.fill("input[name=badge]", codes[-1])
        page.click("button[name=direction][value=out]")
        page.wait_for_url(server.url + CONGRESS + "door/")
        assert _present(page) == before
    finally:
        context.close()


def test_the_crawls_reach_every_congress_page(server, page):  # type: ignore[no-untyped-def]
    """The accessibility and no-JavaScript tests check every page the crawl reaches: the
    congress pages must be among them."""
    log_in(page, server, "admin")
    page.wait_for_url(server.url + "/")
    kinds = {kind for _path, kind, _response in crawl(page, server.url)}
    pages = {"congresses", "congress_add", "congress_detail", "congress_door", "congress_quorum"}
    assert pages <= kinds, pages - kinds
