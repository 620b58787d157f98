"""Officers' accounts: created, re-keyed and switched off by a national admin, all audited.

Members have no accounts (they take part with personal codes). An officer's first password
is made here and shown once to the admin, who hands it over in person: Kenes sends no mail
or SMS by itself, and a watched movement should not send passwords through either.

A password made here is one-time: the admin saw it, and so may whoever stood behind them.
It has a shape no officer can choose (`is_one_time_password`: four dash-separated groups of
four from `_PASSWORD_ALPHABET`; `check_own_password` refuses that shape), so a login with
it is recognised without storing anything more, for as long as it stays the password: the
officer must replace it before any other page opens (kenes.web.middleware), after the
first login and after every reset by an admin, however often they log out in between.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kenes.audit import services as audit

# Without 0/O, 1/l/I: read aloud or copied from paper without mistakes.
_PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ"


def new_password() -> str:
    """Four groups of four characters (about 92 bits), e.g. `h7Kq-2mPz-...`."""
    raw = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


_ONE_TIME = re.compile(
    rf"[{_PASSWORD_ALPHABET}]{{4}}-[{_PASSWORD_ALPHABET}]{{4}}-"
    rf"[{_PASSWORD_ALPHABET}]{{4}}-[{_PASSWORD_ALPHABET}]{{4}}"
)


def is_one_time_password(password: str) -> bool:
    """Has `password` the shape of one made by `new_password` (an admin has seen it)?"""
    return _ONE_TIME.fullmatch(password) is not None


def check_own_password(password: str) -> None:
    """An officer's own password must not look like one an admin hands over (it would be
    taken for one-time, and the officer asked to change it at every login)."""
    if is_one_time_password(password):
        raise ValidationError(
            _("Choose a password of your own, not one in the shape of the first password.")
        )


def check_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise ValidationError(_("Give the officer a login name."))
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise ValidationError(
            _("A login name may hold letters, digits and @ . + - _ only.")
        ) from exc
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The login name %(u)s is taken.") % {"u": username})
    return username


def do_create_officer(username: str, *, acting_user: Any) -> tuple[Any, str]:
    """A new account and its first password (returned once, stored only as a hash)."""
    username = check_username(username)
    password = new_password()
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=password)
        audit.record(
            "account.create", acting_user=acting_user, target_type="user", target_id=username
        )
    return user, password


def do_reset_password(user: Any, *, acting_user: Any) -> str:
    """A new password for an officer who lost theirs; the old one stops working at once."""
    password = new_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            "account.reset_password",
            acting_user=acting_user,
            target_type="user",
            target_id=user.get_username(),
        )
    return password


def do_set_active(user: Any, active: bool, *, acting_user: Any) -> None:
    """Switch an account off (its sessions stop at the next request) or back on."""
    if not active and user == acting_user:
        raise ValidationError(_("You cannot switch off your own account."))
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(
            "account.activate" if active else "account.deactivate",
            acting_user=acting_user,
            target_type="user",
            target_id=user.get_username(),
        )
