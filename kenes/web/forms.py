"""Forms of the web pages. They parse and check input; the registry's services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kenes.core.rules import load_jurisdiction
from kenes.registry.models import ConstituentGroup, MemberStatus
from kenes.web import labels

UPLOAD_ACCEPT = ".csv,.txt,.xlsx,.xlsm,.xls,.ods"


class GroupForm(forms.Form):
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=64,
        help_text=_(
            "Lowercase Latin letters, digits and hyphens, e.g. workers-almaty. "
            "It appears in addresses and cannot be changed later."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    concern = forms.CharField(
        label=_("Concern it carries"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One or two sentences: what brought these people together."),
    )


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name or IIN"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Part of the name, or the whole 12-digit IIN."),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    group = forms.ModelChoiceField(
        label=_("Group"),
        required=False,
        queryset=ConstituentGroup.objects.none(),
        to_field_name="slug",
        empty_label=_("All groups"),
    )
    defect = forms.ChoiceField(label=_("Defect"), required=False, widget=forms.HiddenInput)
    rules = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, groups: QuerySet[ConstituentGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *labels.region_choices()]
        self.fields["status"].choices = [("", _("All statuses")), *MemberStatus.choices]
        self.fields["group"].queryset = groups
        self.fields["defect"].choices = [("", "")] + [
            (code, title) for code, (title, _advice) in labels.READINESS_DEFECTS.items()
        ]


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=MemberStatus.choices)


class UploadForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Group the list belongs to"),
        queryset=ConstituentGroup.objects.none(),
        empty_label=None,
    )
    file = forms.FileField(
        label=_("Member list (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )
    strict = forms.BooleanField(
        label=_("All or nothing: import only if every row is valid"),
        required=False,
        help_text=_(
            "Without this, valid rows are imported and invalid rows are listed for you to fix."
        ),
    )

    def __init__(self, *args: Any, groups: QuerySet[ConstituentGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["file"].help_text = _(
            "Headings in Russian, Kazakh or English; at least full name, IIN and region. "
            "Up to %(size)s."
        ) % {"size": filesizeformat(settings.KENES_MAX_UPLOAD_BYTES)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.KENES_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s, more than the limit of %(limit)s; split the list into "
                    "smaller files and upload each of them."
                ),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        if upload.size == 0:
            raise forms.ValidationError(
                _("The file is empty; choose the file that holds the list.")
            )
        return upload


class ReadinessForm(forms.Form):
    rules = forms.ChoiceField(label=_("Rules of the period"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = load_jurisdiction("kz").registration_rules
        self.fields["rules"].choices = [
            (
                rule.id,
                _("%(id)s: from %(date)s, %(total)s members, %(per)s in each region")
                % {
                    "id": rule.id,
                    "date": date_format(rule.effective_from, "d.m.Y"),
                    "total": rule.min_members,
                    "per": rule.min_per_region,
                },
            )
            for rule in reversed(rules)
        ]


class MemberAddForm(forms.Form):
    """One person entered by hand; the registry checks it exactly like an imported row."""

    group = forms.ModelChoiceField(
        label=_("Constituent group"), queryset=ConstituentGroup.objects.none(), empty_label=None
    )
    full_name = forms.CharField(label=_("Full name"), max_length=300)
    iin = forms.CharField(
        label=_("IIN"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    birth_date = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=20,
        help_text=_("DD.MM.YYYY; if left empty it is taken from the IIN."),
    )
    region = forms.ChoiceField(label=_("Region"))
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=500)
    consent_date = forms.CharField(
        label=_("Consent given on"),
        required=False,
        max_length=20,
        help_text=_(
            "The date of the signed application; without it an examiner may strike the member."
        ),
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"),
        required=False,
        choices=[("", "—"), *labels.CONSENT_METHODS.items()],
    )
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices, initial="member")

    def __init__(self, *args: Any, groups: QuerySet[ConstituentGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["region"].choices = [("", "—"), *labels.region_choices()]


class DelegatesForm(forms.Form):
    seats = forms.IntegerField(label=_("Delegate seats"), min_value=1, max_value=10000, initial=100)
    by = forms.ChoiceField(
        label=_("Among"),
        choices=[("group", _("constituent groups")), ("region", _("regions"))],
        initial="group",
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            ("sainte-lague", _("Sainte-Laguë (proportional, neutral to size)")),
            ("dhondt", _("D'Hondt (favours larger groups)")),
            ("hare", _("Largest remainder, Hare quota")),
            ("huntington-hill", _("Huntington-Hill")),
            ("adams", _("Adams (every group with members gets a seat)")),
        ],
        initial="sainte-lague",
    )


class CodesFileForm(forms.Form):
    """Asked where codes are issued: the codes file holds phones only if the officer ticks this
    (reading every member's phone is a bulk read of personal data; default off)."""

    phones = forms.BooleanField(required=False)

    def include_phones(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data["phones"])
