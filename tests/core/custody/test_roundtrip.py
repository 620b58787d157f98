"""The custody API end to end: split, write on paper, read back, combine, unwrap."""

from __future__ import annotations

import os

from kenes.core.custody import (
    combine,
    master_check,
    share_from_text,
    share_to_text,
    split,
    unwrap,
    wrap,
)


def test_three_of_five_trustees_read_their_paper_shares_and_unwrap_a_field_key() -> None:
    master = os.urandom(32)
    field_key = os.urandom(32)
    blob = wrap(master, field_key, purpose="field-key")
    check = master_check(master)
    papers = [share_to_text(s) for s in split(master, shares=5, threshold=3)]

    entered = [share_from_text(papers[i]) for i in (4, 0, 2)]
    recovered = combine(entered)

    assert master_check(recovered) == check
    assert unwrap(recovered, blob, purpose="field-key") == field_key
