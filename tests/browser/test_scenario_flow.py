"""A seat scenario with a joint list, built through the pages in a real browser.

The admin enters poll figures in the table (no upload, no JavaScript needed), adds a joint
list at 85 % retention and reads the joint list's chance of passing, which must be what the
seat engine gives for the same figures and seed. Then the scenario is made large enough to
run as a background task: the page shows "computing" and htmx swaps in the result when the
worker is done. No request may leave 127.0.0.1.
"""

from __future__ import annotations

import re

from kenes.core.seats import load_seat_rules
from kenes.core.seats.polls import PollFigure, pool_polls
from kenes.core.seats.projection import Alliance, project
from tests.browser.conftest import log_in

OURS, PARTNER = "Наша партия", "ОСДП"
POLL = [("Amanat", "52"), ("Auyl", "11"), ("Ak Zhol", "8,5"), (OURS, "4"), (PARTNER, "3")]
SAMPLE, SEED, DRAWS = 1200, 11, 4000


def _percent(text: str) -> float:
    return float(text.replace("%", "").replace(",", ".").replace("\xa0", "").strip())


def _expected_joint_pass() -> float:
    figures = [PollFigure(p, float(s.replace(",", ".")) / 100, SAMPLE) for p, s in POLL]
    projection = project(
        pool_polls(figures),
        load_seat_rules("kz-majilis-2023"),
        draws=DRAWS,
        seed=SEED,
        alliances=[Alliance(((OURS, 1.0), (PARTNER, 0.85)))],
    )
    _alliance, outlook = projection.scenarios[0]
    joint = next(o for o in outlook.lists if o.party == f"{OURS}+{PARTNER}")
    return round(100 * joint.p_pass, 1)


def test_an_alliance_scenario_shows_the_joint_lists_chance(page, server, requests_seen):  # type: ignore[no-untyped-def]
    log_in(page, server, "admin")
    page.wait_for_url(server.url + "/")
    page.goto(server.url + "/scenarios/new/")
    page.fill("input[name=title]", "Вместе с ОСДП")
    page.select_option("select[name=rules_id]", "kz-majilis-2023")
    page.fill("input[name=our_party]", OURS)
    for i, (party, share) in enumerate(POLL):
        page.fill(f"input[name=party_{i}]", party)
        page.fill(f"input[name=share_{i}]", share)
    page.fill("input[name=sample_size_0]", str(SAMPLE))
    page.fill("input[name=alliance_0]", f"{OURS}+{PARTNER}")
    page.fill("input[name=retention_0]", "85")
    page.fill("input[name=draws]", str(DRAWS))
    page.fill("input[name=seed]", str(SEED))
    page.click("form.scenario-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/scenarios/\d+/$"))
    detail = page.url

    card = page.locator(f'.alliance[data-alliance="{OURS}+{PARTNER}"]')
    joint = _percent(card.locator(".alliance-joint .p-pass").inner_text())
    alone = _percent(card.locator(".alliance-alone .p-pass").first.inner_text())
    assert joint == _expected_joint_pass()
    assert joint > alone  # 4 % + 85 % of 3 % clears 5 % far more often than 4 % alone
    assert page.locator("#hemicycle-modal circle").count() == 69
    assert page.locator("#share-needed strong").inner_text().strip()

    # Large enough for a background task: the page polls until the worker is done.
    page.goto(detail + "edit/")
    page.fill("input[name=draws]", "300000")
    page.click("form.scenario-form button[type=submit]")
    page.wait_for_url(detail)
    page.locator(f'#scenario-body .alliance[data-alliance="{OURS}+{PARTNER}"]').wait_for(
        timeout=90_000
    )
    assert page.locator("#scenario-body[hx-get]").count() == 0
