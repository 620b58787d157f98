"""System checks: a production deployment refuses to start without its secrets, and
`kenes check --deploy` names the settings that weaken a production install."""

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from kenes.security.keys import Sealed, field_keys

SQLITE_ENGINES = {"kenes.sqlite", "django.db.backends.sqlite3"}

#: A version 3 onion address: 56 letters of base32 (the key, a checksum and the version).
ONION_V3 = re.compile(r"[a-z2-7]{55}d\.onion")


@register()
def check_secrets(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.KENES_SECRET_KEY_MISSING:
        errors.append(
            Error(
                "KENES_SECRET_KEY is not set.",
                hint="Set KENES_SECRET_KEY to a long random string (e.g. `kenes keygen`).",
                id="kenes.E001",
            )
        )
    try:
        field_keys()
    except Sealed:
        pass  # custody: the server starts sealed, which is a state, not a misconfiguration
    except Exception as exc:  # ImproperlyConfigured with a sentence saying what to do
        errors.append(Error(str(exc), id="kenes.E002"))
    return errors


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Only with `--deploy`, and only under KENES_ENV=production (development relaxes these
    on purpose: the demo logs in with a password alone, on localhost, into SQLite)."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    found: list[CheckMessage] = []
    if settings.KENES_TWO_STEP != "required":
        found.append(
            Warning(
                "KENES_TWO_STEP=optional: officers can work with a password alone.",
                hint=(
                    "An officer's password is what an adversary phishes or guesses first. "
                    "Unset KENES_TWO_STEP (required is the default in production)."
                ),
                id="kenes.W010",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        found.append(
            Error(
                "KENES_ALLOWED_HOSTS contains '*': any Host header is accepted.",
                hint=(
                    "Links Kenes builds (personal links on code slips, the codes file) take "
                    "the host from the request, and CSRF trusts origins built from this "
                    "list. Name the site's host names, e.g. KENES_ALLOWED_HOSTS=kenes.example.org."
                ),
                id="kenes.E010",
            )
        )
    onion = settings.KENES_ONION_HOST
    if onion and not ONION_V3.fullmatch(onion):
        found.append(
            Error(
                f"KENES_ONION_HOST={onion!r} is not a version 3 onion address.",
                hint=(
                    "Copy the name from the file `hostname` in the onion service's folder "
                    "(HiddenServiceDir in torrc): 56 letters and digits, then .onion "
                    "(docs/tor.md)."
                ),
                id="kenes.E011",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] in SQLITE_ENGINES:
        found.append(
            Warning(
                "The database is SQLite in production.",
                hint=(
                    "SQLite serves one machine with one writer at a time, and its data folder "
                    "is the whole database. Set DATABASE_URL to PostgreSQL "
                    "(README: Production deployment)."
                ),
                id="kenes.W011",
            )
        )
    return found
