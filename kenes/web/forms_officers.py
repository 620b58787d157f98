"""Forms of the officers' accounts: a new officer, another role, an officer's own password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from kenes.registry import accounts
from kenes.registry.models import ConstituentGroup, RoleKind
from kenes.web import labels


class OfficerForm(forms.Form):
    """A new officer account with its first role.

    No role is chosen in advance (least privilege): the admin picks one, so a slip of the
    thumb never makes another national admin.
    """

    username = forms.CharField(label=_("Login name"), max_length=150)
    kind = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("— choose a role —")), *RoleKind.choices],
        error_messages={"required": _("Choose the role this officer needs, and no more.")},
    )
    region = forms.ChoiceField(label=_("Region (regional coordinators)"), required=False)
    group = forms.ModelChoiceField(
        label=_("Group (group coordinators)"),
        queryset=ConstituentGroup.objects.order_by("name"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *labels.region_choices()]


class RoleForm(OfficerForm):
    """Another role for an existing officer (same fields, no login name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["username"]


class OwnPasswordForm(PasswordChangeForm):
    """Django's password change, refusing the first password's shape and the old password."""

    def clean_new_password1(self) -> str:
        password = str(self.cleaned_data.get("new_password1") or "")
        try:
            accounts.check_own_password(password)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        if password and self.user.check_password(password):
            raise forms.ValidationError(_("The new password must differ from the old one."))
        return password
