"""`kenes tally … --report rctab`: the command writes RCTab's summary, from the files as
Minneapolis published them, that diffs clean against RCTab's own report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kenes.core.tally.command import main

MINNEAPOLIS = "minneapolis-rctab"
GENERATED_BY = re.compile(r'"generatedBy" : "[^"]*"')


def _without_tabulator_name(text: str) -> str:
    return GENERATED_BY.sub('"generatedBy" : ""', text)


def _contest(ballots: Path, contest: str) -> Path:
    return ballots / MINNEAPOLIS / contest


def test_the_published_ess_workbook_gives_rctabs_report_byte_for_byte(
    ballots: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no conversion by hand: the city's .xlsx export, RCTab's own configuration, our count
    folder = _contest(ballots, "2013_minneapolis_mayor")
    report = tmp_path / "mayor.json"
    code = main(
        [
            str(folder / "2013_minneapolis_mayor_cvr.xlsx"),
            "--method",
            "irv",
            "--rctab-config",
            str(folder / "2013_minneapolis_mayor_config.json"),
            "--report",
            "rctab",
            "--report-file",
            str(report),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Winners: BETSY HODGES" in printed
    assert f"RCTab summary: {report}" in printed
    expected = (folder / "2013_minneapolis_mayor_expected_detailed_report.json").read_text()
    assert _without_tabulator_name(report.read_text()) == _without_tabulator_name(expected)
    assert '"generatedBy" : "Kenes"' in report.read_text()


def test_the_park_board_report_from_the_management_command_equals_rctabs(
    ballots: Path, tmp_path: Path
) -> None:
    folder = _contest(ballots, "2013_minneapolis_park")
    report = tmp_path / "park.json"
    out = StringIO()
    call_command(
        "tally",
        str(folder / "2013_minneapolis_park_ballots_aggregated.csv.gz"),
        "--method",
        "stv",
        "--stv-rules",
        "minneapolis",
        "--rctab-config",
        str(folder / "2013_minneapolis_park_config.json"),
        "--report",
        "rctab",
        "--report-file",
        str(report),
        "--json",
        stdout=out,
    )
    assert out.getvalue().lstrip().startswith("{")  # --json output stays JSON alone
    expected = (folder / "2013_minneapolis_park_expected_detailed_report.json").read_text()
    assert _without_tabulator_name(report.read_text()) == _without_tabulator_name(expected)


def test_the_default_report_file_is_named_after_the_ballot_file(
    ballots: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _contest(ballots, "2017_minneapolis_mayor")
    monkeypatch.chdir(tmp_path)
    out = StringIO()
    call_command(
        "tally",
        str(folder / "2017_minneapolis_mayor_ballots_aggregated.csv.gz"),
        "--method",
        "irv",
        "--rctab-config",
        str(folder / "2017_minneapolis_mayor_config.json"),
        "--report",
        "rctab",
        stdout=out,
    )
    written = tmp_path / "2017_minneapolis_mayor_ballots_aggregated_summary.json"
    assert written.is_file()
    expected = (folder / "2017_minneapolis_mayor_expected_detailed_report.json").read_text()
    assert _without_tabulator_name(written.read_text()) == _without_tabulator_name(expected)


def test_a_count_the_report_cannot_describe_is_refused_and_writes_nothing(
    ballots: Path, tmp_path: Path
) -> None:
    report = tmp_path / "scottish.json"
    blt = next((ballots / "glasgow-2022" / "blt").glob("*.blt"))
    with pytest.raises(CommandError) as caught:
        call_command(
            "tally",
            str(blt),
            "--method",
            "stv",
            "--seed",
            "1",
            "--report",
            "rctab",
            "--report-file",
            str(report),
            stdout=StringIO(),
        )
    assert "--report rctab describes a ranked-choice count" in str(caught.value)
    assert "not --method stv --stv-rules scottish" in str(caught.value)
    assert not report.exists()


def test_report_file_without_report_is_an_error_and_the_script_exits_1(
    ballots: Path, tmp_path: Path
) -> None:
    folder = _contest(ballots, "2017_minneapolis_mayor")
    report = tmp_path / "nothing.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kenes",
            "tally",
            str(folder / "2017_minneapolis_mayor_ballots_aggregated.csv.gz"),
            "--method",
            "irv",
            "--report-file",
            str(report),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "--report-file needs --report rctab" in done.stderr
    assert not report.exists()


def _config(tmp_path: Path, candidates: list[str], **rules: str) -> Path:
    config = {
        "tabulatorVersion": "2.0.0",
        "outputSettings": {"contestName": "Test"},
        "cvrFileSources": [{"provider": "csv", "contestId": "", "undeclaredWriteInLabel": ""}],
        "candidates": [{"name": name, "excluded": False} for name in candidates],
        "rules": {
            "tiebreakMode": "useCandidateOrder",
            "overvoteRule": "exhaustImmediately",
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "decimalPlacesForVoteArithmetic": "4",
            **rules,
        },
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def test_the_configuration_orders_the_candidates_for_a_tie_break_by_candidate_order(
    tmp_path: Path,
) -> None:
    # ALMA and BEK tie for last; "candidate order" excludes the later one in the order
    ballots = tmp_path / "ballots.csv"
    ballots.write_text("rank1,rank2\nALMA,CHAN\nBEK,CHAN\nCHAN,\nCHAN,\nDINA,\nDINA,\nDINA,\n")
    out = StringIO()
    config = _config(tmp_path, ["BEK", "ALMA", "CHAN", "DINA"])
    call_command(
        "tally",
        str(ballots),
        "--method",
        "irv",
        "--rctab-config",
        str(config),
        "--json",
        stdout=out,
    )
    first = json.loads(out.getvalue())["rounds"][0]
    assert first["excluded"] == ["ALMA"]  # later than BEK in the configuration's order
    out = StringIO()
    config = _config(tmp_path, ["ALMA", "BEK", "CHAN", "DINA"])
    call_command(
        "tally",
        str(ballots),
        "--method",
        "irv",
        "--rctab-config",
        str(config),
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["rounds"][0]["excluded"] == ["BEK"]


def test_a_declared_candidate_no_ballot_names_starts_at_zero_as_in_rctab(tmp_path: Path) -> None:
    ballots = tmp_path / "ballots.csv"
    ballots.write_text("rank1,rank2\nALMA,BEK\nALMA,\nBEK,ALMA\nBEK,\nBEK,\n")
    out = StringIO()
    config = _config(tmp_path, ["ALMA", "BEK", "GHOST"])
    call_command(
        "tally",
        str(ballots),
        "--method",
        "irv",
        "--rctab-config",
        str(config),
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["candidates"][:3] == ["ALMA", "BEK", "GHOST"]
    assert result["rounds"][0]["votes"]["GHOST"] == "0"
    assert result["winners"] == ["BEK"]


def test_first_column_skips_a_response_id_and_is_refused_where_it_means_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ballots = tmp_path / "survey.csv"
    ballots.write_text("Response ID,ALMA,BEK\nR_1,1,2\nR_2,2,1\nR_3,1,\n")
    assert main([str(ballots), "--method", "irv", "--first-column", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["candidates"] == ["ALMA", "BEK"] and result["winners"] == ["ALMA"]
    # without it the id column is read as a candidate and refused, naming the cell
    assert main([str(ballots), "--method", "irv"]) == 1
    assert "'R_1' in column 'Response ID' is not a rank" in capsys.readouterr().err
    blt = tmp_path / "x.blt"
    blt.write_text('2 1\n1 1 0\n0\n"A"\n"B"\n"t"\n')
    assert main([str(blt), "--method", "irv", "--first-column", "2"]) == 1
    assert "a first vote column is for CSV files, not blt" in capsys.readouterr().err


RCTAB_SETS = Path(__file__).parent / "data" / "rctab"


def test_a_contest_published_in_two_files_is_counted_from_both_as_rctab_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "test_set_8_multi_cdf"
    folder = RCTAB_SETS / name
    report = tmp_path / "summary.json"
    files = [str(folder / f"{name}_cvr_1.json"), str(folder / f"{name}_cvr_2.json")]
    config = str(folder / f"{name}_config.json")
    args = [*files, "--method", "irv", "--rctab-config", config]
    assert main([*args, "--report", "rctab", "--report-file", str(report)]) == 0
    capsys.readouterr()
    expected = (folder / f"{name}_expected_detailed_report.json").read_text()
    assert _without_tabulator_name(report.read_text()) == _without_tabulator_name(expected)
    # one of the two files alone is a different count
    assert main([files[0], "--method", "irv", "--rctab-config", config, "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    both = json.loads(report.read_text())
    assert sum(int(v) for v in alone["rounds"][0]["votes"].values()) < sum(
        int(float(v)) for v in both["results"][0]["tally"].values()
    )


def test_a_malformed_second_file_is_named_and_nothing_is_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "a.csv"
    good.write_text("rank1,rank2\nALMA,BEK\n")
    bad = tmp_path / "b.csv"
    bad.write_text('rank1,rank2\nALMA,BEK\n"BEK,ALMA\n')
    assert main([str(good), str(bad), "--method", "irv"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{bad}, line 3" in captured.err
