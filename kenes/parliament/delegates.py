"""Congress delegates: N seats apportioned among constituent groups or regions
by their members in good standing, with the seat engine's methods.

By group, a person in k groups counts 1/k for each, so no member weighs
more than another; by region, each person counts once where they live.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils import timezone

from kenes.core.seats import Method, apportion
from kenes.registry.selectors import good_standing_by_group, good_standing_by_region


@dataclass(frozen=True)
class Delegates:
    seats: int
    method: Method
    by: str
    on: datetime.date
    counts: dict[str, Fraction]
    delegates: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "seats": self.seats,
            "method": self.method.value,
            "by": self.by,
            "on": self.on.isoformat(),
            "counts": {k: _number(v) for k, v in self.counts.items()},
            "delegates": self.delegates,
        }


def _number(value: Fraction) -> str:
    """Counts as exact decimal text: whole numbers plain, shares to 4 places."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4f}"


def apportion_delegates(
    seats: int,
    *,
    by: str = "group",
    method: Method = Method.SAINTE_LAGUE,
    on: datetime.date | None = None,
) -> Delegates:
    on = on or timezone.localdate()
    if by == "group":
        counts = good_standing_by_group(on)
    elif by == "region":
        counts = {k: Fraction(v) for k, v in good_standing_by_region(on).items()}
    else:
        raise ValueError("Delegates are apportioned by 'group' or by 'region'.")
    names = sorted(counts)
    result = apportion([counts[n] for n in names], seats, method)
    return Delegates(
        seats=seats,
        method=method,
        by=by,
        on=on,
        counts={n: counts[n] for n in names},
        delegates=dict(zip(names, result.seats, strict=True)),
    )
