"""The worker's housekeeping thread outlives a step that fails (a corrupted sealed key, a bug):
the next round runs, so expiring prepared files and signing audit heads do not stop for good."""

from __future__ import annotations

import threading

import pytest

from kenes.web.management.commands import worker


def test_a_failing_round_does_not_end_housekeeping(monkeypatch: pytest.MonkeyPatch) -> None:
    rounds: list[int] = []
    stop = threading.Event()

    def step() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("a step that fails once")
        if len(rounds) >= 3:
            stop.set()

    monkeypatch.setattr(worker, "HOUSEKEEPING_EVERY", 0.01)
    monkeypatch.setattr(worker, "housekeeping", step)
    thread = threading.Thread(target=worker._housekeeping_loop, args=(stop,), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert len(rounds) >= 3  # the rounds after the failure ran
