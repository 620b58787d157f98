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
from django.utils.translation import gettext_lazy, pgettext_lazy

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


# ---- texts of the jurisdiction data -----------------------------------------------------


def data_text(text: Any) -> str:
    """A text of the jurisdiction data (a law, a rule's name, a source, a party's name) in
    the reader's language: the data holds English, the catalogue its translations
    (kenes.web.data_texts lists them for `makemessages`)."""
    if not text:
        return ""
    return _(str(text))


def registration_rule_title(rule_id: str) -> str:
    """A registration rule by its law ("2022 amendments to the Law …"), not its id."""
    rule = next((r for r in jurisdiction().registration_rules if r.id == rule_id), None)
    return data_text(rule.law) if rule is not None else rule_id


def registration_rule_choice(rule_id: str) -> str:
    """A registration rule as the period chooser offers it: law, start and thresholds."""
    from kenes.web.numbers import localized

    rule = next((r for r in jurisdiction().registration_rules if r.id == rule_id), None)
    if rule is None:
        return rule_id
    return _("%(law)s: from %(date)s, %(total)s members, %(per)s in each region") % {
        "law": data_text(rule.law),
        "date": rule.effective_from.strftime("%d.%m.%Y"),
        "total": localized(rule.min_members),
        "per": localized(rule.min_per_region),
    }


def seat_rules_name(rules_id: str) -> str:
    """A parliament's seat rules by their name ("Majilis 2023: …"), not their id."""
    from kenes.core.seats.presets import all_seat_rules

    rules = all_seat_rules().get(rules_id)
    return data_text(rules.name) if rules is not None else rules_id


# ---- the audit log ----------------------------------------------------------------------

