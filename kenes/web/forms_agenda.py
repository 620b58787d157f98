"""Forms of the consultation pages. They parse and check input; kenes.agenda decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.registry.models import ConstituentGroup
from kenes.web.form_fields import CutoffDateField, refuse_control_characters
from kenes.web.forms_elections import ElectionForm

MAX_SEED_STATEMENTS = 200


def statement_lines(text: str) -> list[str]:
    """One statement per non-empty line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ConsultationForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=300, validators=[refuse_control_characters]
    )
    question = forms.CharField(
        label=_("Question"),
        max_length=500,
        validators=[refuse_control_characters],
        help_text=_(
            "What members answer with their statements, e.g. “What must the party fight for?”"
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )
    electorate = forms.ChoiceField(
        label=_("Who takes part"),
        help_text=_("Members in good standing on the cut-off date, in this electorate."),
    )
    cutoff_on = CutoffDateField(label=_("Good standing on"))
    moderation = forms.BooleanField(
        label=_("Members' statements wait for a coordinator's approval"),
        required=False,
        initial=True,
    )
    statements = forms.CharField(
        label=_("Seed statements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One statement per line. Members vote on these first and may add their own."),
        validators=[refuse_control_characters],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cutoff_on"].initial = timezone.localdate()
        # The electorates an officer runs are the same for votes and consultations.
        self.fields["electorate"].choices = ElectionForm._electorates(user)
        for field in self.fields.values():
            field.error_messages["required"] = _("Fill in this field.")
        self.fields["electorate"].error_messages["invalid_choice"] = _(
            "Choose an electorate you run."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        value = data.get("electorate", "")
        data["region_code"], data["group"] = "", None
        if value.startswith("region:"):
            data["region_code"] = value.removeprefix("region:")
        elif value.startswith("group:"):
            data["group"] = ConstituentGroup.objects.filter(
                pk=int(value.removeprefix("group:"))
            ).first()
            if data["group"] is None:
                raise ValidationError(_("That group no longer exists. Choose another electorate."))
        lines = statement_lines(data.get("statements", ""))
        if len(lines) > MAX_SEED_STATEMENTS:
            raise ValidationError(
                _("At most %(n)s seed statements at once.") % {"n": MAX_SEED_STATEMENTS}
            )
        data["statement_lines"] = lines
        return data


class SeedForm(forms.Form):
    statements = forms.CharField(
        label=_("New statements, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[refuse_control_characters],
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it hidden?"), max_length=300, validators=[refuse_control_characters]
    )


class PlankForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the plank"), max_length=300, validators=[refuse_control_characters]
    )
    text = forms.CharField(
        label=_("Text of the plank"),
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[refuse_control_characters],
    )
    statements = forms.MultipleChoiceField(
        label=_("Statements behind it"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statements"].choices = choices
