"""Historical replays: the shipped results are the shared data's, and replay as officially."""

from __future__ import annotations

import csv

import pytest

from kenes.core.seats import SeatRulesError
from kenes.parliament.historical import past_election, past_elections, replay, sources
from tests.shared_data import SHARED_DATA


def test_the_shipped_results_are_the_shared_datas_official_results():
    path = SHARED_DATA / "apportionment" / "kazakhstan-majilis" / "majilis.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    shipped = [
        (str(e.year), party, str(votes), str(e.official_seats[party]))
        for e in past_elections()
        for party, votes in e.votes.items()
    ]
    assert shipped == [(r["election"], r["party"], r["votes"], r["official_seats"]) for r in rows]
    assert sources(), "the facts carry their source"


@pytest.mark.parametrize("election", past_elections(), ids=lambda e: e.id)
def test_a_replay_under_the_original_rules_gives_the_official_seats(election):
    result = replay(election, election.original_rules.id)
    assert result.seats == election.official_seats
    assert not result.differs


def test_2021_under_the_2023_rules_admits_auyl_with_69_seats():
    """5 % instead of 7 %: Auyl's 5.3 % passes; Hare over 69 seats gives 51/8/6/4."""
    election = past_election("kz-majilis-2021")
    assert election is not None and election.original_rules.id == "kz-majilis-2012"
    result = replay(election, "kz-majilis-2023")
    assert result.seats == {
        "Nur Otan": 51,
        "Ak Zhol": 8,
        "People's Party of Kazakhstan": 6,
        "Auyl": 4,
        "Adal": 0,
    }
    assert result.differs and "Auyl" in result.passed


def test_2016_under_the_2007_rules_is_unchanged_since_three_lists_passed():
    """The runner-up rule (2012-2021) only acts when one list passes; in 2016 three did."""
    election = past_election("kz-majilis-2016")
    assert replay(election, "kz-majilis-2007").seats == election.official_seats
    assert replay(election, "kz-majilis-2012").runner_up is None


def test_an_unknown_rules_id_is_refused():
    with pytest.raises(SeatRulesError):
        replay(past_elections()[0], "kz-majilis-1990")
