"""Demo scenarios for `kenes demo`: our party alone at 4 %, and on a joint list.

The figures are illustrative (a made-up poll of 1,200 people), not a real survey.
"""

from __future__ import annotations

from typing import Any

from kenes.parliament.models import Scenario
from kenes.parliament.scenarios import do_create_scenario, do_set_shared, start_run

RULES = "kz-majilis-2023"
OUR_PARTY = "Наша партия"
PARTNER = "ОСДП"
SAMPLE = 1200
POLL = [
    ("Amanat", 50.0),
    ("Auyl", 10.0),
    ("Respublica", 8.5),
    ("Ak Zhol", 8.0),
    ("People's Party", 6.5),
    (PARTNER, 3.0),
    (OUR_PARTY, 4.0),
    ("against all", 4.0),
]


def seed_demo_scenarios(*, admin: Any) -> list[Scenario]:
    """Two shared scenarios under kz-majilis-2023, computed: alone, and with a partner at 85 %.

    Once: nothing happens if any scenario exists.
    """
    if Scenario.objects.exists():
        return []
    polls = [{"party": p, "share": s, "sample_size": SAMPLE} for p, s in POLL]
    made = []
    for title, alliances in (
        ("Одни: 4 % (условный опрос, n = 1 200)", []),
        (
            "Совместный список с ОСДП (85 % их избирателей)",
            [{"parties": [OUR_PARTY, PARTNER], "retention": 0.85}],
        ),
    ):
        scenario = do_create_scenario(
            title=title,
            rules_id=RULES,
            draws=20_000,
            seed=2023,
            polls=polls,
            alliances=alliances,
            our_party=OUR_PARTY,
            acting_user=admin,
        )
        do_set_shared(scenario, True, acting_user=admin)
        start_run(scenario, acting_user=admin)
        scenario.refresh_from_db()
        made.append(scenario)
    return made
