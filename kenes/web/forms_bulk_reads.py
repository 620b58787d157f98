"""Forms of the requests page (kenes.web.views.bulk_reads): a member list asked for as a
file, and the national admin's numbers for bulk reads (kenes.registry.approvals)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kenes.registry import approvals
from kenes.registry.models import MemberStatus
from kenes.web import labels


class MemberListForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *labels.region_choices()]
        self.fields["status"].choices = [("", _("Any status")), *MemberStatus.choices]


class BulkReadSettingsForm(forms.Form):
    approvals_needed = forms.IntegerField(
        label=_("Other officers who must approve a bulk read"),
        min_value=1,
        max_value=approvals.MOST_APPROVALS,
    )
    api_limit = forms.IntegerField(
        label=_("Members the API lists without approval"),
        min_value=0,
        max_value=approvals.LARGEST_API_LIMIT,
    )
    delay_hours = forms.IntegerField(
        label=_("Hours to wait after a read is asked for before its file is made"),
        min_value=0,
        max_value=approvals.LONGEST_DELAY_HOURS,
    )
    # No min_value/max_value: the service's sentence (approvals.check_settings) says what
    # the number may be; the browser is told the bounds.
    screen_rows_per_day = forms.IntegerField(
        label=_("Members one officer may be shown on screen in 24 hours"),
        help_text=_(
            "Member lists, member cards, group pages and the API count alike; a member list "
            "as a file, approved by other officers, does not. It applies at once; 0 shows no "
            "member on screen."
        ),
        widget=forms.NumberInput(attrs={"min": 0, "max": approvals.LARGEST_SCREEN_ROWS}),
    )
