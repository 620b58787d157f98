"""Where the shared real-world data lives (../shared/data beside the checkout).

CI lays shared/ beside the clone; a clone elsewhere (e.g. fresh-check) finds
it through KENES_SHARED_DATA or the workplace's /work/shared. Missing data is
a failure, never a silent skip: the fidelity tests are the point.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    candidates = [
        Path(os.environ["KENES_SHARED_DATA"]) if os.environ.get("KENES_SHARED_DATA") else None,
        _REPO.parent / "shared" / "data",
        Path("/work/shared/data"),
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_dir():
            return candidate
    raise RuntimeError(
        "The shared data folder was not found beside the checkout (../shared/data); "
        "set KENES_SHARED_DATA to its path."
    )


SHARED_DATA = shared_data()
