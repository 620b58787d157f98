"""`kenes consensus PATH --json`: the documented shape, no database needed."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kenes.core_commands.management.commands.consensus import Command

from .conftest import conversation_folder


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(Command(), *args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_documented_shape():
    result = json.loads(run(str(conversation_folder("15-per-hour-seattle")), "--json"))
    assert (result["participants"], result["statements"], result["votes"]) == (339, 54, 2872)
    assert [g["id"] for g in result["groups"]] == [0, 1]
    group = result["groups"][0]
    assert group["size"] == len(group["participants"])
    assert {"statement", "text", "agree", "disagree"} <= set(group["representative"][0])
    assert {"statement", "text", "score"} <= set(result["consensus"][0])
    assert len(result["coordinates"]) == result["clustered_participants"] == 138
    assert all(len(xy) == 2 for xy in result["coordinates"].values())


def test_the_seed_is_honoured_and_reproducible():
    folder = str(conversation_folder("15-per-hour-seattle"))
    assert run(folder, "--json", "--seed", "3") == run(folder, "--json", "--seed", "3")
    assert json.loads(run(folder, "--json", "--seed", "3"))["seed"] == 3


def test_the_text_summary_names_the_groups():
    text = run(str(conversation_folder("15-per-hour-seattle")))
    assert "2 opinion groups" in text and "Consensus across groups" in text


def test_a_folder_without_votes_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="neither votes.csv"):
        run(str(tmp_path))
