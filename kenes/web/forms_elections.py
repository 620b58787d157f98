"""Forms of the officers' election pages. They parse and check input; kenes.ballots decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.ballots.models import Base, Kind, Majority
from kenes.core.tally import STV_RULES
from kenes.registry.models import ConstituentGroup
from kenes.registry.scoping import electorates_run_by
from kenes.web import labels
from kenes.web.form_fields import CutoffDateField, id_field, refuse_control_characters

#: The most seats one election fills (a party congress elects bodies of tens, not thousands).
MAX_SEATS = 1000

# The counting methods in words (kenes.core.tally.METHODS), in the order officers meet them.
METHOD_LABELS: dict[str, Any] = {
    "stv": _("single transferable vote (STV)"),
    "schulze": _("Schulze method"),
    "ranked-pairs": _("ranked pairs"),
    "irv": _("instant-runoff vote"),
    "approval": _("approval vote"),
    "plurality": _("plurality: most votes wins"),
}

# One sentence per method, shown on an election's page.
METHOD_SENTENCES: dict[str, Any] = {
    "stv": _(
        "Voters rank the candidates; a candidate who reaches the quota is elected and "
        "surplus votes pass to the next preferences (single transferable vote)."
    ),
    "schulze": _(
        "Voters rank the candidates; the winner beats every other candidate through the "
        "strongest chain of head-to-head majorities (Schulze method)."
    ),
    "ranked-pairs": _(
        "Voters rank the candidates; the largest head-to-head majorities are locked in first "
        "and the candidate nobody beats wins (ranked pairs)."
    ),
    "irv": _(
        "Voters rank the candidates; the last candidate is dropped round by round until one "
        "has more than half of the votes (instant-runoff vote)."
    ),
    "approval": _(
        "Voters mark every candidate they accept; the candidates with the most marks win."
    ),
    "plurality": _("Each voter marks one choice; the choice with the most votes wins."),
}

STV_LABELS: dict[str, Any] = {
    "scottish": _("Scottish STV rules"),
    "meek": _("Meek STV rules"),
    "minneapolis": _("Minneapolis STV rules"),
}

PARTY = "party"


def electorate_value(region_code: str = "", group_id: int | None = None) -> str:
    """The form's value for an electorate: 'party', 'region:KZ-75' or 'group:3'."""
    if group_id is not None:
        return f"group:{group_id}"
    if region_code:
        return f"region:{region_code}"
    return PARTY


class ElectionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=300, validators=[refuse_control_characters]
    )
    description = forms.CharField(
        label=_("Text"),
        required=False,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a motion, its exact wording; for an election, what the seats are for."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Kind.choices, initial=Kind.ELECTION, widget=forms.RadioSelect
    )
    electorate = forms.ChoiceField(
        label=_("Who votes"),
        help_text=_("Members in good standing on the cut-off date, in this electorate."),
    )
    cutoff_on = CutoffDateField(
        label=_("Good standing on"),
        help_text=_("Members in good standing on this date make up the electorate."),
    )
    method = forms.ChoiceField(
        label=_("Counting method (elections)"),
        choices=list(METHOD_LABELS.items()),
        initial="stv",
    )
    stv_rules = forms.ChoiceField(
        label=_("STV rules"),
        choices=[(r, STV_LABELS.get(r, r)) for r in STV_RULES],
        initial="scottish",
    )
    seats = forms.IntegerField(
        label=_("Seats (elections)"), initial=1, min_value=1, max_value=MAX_SEATS
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum, percent of the electorate (motions)"),
        initial=0,
        min_value=0,
        max_value=100,
    )
    majority = forms.ChoiceField(
        label=_("Required majority (motions)"), choices=Majority.choices, initial=Majority.SIMPLE
    )
    base = forms.ChoiceField(
        label=_("What counts as 100% (motions)"), choices=Base.choices, initial=Base.YES_NO
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cutoff_on"].initial = timezone.localdate()
        self.fields["electorate"].choices = self._electorates(user)
        # Sentences, not Django's fragments.
        self.fields["seats"].error_messages["min_value"] = _("An election fills at least one seat.")
        self.fields["seats"].error_messages["max_value"] = _(
            "An election fills at most %(n)s seats."
        ) % {"n": MAX_SEATS}
        for name in ("seats", "quorum_percent"):
            self.fields[name].error_messages["invalid"] = _("Enter a whole number.")
        self.fields["quorum_percent"].error_messages.update(
            min_value=_("The quorum is a percentage between 0 and 100."),
            max_value=_("The quorum is a percentage between 0 and 100."),
        )
        for field in self.fields.values():
            field.error_messages["required"] = _("Fill in this field.")
        self.fields["electorate"].error_messages["invalid_choice"] = _(
            "Choose an electorate you run."
        )

    @staticmethod
    def _electorates(user: Any) -> list[tuple[str, Any]]:
        """Only the electorates `user` runs (kenes.registry.scoping.electorates_run_by)."""
        runs = electorates_run_by(user)
        choices: list[tuple[str, Any]] = []
        if runs.whole_party:
            choices.append((PARTY, _("the whole party")))
            regions = labels.region_choices()
        else:
            regions = [(c, labels.region_name(c)) for c in runs.region_codes]
        groups = ConstituentGroup.objects.order_by("name")
        if runs.group_ids is not None:
            groups = groups.filter(pk__in=runs.group_ids)
        if regions:
            choices.append((_("One region"), [(f"region:{c}", name) for c, name in regions]))
        if groups:
            choices.append((_("One group"), [(f"group:{g.pk}", g.name) for g in groups]))
        return choices

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
        if data.get("kind") == Kind.MOTION:
            data["method"], data["seats"] = "plurality", 1
        return data


class CandidateForm(forms.Form):
    member = id_field()
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        max_length=5000,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the candidate stands for, in their words; voters see it."),
    )


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Part of the name of a member of this electorate."),
    )


class ConfirmForm(forms.Form):
    """Opening, closing and publishing cannot be undone: the officer ticks a box first."""

    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick the box to confirm, then press the button again.")},
    )


class ReissueForm(forms.Form):
    member = id_field()


#: The browser's date-and-time input sends this shape in every language.
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class ScheduledTimeField(forms.DateTimeField):
    """A time of day on a date, typed in the site's time zone; empty means no time."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", [DATETIME_INPUT])
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        )
        super().__init__(**kwargs)
        self.error_messages["invalid"] = _("Enter a date and a time, e.g. 2026-05-01 09:00.")


class ScheduleForm(forms.Form):
    """A vote's period (kenes.ballots.schedule decides whether it can be kept)."""

    opens_at = ScheduledTimeField(
        label=_("Opens at"),
        help_text=_("Leave empty to open the vote with the button."),
    )
    closes_at = ScheduledTimeField(
        label=_("Closes at"),
        help_text=_("Leave empty to close the vote with the button."),
    )

    def __init__(self, *args: Any, open_already: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if open_already:
            del self.fields["opens_at"]


FORMATS = [
    ("blt", _("BLT (the ballot file format of OpenSTV and kenes tally)")),
    ("csv", _("CSV: a header row, then one ballot per row (columns rank1, rank2, ...)")),
]


class PaperBallotsForm(forms.Form):
    file = forms.FileField(
        label=_("File of paper ballots"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".blt,.csv,.txt"}),
    )
    text = forms.CharField(
        label=_("Or paste the ballots here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=FORMATS, initial="blt", widget=forms.RadioSelect
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            raw = upload.read()
            try:
                data["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(
                    _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
                ) from exc
        if not data.get("text", "").strip():
            raise ValidationError(
                _("Choose a file or paste the ballots, then press “Add the ballots”.")
            )
        return data
