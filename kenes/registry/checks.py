"""System checks: a production deployment refuses to start without its secrets."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from kenes.security.keys import field_keys


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
    except Exception as exc:  # ImproperlyConfigured with a sentence saying what to do
        errors.append(Error(str(exc), id="kenes.E002"))
    return errors
