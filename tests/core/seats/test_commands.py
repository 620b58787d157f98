"""`kenes seats` and `kenes project`: no database, stable --json shapes (docs/seats.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

VOTES_2021 = """party,votes
Nur Otan,5148074
Ak Zhol,792828
People's Party of Kazakhstan,659019
Auyl,383023
Adal,258618
"""

POLLS = """party,share,sample_size
Ruling,52,1200
Second,12,1200
Third,9,1200
Fourth,7,1200
Green,4,1200
Blue,3.5,1200
against all,3,1200
"""


def _run(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    payload: dict[str, object] = json.loads(out.getvalue())
    return payload


def test_seats_by_preset_reproduces_the_2021_majilis(tmp_path: Path) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text(VOTES_2021, encoding="utf-8")
    payload = _run("seats", str(votes), "--rules", "kz-majilis-2012")
    assert payload["seats"] == {
        "Nur Otan": 76,
        "Ak Zhol": 12,
        "People's Party of Kazakhstan": 10,
        "Auyl": 0,
        "Adal": 0,
    }
    assert payload["passed"] == ["Nur Otan", "Ak Zhol", "People's Party of Kazakhstan"]
    assert payload["quota"] == pytest.approx(6_599_921 / 98)
    assert payload["format"] == "kenes-seats/1"


def test_seats_by_method_and_threshold(tmp_path: Path) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text(VOTES_2021, encoding="utf-8")
    payload = _run("seats", str(votes), "--seats", "98", "--method", "dhondt", "--threshold", "7")
    assert list(payload["seats"].values())[:3] == [77, 12, 9]  # type: ignore[attr-defined]
    assert payload["quota"] is None


def test_seats_with_against_all_option(tmp_path: Path) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text("party,votes\nA,900\nB,60\n", encoding="utf-8")
    payload = _run(
        "seats",
        str(votes),
        "--seats",
        "10",
        "--method",
        "hare",
        "--threshold",
        "5",
        "--threshold-base",
        "valid-votes-incl-against-all",
        "--against-all",
        "300",
    )
    assert payload["passed"] == ["A"]


def test_seats_refuses_rules_and_method_together(tmp_path: Path) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text(VOTES_2021, encoding="utf-8")
    with pytest.raises(CommandError, match="not both"):
        call_command("seats", str(votes), "--rules", "kz-majilis-2012", "--seats", "9")


def test_project_reports_parties_majority_and_alliance_scenarios(tmp_path: Path) -> None:
    polls = tmp_path / "polls.csv"
    polls.write_text(POLLS, encoding="utf-8")
    payload = _run(
        "project",
        str(polls),
        "--rules",
        "kz-majilis-2023",
        "--draws",
        "20000",
        "--seed",
        "3",
        "--alliance",
        "Green+Blue:0.8",
    )
    parties = payload["parties"]
    assert isinstance(parties, list)
    assert [p["party"] for p in parties] == ["Ruling", "Second", "Third", "Fourth", "Green", "Blue"]
    for key in ("p_pass", "seats_mean", "seats_p05", "seats_p50", "seats_p95", "share_needed"):
        assert key in parties[0]
    assert payload["p_majority"]["any"] > 0.9  # type: ignore[index]
    (scenario,) = payload["scenarios"]  # type: ignore[misc]
    assert scenario["alliance"] == "Green+Blue"
    assert scenario["joint"]["p_pass"] > max(a["p_pass"] for a in scenario["alone"])


def test_project_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    polls = tmp_path / "polls.csv"
    polls.write_text(POLLS, encoding="utf-8")
    args = ("project", str(polls), "--rules", "kz-majilis-2023", "--draws", "5000", "--seed", "1")
    assert _run(*args) == _run(*args)
