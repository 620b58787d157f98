"""Forms of the chair's console (kenes.web.views.chair) and of the delegates' amendment page.

They only parse what was typed; every rule (who may speak, what a vote needs, when a text
takes amendments) is the congress services' (kenes.congress), whose sentences the pages show.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kenes.ballots.models import Base, Majority
from kenes.congress.models import SpeakerKind
from kenes.web.forms_elections import METHOD_LABELS


class OnceForm(forms.Form):
    """A form that does one thing once: a fresh token per page, remembered per session
    when used, so the same form sent twice (a reload, a double click) does nothing more."""

    once = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["once"].initial = uuid.uuid4().hex


class ItemForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    planned_start = forms.DateTimeField(
        label=_("Planned start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    planned_minutes = forms.IntegerField(label=_("Planned minutes"), min_value=0, initial=0)
    seconds_per_speaker = forms.IntegerField(
        label=_("Seconds per speaker (0: no limit)"), min_value=0, max_value=7200, initial=180
    )
    seconds_per_delegation = forms.IntegerField(
        label=_("Seconds per delegation (0: no limit)"), min_value=0, max_value=36000, initial=0
    )
    balance_by = forms.ChoiceField(
        label=_("Balanced list of speakers"),
        choices=[
            ("", _("no: in the order asked")),
            ("region", _("by region")),
            ("sex", _("by sex")),
        ],
        required=False,
    )
    text = forms.TypedChoiceField(
        label=_("Text adopted under this item"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, texts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].choices = [("", "—"), *[(t.pk, t.title) for t in texts]]


class SpeakerForm(forms.Form):
    badge = forms.CharField(label=_("Badge code"), max_length=20, required=False)
    delegate = forms.TypedChoiceField(
        label=_("or a delegate in the hall"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=_("Asks to speak"), choices=SpeakerKind.choices)

    def __init__(self, *args: Any, present: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].choices = [("", "—"), *present]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("badge") and not data.get("delegate"):
            raise forms.ValidationError(_("Type the delegate's badge code or choose them."))
        return data


MOTION, ELECTION = "motion", "election"


class VoteForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(MOTION, _("motion (for, against, abstain)")), (ELECTION, _("election"))],
    )
    description = forms.CharField(
        label=_("Text put to the vote"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    majority = forms.ChoiceField(label=_("Majority"), choices=Majority.choices, initial="simple")
    base = forms.ChoiceField(
        label=_("Of which votes (the 100% base)"), choices=Base.choices, initial="yes_no"
    )
    method = forms.ChoiceField(
        label=_("Counting method of an election"),
        choices=list(METHOD_LABELS.items()),
        initial="schulze",
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500, initial=1)
    candidates = forms.TypedMultipleChoiceField(
        label=_("Candidates (eligible delegates)"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.ChoiceField(
        label=_("Ballot"),
        choices=[("secret", _("secret (codes on phones)")), ("named", _("named (roll call)"))],
        initial="secret",
    )
    paper = forms.BooleanField(
        label=_("Paper ballots too (counted by two tellers)"), required=False
    )
    item = forms.TypedChoiceField(
        label=_("Agenda item"), required=False, coerce=int, empty_value=None
    )
    amendment = forms.TypedChoiceField(
        label=_("On the amendment"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self, *args: Any, delegates: Any = (), items: Any = (), amendments: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = list(delegates)
        self.fields["item"].choices = [("", "—"), *items]
        self.fields["amendment"].choices = [("", "—"), *amendments]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == ELECTION and not data.get("candidates"):
            raise forms.ValidationError(_("Choose the candidates of the election."))
        return data


class PaperMotionForm(forms.Form):
    yes = forms.IntegerField(label=_("For"), min_value=0)
    no = forms.IntegerField(label=_("Against"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0)


class PaperElectionForm(forms.Form):
    blt = forms.CharField(
        label=_("The paper ballots as a BLT file's text"), widget=forms.Textarea(attrs={"rows": 8})
    )


class ChooseDelegateForm(forms.Form):
    delegate = forms.TypedChoiceField(label=_("Delegate"), coerce=int)

    def __init__(self, *args: Any, delegates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].choices = list(delegates)


class ProxyForm(forms.Form):
    giver = forms.TypedChoiceField(
        label=_("Delegate who gives their vote (not in the hall)"), coerce=int
    )
    holder = forms.TypedChoiceField(label=_("Delegate who carries it (in the hall)"), coerce=int)

    def __init__(self, *args: Any, givers: Any = (), holders: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["giver"].choices = list(givers)
        self.fields["holder"].choices = list(holders)


class TextForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(
        label=_("The text (paragraphs separated by a blank line)"),
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    amendments_until = forms.DateTimeField(
        label=_("Amendments until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class RecommendForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("The committee recommends"),
        choices=[
            ("adopt", _("adopt as tabled")),
            ("adopt_modified", _("adopt in the committee's wording")),
            ("reject", _("reject")),
        ],
    )
    wording = forms.CharField(
        label=_("The committee's wording"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Merge into amendment number"), min_value=1)


class OrderForm(forms.Form):
    numbers = forms.CharField(label=_("Order of the votes (amendment numbers, e.g. 3, 1, 2)"))

    def clean_numbers(self) -> list[int]:
        raw = self.cleaned_data["numbers"].replace(";", ",").replace(" ", ",")
        try:
            return [int(n) for n in raw.split(",") if n]
        except ValueError:
            raise forms.ValidationError(_("Write amendment numbers separated by commas.")) from None


class DecideForm(forms.Form):
    adopted = forms.TypedChoiceField(
        label=_("The hall's decision"),
        choices=[("1", _("adopted")), ("0", _("rejected"))],
        coerce=lambda v: v == "1",
    )


class TableForm(forms.Form):
    """A delegate tables an amendment with their badge code (no account)."""

    badge = forms.CharField(label=_("Your badge code"), max_length=20)
    paragraph = forms.TypedChoiceField(label=_("Paragraph"), coerce=int, widget=forms.RadioSelect)
    proposed = forms.CharField(
        label=_("The paragraph as it should read (empty: delete it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, paragraphs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paragraph"].choices = [
            (i, f"{i + 1}. {text}") for i, text in enumerate(paragraphs)
        ]
