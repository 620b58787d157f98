"""Forms of the congress pages. They parse and check input; kenes.congress decides."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kenes.congress import kinds
from kenes.web import labels
from kenes.web.form_fields import CutoffDateField, refuse_control_characters

#: The most IINs seated in one go (a congress of a thousand delegates is seated region by
#: region, or in a few pastes).
MAX_IINS = 1000
_SEPARATORS = re.compile(r"[\s\-]+")
_LINE_BREAKS = re.compile(r"[\r\n,;]+")


class CongressForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=300, validators=[refuse_control_characters]
    )
    slug = forms.CharField(
        label=_("Short name"),
        max_length=64,
        help_text=_("Latin letters, digits and hyphens; it is part of the page's address."),
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9-]*$",
                _("Use small Latin letters, digits and hyphens only, e.g. congress-2026."),
            )
        ],
    )
    kind = forms.ChoiceField(label=_("Kind of congress"), widget=forms.RadioSelect)
    standing_on = CutoffDateField(
        label=_("Good standing on"),
        help_text=_("Delegates must be members in good standing on this date."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(
        label=_("Place"), max_length=300, required=False, validators=[refuse_control_characters]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds.ensure_kinds()]


class SeatForm(forms.Form):
    """IINs of the members to seat, one a line (or separated by commas)."""

    iins = forms.CharField(
        label=_("IINs of the delegates"),
        help_text=_("One IIN a line; you may paste a column from a spreadsheet."),
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_iins(self) -> list[str]:
        lines = [
            _SEPARATORS.sub("", line) for line in _LINE_BREAKS.split(self.cleaned_data["iins"])
        ]
        lines = [line for line in lines if line]
        wrong = [line for line in lines if not (line.isdigit() and len(line) == 12)]
        if wrong:
            shown = ", ".join(wrong[:5])
            raise ValidationError(
                ngettext(
                    "An IIN has 12 digits; this line is not one: %(lines)s. Correct it and "
                    "send the list again; nobody was seated.",
                    "An IIN has 12 digits; these lines are not: %(lines)s. Correct them and "
                    "send the list again; nobody was seated.",
                    len(wrong),
                )
                % {"lines": shown}
            )
        if not lines:
            raise ValidationError(_("Enter at least one IIN."))
        if len(lines) > MAX_IINS:
            raise ValidationError(_("Seat at most %(n)s delegates at a time.") % {"n": MAX_IINS})
        return list(dict.fromkeys(lines))


class ApportionForm(forms.Form):
    """How many seats to share out among the regions, to compare with those seated."""

    seats = forms.IntegerField(label=_("Delegate seats"), min_value=1, max_value=10000)


class BadgesForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    confirm = forms.BooleanField(
        label=_("I understand that the badges printed before for them stop opening the door."),
        required=True,
        error_messages={"required": _("Tick the box to confirm, then press the button again.")},
    )

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(code, labels.region_name(code)) for code in regions]


class DoorForm(forms.Form):
    """One field: a USB scanner types the QR code into it like a keyboard, then Enter."""

    badge = forms.CharField(
        label=_("Badge code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "door__code",
            }
        ),
    )
