"""A coordinator's day, in a real browser: log in, upload the messy sample, read the
report, confirm, and see readiness change. No request may leave 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import log_in

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CODES = [
    "iin_invalid",
    "iin_birthdate_mismatch",
    "underage",
    "duplicate_in_file",
    "missing_field",
    "unknown_region",
    "phone_invalid",
]


def _total_in_good_standing(page, server) -> int:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/readiness/?rules=kz-2022")
    return int(page.locator(".stat__value").first.inner_text().replace("\xa0", "").replace(" ", ""))


def test_upload_messy_sample_read_report_confirm_and_see_readiness_change(
    page, server, requests_seen
):
    log_in(page, server, "admin")
    page.wait_for_url(server.url + "/")
    before = _total_in_good_standing(page, server)

    page.goto(server.url + "/import/")
    page.select_option("select[name=group]", label="Фермеры")
    page.set_input_files("input[name=file]", str(EXAMPLES / "messy-members.xlsx"))
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/import/[0-9a-f-]{36}/$"))
    page.locator("#report-heading").wait_for()
    report = page.locator("#batch-body").inner_text()
    for code in CODES:
        assert code in report, f"{code} missing from the report"
    valid = int(page.locator(".stat__value").nth(1).inner_text())
    assert valid > 0

    page.click("text=Подтвердить импорт")
    page.locator("#result-heading").wait_for(timeout=60_000)
    imported = int(page.locator("#result-heading + .stats .stat__value").first.inner_text())
    merged = int(page.locator("#result-heading + .stats .stat__value").nth(1).inner_text())
    assert imported + merged == valid

    after = _total_in_good_standing(page, server)
    # Some imported rows carry a status other than "member" and do not count.
    assert before < after <= before + imported
    assert any("/static/" in url for url in requests_seen)  # assets really were loaded


def test_member_detail_shows_decrypted_data_to_the_coordinator_in_scope(page, server):
    log_in(page, server, "coord-farmers")
    page.goto(server.url + "/members/")
    page.locator("table a[href*='/members/']").first.click()
    text = page.locator("main").inner_text()
    assert re.search(r"\b\d{12}\b", text), "the IIN is shown on the member page"


def test_the_auditor_is_refused_member_pages(page, server):
    log_in(page, server, "auditor")
    page.wait_for_url(server.url + "/")
    response = page.goto(server.url + "/members/")
    assert response is not None and response.status == 403


def test_repeated_wrong_passwords_lock_the_account(page, server):
    for _ in range(5):
        log_in(page, server, "coord-almaty", "wrong-password")
    text = page.locator("body").inner_text()
    assert "30" in text
    log_in(page, server, "coord-almaty")
    assert "/login/" in page.url or "30" in page.locator("body").inner_text()
