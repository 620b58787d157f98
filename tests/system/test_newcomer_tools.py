"""`make test` sets up what it needs, or stops at once with one sentence (issue 10).

On a fresh machine without Chromium the browser tests used to fail one by one; now
tools/ensure-test-tools runs first: as root on Debian it installs what is missing, otherwise
it says what to run and the test run stops before starting.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "ensure-test-tools"


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_browser_stops_the_run_with_one_sentence_saying_what_to_install() -> None:
    done = _run(KENES_CHROMIUM="/nonexistent/chromium", KENES_NO_INSTALL="1")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "chromium" in lines[0] and "apt-get install" in lines[0]
    assert done.stdout == ""


def test_with_everything_present_it_says_nothing_and_lets_the_run_go_on() -> None:
    done = _run()
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_make_test_runs_it_before_anything_else() -> None:
    makefile = (SCRIPT.parents[1] / "Makefile").read_text()
    recipe = makefile.split("\ntest: $(STAMP)\n", 1)[1].splitlines()
    assert recipe[0].strip() == "@tools/ensure-test-tools"
