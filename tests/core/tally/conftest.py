"""Paths to the real ballot data with official results (../shared/data/ballots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared_data import SHARED_DATA

BALLOTS = SHARED_DATA / "ballots"


@pytest.fixture(scope="session")
def ballots() -> Path:
    if not BALLOTS.is_dir():
        pytest.fail(f"the real ballot data is missing: expected it at {BALLOTS}")
    return BALLOTS
