"""An election from draft to a recounted result, in a real browser.

The admin creates an STV election for the farmers' group, adds three candidates and opens
it; three members vote with the codes from the printed slips (one by tapping with
JavaScript, one on a phone without JavaScript, one through a personal link, twice); the
admin closes and publishes; a voter finds their receipt in the ballot box, the replaced
ballot is not in it, and `kenes tally` on the downloaded box gives the published result.
No request may leave 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from django.utils import timezone

from tests.browser.conftest import (  # noqa: F401 - shared launch flags
    CHROMIUM_ARGS,
    approve_bulk_reads,
    download_handouts,
    log_in,
)
from tests.conftest import isolated_env


def _phone(browser, *, javascript: bool = True):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="ru-RU", java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _receipt(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#receipt").inner_text().replace(" ", "").strip()


def _create_and_open(page, browser, server) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/elections/new/")
    page.fill("input[name=title]", "Совет фермеров")
    page.check("input[name=kind][value=election]")
    farmers = page.eval_on_selector(
        "select[name=electorate]",
        "s => [...s.options].find(o => o.text.includes('Фермеры')).value",
    )
    page.select_option("select[name=electorate]", farmers)
    page.fill("input[name=cutoff_on]", timezone.localdate().isoformat())  # the server's day
    page.select_option("select[name=method]", "stv")
    page.fill("input[name=seats]", "2")
    page.click("form.election-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/elections/\d+/$"))
    election_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # Three farmers, found by name as an officer types it (the blind index: whole name parts
    # or their first letters, any case).
    page.goto(f"{server.url}/groups/farmers/")
    names = page.eval_on_selector_all(
        "main a[href^='/members/']", "els => els.map(e => e.textContent.trim())"
    )
    names = list(dict.fromkeys(n for n in names if len(n.split()) >= 2))[:3]
    assert len(names) == 3, names
    for name in names:
        surname, given = name.split()[:2]
        query = f"{surname.lower()} {given[:3]}"
        page.goto(f"{server.url}/elections/{election_id}/?q={query}")
        page.locator(".match", has_text=name).locator("form button[type=submit]").first.click()
        page.wait_for_url(re.compile(rf".*/elections/{election_id}/.*"))
    assert page.locator("ol.candidates > li").count() == 3

    page.check("#confirm-open")
    page.click("form:has(#confirm-open) button[type=submit]")
    # The CSV for SMS or mail merge and the slips, made by the worker, downloaded once.
    page.wait_for_url(re.compile(r".*/files/[0-9a-f-]+/$"))
    assert approve_bulk_reads(browser, server) == 1  # codes for many members: a second officer
    page.reload()
    codes = download_handouts(page, "/vote/")
    return election_id, codes[:3]


def test_election_from_draft_to_a_result_anyone_can_recount(  # type: ignore[no-untyped-def]
    page, browser, server, requests_seen, tmp_path
):
    log_in(page, server, "admin")
    page.wait_for_url(server.url + "/")
    election_id, (code_a, code_b, code_c) = _create_and_open(page, browser, server)

    # Voter A: a phone with JavaScript, ranking by tapping candidates in order.
    context, voter = _phone(browser)
    voter.on("request", lambda r: requests_seen.append(r.url))
    voter.goto(server.url + "/vote/")
    voter.fill("input[name=code]", code_a)
    voter.click("form.vote-code button[type=submit]")
    voter.locator(".ballot-line__pick").nth(2).click()
    voter.locator(".ballot-line__pick").nth(0).click()
    assert voter.locator(".ranking-summary__list li").count() == 2
    voter.click("button.vote-button")
    receipt_a = _receipt(voter)
    context.close()

    # Voter B: no JavaScript at all, the numbered form.
    context, voter = _phone(browser, javascript=False)
    voter.goto(server.url + "/vote/")
    voter.fill("input[name=code]", code_b)
    voter.click("form.vote-code button[type=submit]")
    voter.fill("input[name=rank_1]", "1")
    voter.fill("input[name=rank_2]", "2")
    voter.click("button.vote-button")
    receipt_b = _receipt(voter)
    context.close()

    # Voter C: the personal link from the slip, then changes their mind (only the last counts).
    context, voter = _phone(browser, javascript=False)
    voter.goto(f"{server.url}/vote/{code_c}/")
    voter.fill("input[name=rank_0]", "1")
    voter.click("button.vote-button")
    first_receipt_c = _receipt(voter)
    voter.goto(f"{server.url}/vote/{code_c}/")
    voter.fill("input[name=rank_1]", "1")
    voter.fill("input[name=rank_0]", "2")
    voter.click("button.vote-button")
    receipt_c = _receipt(voter)
    context.close()
    assert len({receipt_a, receipt_b, first_receipt_c, receipt_c}) == 4

    # The admin sees three voters, closes and publishes.
    page.goto(f"{server.url}/elections/{election_id}/")
    assert re.search(r"\b3\b", page.locator(".turnout").inner_text())
    page.check("#confirm-close")
    page.click("form:has(#confirm-close) button[type=submit]")
    page.check("#confirm-publish")
    page.click("form:has(#confirm-publish) button[type=submit]")
    page.wait_for_url(f"{server.url}/elections/{election_id}/result/")
    result_text = page.locator("main").inner_text()

    # Anyone downloads the box and recounts it with `kenes tally`.
    with page.expect_download() as download:
        page.click(f'a[href$="/elections/{election_id}/box.blt"]')
    blt = tmp_path / "box.blt"
    download.value.save_as(blt)
    box = json.loads(page.request.get(f"{server.url}/elections/{election_id}/box.json").text())
    recount = subprocess.run(
        [sys.executable, "-m", "kenes", "tally", str(blt), "--method", "stv", "--seats", "2"]
        + ["--seed", str(box["election"]["seed"]), "--json"],
        env=isolated_env({"KENES_ENV": "development", "KENES_VAR_DIR": str(tmp_path)}),
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    )
    recounted = json.loads(recount.stdout)
    assert recounted["winners"] == box["result"]["winners"]
    assert recounted["rounds"] == box["result"]["rounds"]
    for name in recounted["winners"]:
        assert name in result_text
    assert sorted(e["receipt"] for e in box["entries"]) == sorted([receipt_a, receipt_b, receipt_c])

    # Voter C finds their ballot; the replaced one is not in the box.
    page.goto(f"{server.url}/elections/{election_id}/box/?receipt={receipt_c}")
    assert page.locator("#receipt-found").is_visible()
    page.goto(f"{server.url}/elections/{election_id}/box/?receipt={first_receipt_c}")
    assert page.locator("#receipt-missing").is_visible()