AUDIT_ACTIONS: Mapping[str, Any] = {
    "account.activate": gettext_lazy("Account switched on"),
    "account.deactivate": gettext_lazy("Account switched off"),
    "account.change_password": gettext_lazy("Password changed"),
    "account.create": gettext_lazy("Officer account created"),
    "account.reset_password": gettext_lazy("New password set by an admin"),
    "account.two_step_on": gettext_lazy("Two-step login switched on"),
    "account.two_step_off": gettext_lazy("Two-step login switched off"),
    "account.passkey_added": gettext_lazy("Passkey or security key added"),
    "account.passkey_removed": gettext_lazy("Passkey or security key removed"),
    "account.second_step_passed": gettext_lazy("Login: second step passed"),
    "account.second_step_refused": gettext_lazy("Login: second step refused"),
    "agenda.create": gettext_lazy("Consultation created"),
    "agenda.collect": gettext_lazy("Consultation: collecting statements"),
    "agenda.vote": gettext_lazy("Consultation: voting only"),
    "agenda.report": gettext_lazy("Consultation: report"),
    "agenda.closed": gettext_lazy("Consultation closed"),
    "agenda.seed": gettext_lazy("Statement added by the organisers"),
    "agenda.approve": gettext_lazy("Statement approved"),
    "agenda.hide": gettext_lazy("Statement hidden"),
    "agenda.merge": gettext_lazy("Statement merged into another"),
    "agenda.plank_add": gettext_lazy("Programme point added"),
    "agenda.plank_move": gettext_lazy("Programme point moved"),
    "agenda.plank_remove": gettext_lazy("Programme point removed"),
    "agenda.ratify": gettext_lazy("Programme put to a vote"),
    "ballots.create": gettext_lazy("Vote created"),
    "ballots.schedule": gettext_lazy("Vote's opening or closing time set"),
    "ballots.scheduled_step": gettext_lazy("Vote opened or closed on schedule"),
    "ballots.hand_out_codes": gettext_lazy("Codes handed out after a scheduled opening"),
    "ballots.add_candidate": gettext_lazy("Candidate added"),
    "ballots.draft": gettext_lazy("Vote back to draft"),
    "ballots.open": gettext_lazy("Vote opened"),
    "ballots.closed": gettext_lazy("Vote closed"),
    "ballots.published": gettext_lazy("Result published"),
    "ballots.enter_paper": gettext_lazy("Paper ballots entered"),
    "ballots.tally": gettext_lazy("Ballots counted"),
    "audit.receipt": gettext_lazy("Audit chain head signed (receipt)"),
    "backup.made": gettext_lazy("Encrypted backup made"),
    "backup.deleted": gettext_lazy("Old backup deleted"),
    "backup.restored": gettext_lazy("Backup restored onto this server"),
    "backup.recipient_add": gettext_lazy("Backup recipient added"),
    "backup.recipient_remove": gettext_lazy("Backup recipient removed"),
    "audit.countersign": gettext_lazy("Receipt countersigned by a trustee"),
    "audit.trustee_registered": gettext_lazy("Trustee's key registered"),
    "audit.trustee_retired": gettext_lazy("Trustee's key retired"),
    "bulk_read.request": gettext_lazy("Bulk read of personal data asked for"),
    "bulk_read.approve": gettext_lazy("Bulk read approved by an officer"),
    "bulk_read.refuse": gettext_lazy("Bulk read refused"),
    "bulk_read.expire": gettext_lazy("Bulk read expired"),
    "bulk_read.download": gettext_lazy("Bulk read's file downloaded"),
    "bulk_read.settings": gettext_lazy("Rules for bulk reads changed"),
    "bulk_read.api_refused": gettext_lazy("Long member list refused by the API"),
    "codes.issue": gettext_lazy("Personal codes issued"),
    "custody.add_key": gettext_lazy("New field key put into custody"),
    "custody.drop_key": gettext_lazy("Old field key removed from custody"),
    "custody.entered": gettext_lazy("Trustee's share entered"),
    "custody.init": gettext_lazy("Keys put into the trustees' custody"),
    "custody.refused": gettext_lazy("Trustee's share refused"),
    "custody.reshare": gettext_lazy("Key shares given out anew"),
    "custody.rotate_master": gettext_lazy("Master key replaced"),
    "custody.seal": gettext_lazy("Server sealed"),
    "custody.unseal": gettext_lazy("Server unsealed"),
    "retention.applied": gettext_lazy("Retention applied to a kind of data"),
    "retention.rule": gettext_lazy("Retention rule changed"),
    "codes.revoke": gettext_lazy("Personal codes revoked"),
    "correction.request": gettext_lazy("Member asked for a correction of their record"),
    "correction.view": gettext_lazy("Member's correction request read"),
    "correction.apply": gettext_lazy("Member's correction applied"),
    "correction.refuse": gettext_lazy("Member's correction refused"),
    "dossier.export": gettext_lazy("Registration dossier downloaded"),
    "group.add": gettext_lazy("Group created"),
    "import.report": gettext_lazy("Import report read"),
    "keys.rotate": gettext_lazy("Encryption keys rotated"),
    "member.view": gettext_lazy("Member's record opened"),
    "member.list": gettext_lazy("Member list read"),
    "member.list_refused": gettext_lazy("Members not shown: daily screen limit reached"),
    "member.update": gettext_lazy("Member's record changed"),
    "member.phones_read": gettext_lazy("Members' phones read"),
    "member.merge_conflict": gettext_lazy("Entry disagrees with the registry"),
    "member.conflict_resolve": gettext_lazy("Disagreeing entry decided"),
    "member.conflicts_view": gettext_lazy("Disagreeing entries read"),
    "member.self_view": gettext_lazy("Member opened their own data with their code"),
    "members.upload": gettext_lazy("Member list uploaded"),
    "members.import": gettext_lazy("Member list imported"),
    "members.discard": gettext_lazy("Uploaded list discarded"),
    "role.grant": gettext_lazy("Role given"),
    "role.revoke": gettext_lazy("Role taken away"),
    "scenario.create": gettext_lazy("Seat scenario created"),
    "scenario.update": gettext_lazy("Seat scenario changed"),
    "scenario.delete": gettext_lazy("Seat scenario deleted"),
    "scenario.run": gettext_lazy("Seat scenario computed"),
    "scenario.share": gettext_lazy("Seat scenario shared"),
    "scenario.unshare": gettext_lazy("Seat scenario no longer shared"),
    "scope.refused": gettext_lazy("Look-up outside the scope refused"),
    "congress.create": gettext_lazy("Congress created"),
    "congress.open": gettext_lazy("Congress opened"),
    "congress.close": gettext_lazy("Congress closed"),
    "congress.delegates_add": gettext_lazy("Congress delegates seated"),
    "congress.eligibility_check": gettext_lazy("Congress delegates checked for eligibility"),
    "congress.badge_replace": gettext_lazy("Congress badge replaced"),
    "congress.check_in": gettext_lazy("Delegate checked in"),
    "congress.check_out": gettext_lazy("Delegate checked out"),
    "congress.text_add": gettext_lazy("Text to adopt added"),
    "congress.text_version": gettext_lazy("Adopted amendments written into the text"),
    "congress.amendment_table": gettext_lazy("Amendment tabled"),
    "congress.amendment_recommended": gettext_lazy("Amendment answered by the committee"),
    "congress.amendment_withdrawn": gettext_lazy("Amendment withdrawn"),
    "congress.amendment_merged": gettext_lazy("Amendment merged into another"),
    "congress.amendment_adopted": gettext_lazy("Amendment adopted"),
    "congress.amendment_rejected": gettext_lazy("Amendment rejected"),
    "congress.amendment_order": gettext_lazy("Order of the amendment votes set"),
    "congress.item_add": gettext_lazy("Agenda item added"),
    "congress.item_current": gettext_lazy("The hall moved to an agenda item"),
    "congress.floor_ask": gettext_lazy("Delegate asked for the floor"),
    "congress.floor_withdraw": gettext_lazy("Request for the floor withdrawn"),
    "congress.floor_give": gettext_lazy("Floor given"),
    "congress.floor_end": gettext_lazy("Speech ended"),
    "congress.vote_create": gettext_lazy("Hall vote prepared"),
    "congress.paper_count": gettext_lazy("Paper ballots counted by a teller"),
    "congress.proxy_give": gettext_lazy("Proxy given"),
    "congress.proxy_revoke": gettext_lazy("Proxy revoked"),
    "congress.protocol_sign": gettext_lazy("Congress protocol signed"),
    "congress.named_choice": gettext_lazy("Answer recorded in a named vote"),
    "congress.protocol_export": gettext_lazy("Congress protocol written to a file"),
    "congress.paper_mismatch": gettext_lazy("Paper count does not reconcile: result blocked"),
    "congress.badges_region": gettext_lazy("Congress badges printed for a region"),
}


