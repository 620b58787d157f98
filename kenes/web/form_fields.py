"""Fields and validators the officers' forms share: bounded dates, numbers and plain text.

Bad input is refused by the form with a sentence, before any service or database sees it
(a 25-digit number used to reach the database and answer 500).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kenes.core.plain_text import control_characters

#: The Republic of Kazakhstan's independence: no member's good standing is older.
EARLIEST_CUTOFF = datetime.date(1991, 12, 16)
#: How far ahead a cut-off date may be set (a vote is planned months, not decades, ahead).
CUTOFF_YEARS_AHEAD = 2
#: The largest whole number a database row id or a stored number holds (signed 64 bits).
MAX_ID = 2**63 - 1


def latest_cutoff() -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + CUTOFF_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + CUTOFF_YEARS_AHEAD, day=28)


class CutoffDateField(forms.DateField):
    """A cut-off date: an ISO value in the date input whatever the page's language (a
    localized value is not a date to the browser, which then shows an empty field), and a
    date between EARLIEST_CUTOFF and CUTOFF_YEARS_AHEAD years from today."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d.%m.%Y"])
        super().__init__(**kwargs)
        self.error_messages["invalid"] = _("Enter the cut-off date as a date, e.g. 2026-05-01.")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["min"] = EARLIEST_CUTOFF.isoformat()
        return attrs

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        latest = latest_cutoff()
        if not EARLIEST_CUTOFF <= value <= latest:
            raise ValidationError(
                _("Choose a cut-off date between %(first)s and %(last)s.")
                % {
                    "first": date_format(EARLIEST_CUTOFF, "SHORT_DATE_FORMAT"),
                    "last": date_format(latest, "SHORT_DATE_FORMAT"),
                },
                code="out_of_range",
            )


def refuse_control_characters(text: str) -> None:
    """A validator: text with invisible control characters is refused with a sentence."""
    found = control_characters(text)
    if found:
        raise ValidationError(
            _(
                "The text contains invisible control characters (%(chars)s). "
                "Type or paste it again as plain text."
            )
            % {"chars": ", ".join(found[:5])},
            code="control_characters",
        )


def id_field(**kwargs: Any) -> forms.IntegerField:
    """A hidden row id: a number a database can hold, or the form is invalid."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID, **kwargs)
