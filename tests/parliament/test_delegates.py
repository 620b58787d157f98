"""Congress delegates come from the registry's members in good standing, through the seat engine."""

from __future__ import annotations

import io
import json
from fractions import Fraction

import pytest
from django.core.management import call_command

from kenes.core.seats import Method
from kenes.parliament.delegates import apportion_delegates
from kenes.registry.importing import do_import_members
from tests.conftest import HEADER, csv_bytes, person

pytestmark = pytest.mark.django_db


def _import(rows, group, header=HEADER):
    do_import_members(
        io.BytesIO(csv_bytes(rows, header)), filename="x.csv", group=group, acting_user="t"
    )


@pytest.fixture
def movement(groups):
    _import([person(n) for n in range(6)], groups["workers"])  # 6 in Almaty city
    _import([person(n, region="KZ-71") for n in range(10, 13)] + [person(5)], groups["farmers"])
    _import([person(20, region="KZ-71") + ["заявитель"]], groups["traders"], HEADER + ["Статус"])


def test_a_person_in_two_groups_counts_half_in_each(movement):
    result = apportion_delegates(9, by="group")
    assert result.counts == {
        "farmers": Fraction(7, 2),
        "traders": Fraction(0),
        "workers": Fraction(11, 2),
    }
    assert sum(result.counts.values()) == 9  # nine members in good standing, each once


def test_delegates_follow_the_chosen_method(movement):
    assert apportion_delegates(9, by="group", method=Method.DHONDT).delegates == {
        "farmers": 3,
        "traders": 0,
        "workers": 6,
    }
    assert apportion_delegates(9, by="region", method=Method.HARE).delegates == {
        "KZ-71": 3,
        "KZ-75": 6,
    }


def test_applicants_are_not_represented(movement):
    assert apportion_delegates(5, by="group").delegates["traders"] == 0


def test_delegates_command_prints_the_shape(movement, capsys):
    call_command("delegates", "9", "--by", "region", "--method", "hare", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["delegates"] == {"KZ-71": 3, "KZ-75": 6}
    assert out["counts"] == {"KZ-71": "3", "KZ-75": "6"}
    assert (out["seats"], out["method"], out["by"]) == (9, "hare", "region")
