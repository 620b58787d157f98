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


# Your own results: typed-in CSV, replayed the same way (nothing stored).

ONE_LIST_PASSES = "party,votes\nLeader,900000\nSecond,60 000\nThird,40000\n"


def test_typed_results_where_one_list_passes_admit_the_runner_up_under_the_2012_rules():
    """Under 7 % only Leader passes; the 2012 rule admits Second with at least 2 seats."""
    from kenes.parliament.historical import own_result, read_results, replay_own

    own = own_result(*read_results(ONE_LIST_PASSES), "kz-majilis-2007")
    assert own.counted and own.official_seats == {"Leader": 98, "Second": 0, "Third": 0}
    result = replay_own(own, "kz-majilis-2012")
    assert result.runner_up == "Second"
    assert result.seats["Second"] >= 2 and result.seats["Third"] == 0
    assert sum(result.seats.values()) == 98 and result.differs


def test_typed_official_seats_are_kept_and_compared_with_the_rules():
    from kenes.parliament.historical import own_result, read_results

    own = own_result(*read_results("A,900,90\nB,100,8\n"), "kz-majilis-2007")
    assert not own.counted and own.official_seats == {"A": 90, "B": 8}
    assert not own.matches_rules, "7 % of 1000 is 70: B passes, so 98 seats split 88/10"


def test_an_against_all_line_counts_in_the_2023_base_not_as_a_list():
    """2023: 5 % of valid votes including 'against all'; B's 5.2 % of party votes is 4.9 %."""
    from kenes.parliament.historical import own_result, read_results

    votes, official, against_all = read_results("A,9000\nB,500\nagainst all,700\n")
    assert against_all == 700 and "against all" not in votes
    assert own_result(votes, official, against_all, "kz-majilis-2023").official_seats["B"] == 0
    assert own_result(votes, official, 0, "kz-majilis-2023").official_seats["B"] > 0


@pytest.mark.parametrize(
    "text,line",
    [
        ("party,votes\nA,100\n\nB,ten\n", 4),
        ("A,100\nA,200\n", 2),
        ("A,100\n,5\n", 2),
        ("A,100\nB,5,2,9\n", 2),
        ("party,share\nA,10\n", 1),
        ("A,100,x\n", 1),
        ("A,-5\n", 1),
    ],
)
def test_bad_result_lines_are_refused_naming_the_line(text, line):
    from kenes.parliament.historical import HistoricalError, read_results

    with pytest.raises(HistoricalError, match=rf"\b{line}\b"):
        read_results(text)


def test_results_where_no_list_passes_are_refused_with_a_sentence():
    from kenes.parliament.historical import HistoricalError, own_result

    with pytest.raises(HistoricalError):
        own_result({f"P{i}": 1 for i in range(20)}, None, 0, "kz-majilis-2007")
