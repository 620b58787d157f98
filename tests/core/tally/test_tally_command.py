"""`kenes tally FILE --method M --json`: the stable JSON shape, no database needed; the console
script runs it without Django, with the same output and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import isolated_env


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


def _kenes(*args: str) -> subprocess.CompletedProcess[str]:
    """`kenes ARGS` as a newcomer runs it: no Django settings in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "kenes", *args],
        env=isolated_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kenes_tally_without_django_prints_what_the_management_command_prints(
    ballots: Path,
) -> None:
    path = str(ballots / "glasgow-2022/blt/Ward-1-Linn.blt")
    for options in (["--json"], []):
        done = _kenes("tally", path, "--method", "stv", "--seed", "3", *options)
        assert done.returncode == 0 and done.stderr == ""
        out = StringIO()
        call_command("tally", path, "--method", "stv", "--seed", "3", *options, stdout=out)
        assert done.stdout == out.getvalue()


def test_kenes_tally_does_not_start_django() -> None:
    code = (
        "import sys\n"
        "from kenes.cli import main\n"
        "try:\n"
        "    main(['tally', '--help'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=isolated_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    assert "--method" in done.stdout


def test_kenes_tally_on_a_malformed_file_says_which_line_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text('2 1\r\n1 1 x 0\r\n0\r\n"A"\r\n"B"\r\n')
    done = _kenes("tally", str(bad), "--method", "irv")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"CommandError: {bad}, line 2: 'x' is not a candidate number\n"
    missing = _kenes("tally", str(tmp_path / "none.blt"), "--method", "irv")
    assert missing.returncode == 1 and missing.stderr.startswith("CommandError: ")
    usage = _kenes("tally", str(bad))
    assert usage.returncode == 2 and "--method" in usage.stderr


def test_text_after_a_blt_title_is_ignored_and_the_printed_count_says_so(tmp_path: Path) -> None:
    path = tmp_path / "erbs.blt"
    path.write_text(
        '3 1\n1 1 2 0\n1 2 0\n1 3 1 0\n0\n"A"\n"B"\n"C"\n"Test election"\n'
        '"Source: a validation set"\n"Comment: built by hand"\nsome unquoted line\n'
    )
    out = StringIO()
    call_command("tally", str(path), "--method", "irv", "--seed", "1", stdout=out)
    printed = out.getvalue()
    assert "Note: ignored 3 line(s) of text after the title" in printed
    assert "Winners:" in printed
