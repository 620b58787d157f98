"""What the web pages call things, in the user's language.

Defect codes are stable (kenes.core.roster.DEFECT_CODES, kenes.registry.readiness);
the core's messages are English sentences for scripts, so the pages translate by
code, filling in the offending value, and fall back to the core's message for a
code they do not know yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.core.rules import Jurisdiction, load_jurisdiction
from kenes.registry.readiness import names_language


@cache
def jurisdiction() -> Jurisdiction:
    return load_jurisdiction("kz")


current_language = names_language


def region_name(code: str) -> str:
    region = jurisdiction().find_region(code) if code else None
    return region.name(current_language()) if region else code


def region_choices() -> list[tuple[str, str]]:
    lang = current_language()
    return sorted(((r.code, r.name(lang)) for r in jurisdiction().regions), key=lambda c: c[1])


FIELD_LABELS: Mapping[str, Any] = {
    "full_name": gettext_lazy("full name"),
    "surname": gettext_lazy("surname"),
    "given_name": gettext_lazy("given name"),
    "patronymic": gettext_lazy("patronymic"),
    "iin": gettext_lazy("IIN"),
    "birth_date": gettext_lazy("date of birth"),
    "region": gettext_lazy("region"),
    "phone": gettext_lazy("phone"),
    "address": gettext_lazy("address"),
    "status": gettext_lazy("status"),
    "consent_date": gettext_lazy("consent date"),
    "consent_method": gettext_lazy("how consent was given"),
    "joined": gettext_lazy("joining date"),
}


CONSENT_METHODS: Mapping[str, Any] = {
    "signed_form": gettext_lazy("signed form"),
    "online": gettext_lazy("online"),
    "in_person": gettext_lazy("in person"),
}


def consent_method(value: str | None) -> str:
    if not value:
        return ""
    label = CONSENT_METHODS.get(value)
    return str(label) if label is not None else value


def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def _phone_sentence(value: str) -> str:
    phone = jurisdiction().phone
    return _(
        'Phone "%(value)s" is not a valid phone number of this country; write one number as '
        "+%(country)s followed by %(digits)s digits."
    ) % {"value": value, "country": phone.country_code, "digits": phone.national_number_length}


# code -> sentence built from the defect (field, value).
_SENTENCES: Mapping[str, Callable[[str, str], str]] = {
    "missing_field": lambda field, value: (
        _("The %(field)s is empty; fill it in.") % {"field": field_label(field)}
    ),
    "name_invalid": lambda field, value: (
        _(
            'Name "%(value)s" must be a surname and a given name in letters only; '
            "write it as on the ID card."
        )
        % {"value": value}
    ),
    "iin_invalid": lambda field, value: (
        _(
            'IIN "%(value)s" is not a valid IIN (12 digits, a real birth date, a correct check '
            "digit); copy it again from the ID card. An 11-digit IIN may have lost its leading 0."
        )
        % {"value": value}
    ),
    "iin_birthdate_mismatch": lambda field, value: (
        _(
            "The date of birth %(value)s does not match the date written in the IIN; "
            "correct the IIN or the date."
        )
        % {"value": value}
    ),
    "duplicate_in_file": lambda field, value: (
        _(
            'IIN "%(value)s" already appears in an earlier row of this file; '
            "remove the repeated row."
        )
        % {"value": value}
    ),
    "date_invalid": lambda field, value: (
        _('The %(field)s "%(value)s" cannot be read as a date; write it as DD.MM.YYYY.')
        % {"field": field_label(field), "value": value}
    ),
    "birth_date_future": lambda field, value: (
        _("The date of birth %(value)s is in the future; correct the date or the IIN.")
        % {"value": value}
    ),
    "underage": lambda field, value: (
        _(
            "Born %(value)s, the person is under the minimum age for party membership; "
            "remove the row until they come of age."
        )
        % {"value": value}
    ),
    "implausible_age": lambda field, value: (
        _(
            "Born %(value)s, the person would be older than 110; check that the person is alive "
            "and that the date is right."
        )
        % {"value": value}
    ),
    "unknown_region": lambda field, value: (
        _('Region "%(value)s" is not a region of Kazakhstan; write the oblast or the city name.')
        % {"value": value}
    ),
    "phone_invalid": lambda field, value: _phone_sentence(value),
    "status_invalid": lambda field, value: (
        _('Status "%(value)s" is not one of: applicant, member, suspended, left; use one of those.')
        % {"value": value}
    ),
}


DEFECT_KINDS: Mapping[str, Any] = {
    "missing_field": gettext_lazy("A required value is empty"),
    "name_invalid": gettext_lazy("Name not written in letters as on the ID card"),
    "iin_invalid": gettext_lazy("Invalid IIN"),
    "iin_birthdate_mismatch": gettext_lazy("Date of birth does not match the IIN"),
    "duplicate_in_file": gettext_lazy("The same IIN twice in the file"),
    "date_invalid": gettext_lazy("A date cannot be read"),
    "birth_date_future": gettext_lazy("Date of birth in the future"),
    "underage": gettext_lazy("Under the minimum age"),
    "implausible_age": gettext_lazy("Implausible age (over 110)"),
    "unknown_region": gettext_lazy("Unknown region"),
    "phone_invalid": gettext_lazy("Invalid phone number"),
    "status_invalid": gettext_lazy("Unknown membership status"),
}


def defect_kind(code: str) -> str:
    label = DEFECT_KINDS.get(code)
    return str(label) if label is not None else code


def defect_sentence(defect: Mapping[str, Any]) -> str:
    """A defect of an uploaded list as a sentence in the user's language."""
    make = _SENTENCES.get(str(defect.get("code", "")))
    if make is None:
        return str(defect.get("message", ""))
    return make(str(defect.get("field", "")), str(defect.get("value", "") or ""))