def audit_action(code: str) -> str:
    """An action code as words; a code not known here is shown as it is."""
    label = AUDIT_ACTIONS.get(code)
    return str(label) if label is not None else code


AUDIT_DETAIL_KEYS: Mapping[str, Any] = {
    "old": pgettext_lazy("audit log", "before"),
    "new": pgettext_lazy("audit log", "after"),
    "title": pgettext_lazy("audit log", "title"),
    "kind": pgettext_lazy("audit log", "kind"),
    "method": pgettext_lazy("audit log", "method"),
    "seats": pgettext_lazy("audit log", "seats"),
    "member": pgettext_lazy("audit log", "member"),
    "members": pgettext_lazy("audit log", "members"),
    "electorate": pgettext_lazy("audit log", "electorate"),
    "slug": pgettext_lazy("audit log", "short name"),
    "standing_on": pgettext_lazy("audit log", "good standing on"),
    "present": pgettext_lazy("audit log", "present"),
    "entitled": pgettext_lazy("audit log", "entitled"),
    "quorate": pgettext_lazy("audit log", "quorum met"),
    "added": pgettext_lazy("audit log", "added"),
    "flagged": pgettext_lazy("audit log", "flagged"),
    "delegates": pgettext_lazy("audit log", "delegates"),
    "delegate": pgettext_lazy("audit log", "delegate"),
    "problems": pgettext_lazy("audit log", "problems"),
    "text": pgettext_lazy("audit log", "text"),
    "amendment": pgettext_lazy("audit log", "amendment"),
    "amendments": pgettext_lazy("audit log", "amendments"),
    "paragraph": pgettext_lazy("audit log", "paragraph"),
    "paragraphs": pgettext_lazy("audit log", "paragraphs"),
    "version": pgettext_lazy("audit log", "version"),
    "order": pgettext_lazy("audit log", "order"),
    "item": pgettext_lazy("audit log", "agenda item"),
    "totals": pgettext_lazy("audit log", "totals"),
    "giver": pgettext_lazy("audit log", "given by"),
    "holder": pgettext_lazy("audit log", "held by"),
    "role": pgettext_lazy("audit log", "role"),
    "digest": pgettext_lazy("audit log", "content hash"),
    "choice": pgettext_lazy("audit log", "answer"),
    "codes": pgettext_lazy("audit log", "codes"),
    "badges": pgettext_lazy("audit log", "badges"),
    "field": pgettext_lazy("audit log", "field"),
    "revoked": pgettext_lazy("audit log", "revoked"),
    "ballots": pgettext_lazy("audit log", "ballots"),
    "online_ballots": pgettext_lazy("audit log", "online ballots"),
    "voters_marked": pgettext_lazy("audit log", "voters marked"),
    "box_head": pgettext_lazy("audit log", "box head"),
    "winners": pgettext_lazy("audit log", "elected"),
    "carried": pgettext_lazy("audit log", "carried"),
    "rules": pgettext_lazy("audit log", "rules"),
    "draws": pgettext_lazy("audit log", "draws"),
    "status": pgettext_lazy("audit log", "status"),
    "changed": pgettext_lazy("audit log", "changed"),
    "consultation": pgettext_lazy("audit log", "consultation"),
    "reason": pgettext_lazy("audit log", "reason"),
    "into": pgettext_lazy("audit log", "merged into"),
    "plank": pgettext_lazy("audit log", "programme point"),
    "statements": pgettext_lazy("audit log", "statements"),
    "region": pgettext_lazy("audit log", "region"),
    "group": pgettext_lazy("audit log", "group"),
    "name": pgettext_lazy("audit log", "name"),
    "concern": pgettext_lazy("audit log", "concern"),
    "file": pgettext_lazy("audit log", "file"),
    "rows": pgettext_lazy("audit log", "rows"),
    "imported": pgettext_lazy("audit log", "imported"),
    "merged": pgettext_lazy("audit log", "merged"),
    "unchanged": pgettext_lazy("audit log", "unchanged"),
    "rejected": pgettext_lazy("audit log", "rejected"),
    "created_member_ids": pgettext_lazy("audit log", "new members"),
    "query": pgettext_lazy("audit log", "search"),
    "page": pgettext_lazy("audit log", "page"),
    "count": pgettext_lazy("audit log", "found"),
    "asked": pgettext_lazy("audit log", "asked for"),
    "read": pgettext_lazy("audit log", "read"),
    "on": pgettext_lazy("audit log", "counted on"),
    "format": pgettext_lazy("audit log", "format"),
    "conflicts": pgettext_lazy("audit log", "disagreeing entries"),
    "batch": pgettext_lazy("audit log", "upload"),
    "defects_shown": pgettext_lazy("audit log", "defects shown"),
    "readiness": pgettext_lazy("audit log", "registration rules"),
    "defects": pgettext_lazy("audit log", "defects"),
    "purpose": pgettext_lazy("audit log", "codes for"),
    "entered": pgettext_lazy("audit log", "shares entered"),
    "needed": pgettext_lazy("audit log", "shares needed"),
    "origin": pgettext_lazy("audit log", "from"),
    "previously": pgettext_lazy("audit log", "state before"),
    "set_id": pgettext_lazy("audit log", "set of shares"),
    "old_set": pgettext_lazy("audit log", "previous set of shares"),
    "threshold": pgettext_lazy("audit log", "shares needed"),
    "sheets": pgettext_lazy("audit log", "share sheets"),
    "key_id": pgettext_lazy("audit log", "key"),
    "columns_checked": pgettext_lazy("audit log", "sealed columns checked"),
    "values_checked": pgettext_lazy("audit log", "sealed values checked"),
    "other_rows": pgettext_lazy("audit log", "other sealed rows"),
    "seq": pgettext_lazy("audit log", "entry number"),
    "head": pgettext_lazy("audit log", "chain head"),
    "signature": pgettext_lazy("audit log", "signature"),
    "trustees": pgettext_lazy("audit log", "trustees"),
    "cleared": pgettext_lazy("audit log", "cleared"),
    "days": pgettext_lazy("audit log", "days kept"),
    "bytes": pgettext_lazy("audit log", "bytes"),
    "engine": pgettext_lazy("audit log", "database"),
    "recipients": pgettext_lazy("audit log", "encrypted to"),
    "folder": pgettext_lazy("audit log", "folder"),
    "created": pgettext_lazy("audit log", "made at"),
    "public_key": pgettext_lazy("audit log", "public key"),
    "enabled": pgettext_lazy("audit log", "rule applied"),
    "approvals": pgettext_lazy("audit log", "approvals"),
    "approvals_needed": pgettext_lazy("audit log", "approvals needed"),
    "delay_hours": pgettext_lazy("audit log", "delay in hours"),
    "api_limit": pgettext_lazy("audit log", "API limit"),
    "via": pgettext_lazy("audit log", "through"),
    "screen": pgettext_lazy("audit log", "page"),
    "shown_24h": pgettext_lazy("audit log", "rows shown in 24 hours"),
    "screen_rows_per_day": pgettext_lazy("audit log", "daily screen limit"),
    "trustee": pgettext_lazy("audit log", "trustee"),
    "key_fingerprint": pgettext_lazy("audit log", "key fingerprint"),
    "occasion": pgettext_lazy("audit log", "occasion"),
    "passkey": pgettext_lazy("audit log", "passkey number"),
}

