"""Numbers as the reader writes them: "2 617,5" in Russian and Kazakh, "2,617.5" in English.

One helper for every figure a page shows (counts, the tally's exact decimal strings, members
who count as a fraction in several groups). Machine outputs (JSON, CSV, BLT) keep their '.'
decimals and never come through here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format


def localized(value: Any, places: int | None = None) -> str:
    """`value` grouped by thousands with the active language's separators.

    Needless trailing zeros go ("1320.5000" reads 1 320,5); `places` rounds first (half up).
    Text that is not a number is returned as it is; None and "" give "".
    """
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        exact = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not exact.is_finite():
        return str(value)
    if places is not None:
        exact = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if exact == exact.to_integral_value():
        return number_format(exact.to_integral_value(), 0, force_grouping=True)
    exact = exact.normalize()
    digits = -int(exact.as_tuple().exponent)
    return number_format(exact, digits, force_grouping=True)
