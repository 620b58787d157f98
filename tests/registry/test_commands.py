"""The `kenes` console script as scripts use it: stable --json shapes, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kenes.registry.models import ConstituentGroup, Member
from tests.conftest import isolated_env, person

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def kenes(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a fresh process with no configuration at all."""
    return subprocess.run(
        [sys.executable, "-m", "kenes", *args],
        capture_output=True,
        text=True,
        env=isolated_env(env),
        timeout=120,
    )


def test_members_check_needs_no_database_or_configuration(member_csv, tmp_path):
    bad = person(2, region="Нарния")
    path = member_csv([person(1), bad])
    done = kenes(
        "members", "check", str(path), "--json", env={"KENES_VAR_DIR": str(tmp_path / "nowhere")}
    )
    out = json.loads(done.stdout)
    assert (out["rows"], out["valid"], out["invalid"]) == (2, 1, 1)
    assert out["defects"] == [
        {**out["defects"][0], "row": 3, "field": "region", "code": "unknown_region"}
    ]
    assert set(out["defects"][0]) >= {"row", "field", "code", "message"}
    assert not (tmp_path / "nowhere").exists()


def test_members_check_on_the_messy_example_reports_every_defect_code():
    done = kenes("members", "check", str(EXAMPLES / "messy-members.csv"), "--json")
    codes = {d["code"] for d in json.loads(done.stdout)["defects"]}
    assert {
        "iin_invalid",
        "iin_birthdate_mismatch",
        "underage",
        "duplicate_in_file",
        "missing_field",
        "unknown_region",
        "phone_invalid",
    } <= codes


def test_members_check_of_an_unreadable_file_is_one_clear_error(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"\x00\x01garbage")
    done = kenes("members", "check", str(path), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "XLSX or CSV" in done.stderr


def test_unknown_rules_id_names_the_known_ones(member_csv):
    done = kenes("members", "check", str(member_csv([person(1)])), "--rules", "kz-1999")
    assert done.returncode == 2 and "kz-2022" in done.stderr


@pytest.mark.django_db
def test_groups_add_then_import_then_import_again(member_csv, capsys):
    call_command("groups", "add", "workers", "--name", "Рабочие", "--json")
    assert json.loads(capsys.readouterr().out)["slug"] == "workers"
    path = member_csv([person(1), person(2)])
    call_command("members", "import", str(path), "--group", "workers", "--json")
    first = json.loads(capsys.readouterr().out)
    assert {k: first[k] for k in ("rows", "imported", "merged", "rejected")} == {
        "rows": 2,
        "imported": 2,
        "merged": 0,
        "rejected": 0,
    }
    call_command("members", "import", str(path), "--group", "workers", "--json")
    second = json.loads(capsys.readouterr().out)
    assert (second["imported"], second["merged"], second["unchanged"]) == (0, 0, 2)
    assert Member.objects.count() == 2


@pytest.mark.django_db
def test_strict_import_of_a_defective_file_exits_nonzero_and_writes_nothing(member_csv, capsys):
    ConstituentGroup.objects.create(slug="workers", name="W")
    bad = person(3)
    bad[2] = "123"
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "members",
            "import",
            str(member_csv([person(1), bad])),
            "--group",
            "workers",
            "--strict",
            "--json",
        )
    assert exit_.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 0 and out["rejected"] == 1
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_import_into_a_missing_group_says_how_to_add_it(member_csv):
    with pytest.raises(CommandError, match="kenes groups add"):
        call_command("members", "import", str(member_csv([person(1)])), "--group", "ghosts")


def test_help_lists_the_kenes_commands():
    out = kenes("help").stdout
    for command in ("members", "groups", "readiness", "rotate-keys", "audit", "roles", "demo"):
        assert command in out