#: A list longer than this is shown as its length and its first items.
AUDIT_LIST_SHOWN = 8


def _audit_value(value: Any) -> str:
    from django.utils.translation import ngettext

    from kenes.web.numbers import localized

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float):
        return localized(value)
    if isinstance(value, list):
        shown = ", ".join(_audit_value(v) for v in value[:AUDIT_LIST_SHOWN])
        if len(value) <= AUDIT_LIST_SHOWN:
            return shown
        return ngettext(
            "%(count)s in all: %(shown)s, …", "%(count)s in all: %(shown)s, …", len(value)
        ) % {"count": localized(len(value)), "shown": shown}
    if isinstance(value, dict):
        return "; ".join(f"{label}: {text}" for label, text in audit_detail(value))
    return str(value)


def audit_detail(detail: Any) -> list[tuple[str, str]]:
    """An entry's detail as (label, value) pairs in the reader's words, not JSON."""
    if not isinstance(detail, dict):
        return [("", _audit_value(detail))] if detail else []
    return [
        (str(AUDIT_DETAIL_KEYS.get(key, key)), _audit_detail_value(key, value))
        for key, value in detail.items()
    ]


#: The pages a refusal by the daily screen limit names (kenes.registry.screen_budget).
SCREENS: Mapping[str, Any] = {
    "members": pgettext_lazy("screen", "member list"),
    "member": pgettext_lazy("screen", "member card"),
    "group": pgettext_lazy("screen", "group page"),
    "readiness": pgettext_lazy("screen", "registration readiness"),
    "election": pgettext_lazy("screen", "search for a candidate or a lost code"),
    "api": pgettext_lazy("screen", "API"),
}


