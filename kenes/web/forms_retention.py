"""The form of one retention rule (kenes.retention): days kept, and whether it applies."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kenes.retention.kinds import MAX_DAYS


class RetentionRuleForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days kept"),
        min_value=0,
        max_value=MAX_DAYS,
        error_messages={
            "required": _("Enter the number of days."),
            "invalid": _("Enter the number of days as a whole number."),
        },
    )
    enabled = forms.BooleanField(label=_("Applied"), required=False)
