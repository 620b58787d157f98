"""Fidelity on real Pol.is conversations (compdemocracy/openData, CC BY 4.0; see SOURCE.md).

What the conversations published: two opinion groups each (summary.csv), the group of
each participant (participants-votes.csv), and the consensus statements reported in
each folder's SOURCE.md.
"""

import pytest
from sklearn.metrics import adjusted_rand_score

from kenes.core.consensus import Analysis, read_published_groups

from .conftest import CONVERSATIONS, conversation_folder


def published_agreement(name: str, analysis: Analysis) -> float:
    """Adjusted Rand index between our groups and Pol.is' on participants both clustered."""
    published = read_published_groups(conversation_folder(name) / "participants-votes.csv")
    ours = analysis.group_of_participant()
    index = {p: i for i, p in enumerate(analysis.matrix.participants)}
    both = [p for p in published if ours[index[p]] >= 0]
    assert len(both) >= 0.99 * len(published)
    return float(adjusted_rand_score([published[p] for p in both], [ours[index[p]] for p in both]))


def top_consensus(analysis: Analysis, n: int) -> list[str]:
    return [analysis.matrix.statements[c.statement].id for c in analysis.consensus[:n]]


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_each_conversation_splits_into_the_two_groups_it_published(polis_analyses, name):
    assert polis_analyses[name].clustering.k == 2


def test_vtaiwan_uberx_groups_agree_with_the_published_groups(polis_analyses):
    assert published_agreement("vtaiwan.uberx", polis_analyses["vtaiwan.uberx"]) >= 0.8


def test_seattle_groups_agree_with_the_published_groups(polis_analyses):
    name = "15-per-hour-seattle"
    assert published_agreement(name, polis_analyses[name]) >= 0.8


def test_vtaiwan_uberx_top_consensus_is_safety_insurance_and_taxes(polis_analyses):
    # SOURCE.md: tid 40 (vet drivers, safety first), 7 and 16 (insurance), 111, 141, 64 (taxes).
    assert top_consensus(polis_analyses["vtaiwan.uberx"], 6) == [
        "40",
        "7",
        "16",
        "111",
        "141",
        "64",
    ]


def test_bowling_green_top_consensus_is_traffic_and_broadband(polis_analyses):
    # SOURCE.md: tids 83 and 82 (traffic), 200 and 201 (cable and internet rates).
    top = top_consensus(polis_analyses["american-assembly.bowling-green"], 4)
    assert set(top) == {"83", "200", "201", "82"}


def test_bowling_green_fairness_ordinance_divides_the_groups(polis_analyses):
    analysis = polis_analyses["american-assembly.bowling-green"]
    ids = analysis.matrix.statements
    represented = {ids[r.statement].id for g in analysis.groups for r in g.representative}
    assert {"20", "86", "87"} <= represented


def test_seattle_income_inequality_statement_is_among_the_top_consensus(polis_analyses):
    # SOURCE.md reports tid 45 first under red-dwarf's groups (77/61 participants); ours are
    # closer to the published ones (95/43 against 99/39), which moves it to the top five.
    assert "45" in top_consensus(polis_analyses["15-per-hour-seattle"], 5)