def _audit_detail_value(key: str, value: Any) -> str:
    """Codes a reader should not have to decode: phases and the readiness rule by name."""
    if key == "screen" and value in SCREENS:
        return str(SCREENS[value])
    if key in ("old", "new") and isinstance(value, str):
        return _phase_label(value) or value
    if key in ("readiness", "rules") and isinstance(value, str):
        seat_rules = seat_rules_name(value)
        return seat_rules if seat_rules != value else registration_rule_title(value)
    return _audit_value(value)


AUDIT_TARGETS: Mapping[str, Any] = {
    "consultation": pgettext_lazy("audit log", "consultation"),
    "custody": pgettext_lazy("audit log", "keys in custody"),
    "dossier": pgettext_lazy("audit log", "dossier"),
    "election": pgettext_lazy("audit log", "vote"),
    "group": pgettext_lazy("audit log", "group"),
    "import": pgettext_lazy("audit log", "upload"),
    "member": pgettext_lazy("audit log", "member"),
    "purpose": pgettext_lazy("audit log", "codes for"),
    "read_request": pgettext_lazy("audit log", "bulk read request"),
    "retention": pgettext_lazy("audit log", "retention rule"),
    "scenario": pgettext_lazy("audit log", "seat scenario"),
    "statement": pgettext_lazy("audit log", "statement"),
    "user": pgettext_lazy("audit log", "officer"),
    "api": pgettext_lazy("audit log", "API"),
}


def audit_target(target_type: str) -> str:
    label = AUDIT_TARGETS.get(target_type)
    return str(label) if label is not None else target_type


def _phase_label(value: str) -> str | None:
    from kenes.agenda.models import Phase as ConsultationPhase
    from kenes.ballots.models import Phase as VotePhase

    for choices in (VotePhase, ConsultationPhase):
        if value in choices.values:
            return str(choices(value).label)
    return None
