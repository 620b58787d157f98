"""Run jobs in threads that start together, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def run_together(
    jobs: Sequence[Callable[[], object]], *, timeout: float = 60
) -> tuple[list[object], list[BaseException]]:
    """Start every job at the same moment; return their results and the errors they raised."""
    errors: list[BaseException] = []
    results: list[object] = []
    barrier = threading.Barrier(len(jobs))

    def wrap(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results, errors
