"""A consultation from creation to a recomputed analysis, in a real browser.

The admin creates a consultation for the farmers' group with four seed statements and
issues personal codes; three members answer on phones (one with JavaScript through the
code page, two without JavaScript through their personal links); one adds a statement,
which the admin approves in the moderation queue, and all three answer it; the admin
presses "recompute now" and the analysis (computed by the background worker) shows every
vote. No request may leave 127.0.0.1.
"""

from __future__ import annotations

import re
import time

from django.utils import timezone

from tests.browser.conftest import approve_bulk_reads, download_handouts, log_in

SEEDS = [
    "Закупочные цены на зерно объявлять до посевной",
    "Честные суды для всех",
    "Разрешить продажу земли",
    "Дешёвые кредиты фермерам",
]
NEW = "Вода для полива по честной цене"


def _phone(browser, requests_seen, *, javascript: bool = True):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="ru-RU", java_script_enabled=javascript
    )
    page = context.new_page()
    page.on("request", lambda r: requests_seen.append(r.url))
    page.set_default_timeout(20_000)
    return context, page


def _answer_all(phone, choice: str) -> int:  # type: ignore[no-untyped-def]
    """Press `choice` on every statement shown, until the "voted on everything" page."""
    answered = 0
    while phone.locator(".consult-done").count() == 0:
        phone.locator(f".consult-choice--{choice}").click()
        phone.wait_for_load_state()
        answered += 1
        assert answered <= 10
    return answered


def _create_and_issue(page, browser, server) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/consultations/new/")
    page.fill("input[name=title]", "Что важно фермерам")
    page.fill("input[name=question]", "За что должна бороться партия?")
    farmers = page.eval_on_selector(
        "select[name=electorate]",
        "s => [...s.options].find(o => o.text.includes('Фермеры')).value",
    )
    page.select_option("select[name=electorate]", farmers)
    page.fill("input[name=cutoff_on]", timezone.localdate().isoformat())  # the server's day
    assert page.is_checked("input[name=moderation]")
    page.fill("textarea[name=statements]", "\n".join(SEEDS))
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r".*/consultations/\d+/$"))
    consultation_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert page.locator("#statements li").count() == 4

    page.check("#confirm-codes")
    page.click("form:has(#confirm-codes) button[type=submit]")
    # The personal link carries the code after '#': browsers never send it to a server.
    page.wait_for_url(re.compile(r".*/files/[0-9a-f-]+/$"))
    assert approve_bulk_reads(browser, server) == 1  # codes for many members: a second officer
    page.reload()
    codes = download_handouts(page, "/consult/")
    return consultation_id, codes[:3]


def test_consultation_from_seed_statements_to_a_recomputed_analysis(  # type: ignore[no-untyped-def]
    page, browser, server, requests_seen
):
    log_in(page, server, "admin")
    page.wait_for_url(server.url + "/")
    consultation_id, (code_a, code_b, code_c) = _create_and_issue(page, browser, server)

    # Member A: a phone with JavaScript, through the code page.
    context_a, phone_a = _phone(browser, requests_seen)
    phone_a.goto(server.url + "/consult/")
    phone_a.fill("input[name=code]", code_a)
    phone_a.click("form.vote-code button[type=submit]")
    assert _answer_all(phone_a, "agree") == 4

    # Member B: no JavaScript, the personal link.
    context_b, phone_b = _phone(browser, requests_seen, javascript=False)
    phone_b.goto(f"{server.url}/consult/{code_b}/")
    assert _answer_all(phone_b, "disagree") == 4

    # Member C: no JavaScript; adds a statement, then answers the others.
    context_c, phone_c = _phone(browser, requests_seen, javascript=False)
    phone_c.goto(f"{server.url}/consult/{code_c}/")
    phone_c.click(".consult-add button")
    phone_c.fill("textarea[name=text]", NEW)
    phone_c.click("button.vote-button")
    phone_c.locator(".notice--good").wait_for()
    assert _answer_all(phone_c, "pass") == 4

    # The admin approves it in the moderation queue.
    page.goto(f"{server.url}/consultations/{consultation_id}/moderation/")
    pending = page.locator("#pending li", has_text=NEW)
    pending.locator("button[name=action][value=approve]").click()
    page.wait_for_load_state()
    assert page.locator("#pending").count() == 0

    # All three now get the new statement, and only that one. A (with JavaScript) follows
    # the personal link as printed on the slip: the page posts the code from the fragment.
    phone_a.goto(f"{server.url}/consult/#/{code_a}")
    phone_a.locator(".consult-statement__text").wait_for()
    assert "#" not in phone_a.url  # the code is cleared from the address bar
    for phone, code, choice in ((phone_a, code_a, "agree"), (phone_b, code_b, "disagree")):
        if phone is phone_b:
            phone.goto(f"{server.url}/consult/{code}/")
        assert NEW in phone.locator(".consult-statement__text").inner_text()
        assert _answer_all(phone, choice) == 1
    phone_c.goto(f"{server.url}/consult/{code_c}/")
    assert _answer_all(phone_c, "agree") == 1
    for context in (context_a, context_b, context_c):
        context.close()

    # The admin recomputes; the background worker stores the analysis of all 15 votes.
    detail = f"{server.url}/consultations/{consultation_id}/"
    page.goto(detail)
    assert page.locator("#vote-count").inner_text().strip() == "15"
    page.click(f'form[action$="/consultations/{consultation_id}/recompute/"] button')
    deadline = time.monotonic() + 30
    while "15" not in page.locator("#analysis-time").inner_text():
        assert time.monotonic() < deadline, page.locator("#analysis").inner_text()
        time.sleep(0.5)
        page.goto(detail)
    assert page.locator("#participant-count").inner_text().strip() == "3"

    # Into the report phase: the members' link now leads to the report.
    page.check("#confirm-phase")
    page.click("form:has(#confirm-phase) button[type=submit]")  # collect → vote
    page.check("#confirm-phase")
    page.click("form:has(#confirm-phase) button[type=submit]")  # vote → report
    context, phone = _phone(browser, requests_seen, javascript=False)
    phone.goto(f"{server.url}/consult/{code_a}/")
    assert phone.locator(".consult-choice--agree").count() == 0
    report = phone.locator("a.button")
    if report.count():  # the report page (views/agenda_report.py) when it is wired in
        report.click()
        phone.wait_for_load_state()
        assert "Что важно фермерам" in phone.content()
    context.close()
