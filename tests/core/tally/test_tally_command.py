"""`kenes tally FILE --method M --json`: the stable JSON shape, no database needed."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _tally(*args: str) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("tally", *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_tally_stv_json_has_the_documented_shape(ballots: Path) -> None:
    data = _tally(
        str(ballots / "glasgow-2022/blt/Ward-1-Linn.blt"), "--method", "stv", "--seed", "3"
    )
    assert {"method", "seats", "candidates", "winners", "rounds", "seed"} <= set(data)
    assert data["method"] == "stv" and data["seats"] == 4 and data["seed"] == 3
    assert data["winners"] == [
        "Malcolm CUNNING",
        "Paul MCCABE",
        "Margaret MORGAN",
        "Catherine VALLIS",
    ]
    stage8 = data["rounds"][7]
    assert stage8["round"] == 8
    assert stage8["votes"]["Euan BLOCKLEY"] == "1259.1106"
    assert stage8["non_transferable_rounding"] == "0.02754"
    assert {"elected", "excluded", "exhausted", "why"} <= set(stage8)


def test_tally_schulze_json_carries_the_pairwise_matrix_and_paths(ballots: Path) -> None:
    data = _tally(str(ballots / "preflib-burlington/00005-00000002.toi"), "--method", "schulze")
    assert data["winners"] == ["Andy Montroll"]
    assert len(data["pairwise"]) == len(data["candidates"]) == 6
    assert "strongest_paths" in data and isinstance(data["seed"], int)


def test_tally_irv_with_minneapolis_rules_reproduces_the_2017_final_round(ballots: Path) -> None:
    folder = ballots / "minneapolis-rctab/2017_minneapolis_mayor"
    data = _tally(
        str(folder / "2017_minneapolis_mayor_ballots_aggregated.csv.gz"),
        "--method", "irv", "--overvote", "skip", "--max-skipped", "1", "--batch",
        "--exclude-first", "UWI",
    )  # fmt: skip
    assert data["rounds"][-1]["votes"] == {"Jacob Frey": "46704", "Raymond Dehn": "34970"}


def test_tally_malformed_file_is_one_error_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text('2 1\r\n1 1 x 0\r\n0\r\n"A"\r\n"B"\r\n')
    with pytest.raises(CommandError, match="line 2"):
        call_command("tally", str(bad), "--method", "irv", stdout=StringIO())