# Defects of stored members that an examiner could cite (kenes.registry.readiness).
READINESS_DEFECTS: Mapping[str, tuple[Any, Any]] = {
    "consent_missing": (
        gettext_lazy("No recorded consent to the processing of personal data"),
        gettext_lazy(
            "Record the date and way each member gave consent, then import the list again."
        ),
    ),
    "iin_invalid": (
        gettext_lazy("Invalid IIN"),
        gettext_lazy("Check the IIN against the member's ID card and correct it."),
    ),
    "iin_birthdate_mismatch": (
        gettext_lazy("Date of birth does not match the IIN"),
        gettext_lazy("Check the date of birth and the IIN against the ID card."),
    ),
    "underage": (
        gettext_lazy("Under the minimum age"),
        gettext_lazy("Do not count these members until they come of age."),
    ),
    "implausible_age": (
        gettext_lazy("Implausible age (over 110)"),
        gettext_lazy("Check that the person is alive and the date of birth is right."),
    ),
}


def readiness_defect(code: str) -> tuple[str, str]:
    title, advice = READINESS_DEFECTS.get(code, (code, ""))
    return str(title), str(advice)


# Why a whole file could not be read (kenes.core.roster.UnreadableFile codes).
UPLOAD_ERRORS: Mapping[str, Any] = {
    "empty": gettext_lazy("The file is empty."),
    "not_a_table": gettext_lazy(
        "The file is not a spreadsheet or a text table (a PDF or a document, perhaps)."
    ),
    "corrupt": gettext_lazy("The file is damaged."),
    "encrypted": gettext_lazy("The file is protected by a password; remove the password."),
    "encoding": gettext_lazy(
        "The file mixes text encodings; open it in Excel and save it as CSV UTF-8."
    ),
    "no_header": gettext_lazy(
        "No heading row with column names such as ФИО, ИИН, Регион was "
        "found; put the column names in the first row."
    ),
    "missing_columns": gettext_lazy(
        "A required column (full name, IIN or region) is missing; add it with its heading."
    ),
    "too_large": gettext_lazy(
        "The file unpacks to far more than a member list; split the list into smaller "
        "files or save it again in Excel."
    ),
    "too_many_cells": gettext_lazy(
        "The file has more cells (rows × columns) than one upload may have; delete empty "
        "rows and columns or split the list."
    ),
    "cell_too_long": gettext_lazy(
        "A cell in the file is far too long for a member list; shorten it."
    ),
    "stale": gettext_lazy(
        "The background worker stopped while handling this list; nothing from it was "
        "imported. Upload the list again."
    ),
    "database": gettext_lazy(
        "The database was too busy to handle this list; nothing from it was imported. "
        "Upload the list again in a few minutes."
    ),
}


def upload_error(code: str) -> str:
    """The reason a file failed, in the user's language; '' for a code not known here."""
    label = UPLOAD_ERRORS.get(code)
    return str(label) if label is not None else ""


UPLOAD_ERRORS_HINT = gettext_lazy(
    "Save the list as CSV (UTF-8) or XLSX with one heading row (full name, IIN, region at "
    "least) and upload it again."
)
