"""Shared fixtures: the Pol.is conversations of ../shared/data/polis, analysed once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from kenes.core.consensus import Analysis, analyse, read_polis_export
from tests.shared_data import SHARED_DATA

POLIS_DATA = SHARED_DATA / "polis"
CONVERSATIONS = ("15-per-hour-seattle", "vtaiwan.uberx", "american-assembly.bowling-green")


def conversation_folder(name: str) -> Path:
    folder = POLIS_DATA / name
    if not folder.is_dir():
        # A missing data set must fail loudly, never skip: the fidelity claims rest on it.
        pytest.fail(f"The Pol.is open data folder {folder} is missing.")
    return folder


@pytest.fixture(scope="session")
def polis_analyses() -> dict[str, Analysis]:
    return {
        name: analyse(read_polis_export(conversation_folder(name)), seed=0)
        for name in CONVERSATIONS
    }
