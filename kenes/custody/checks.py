"""System check: keys left in the environment next to custody defeat it."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from . import store


@register()
def check_no_plain_keys_beside_custody(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not store.is_set_up() or not settings.KENES_FIELD_KEYS:
        return []
    return [
        Warning(
            "KENES_FIELD_KEYS is still set although custody holds the field keys.",
            hint=(
                "Kenes takes the keys from the key holder and ignores KENES_FIELD_KEYS, but a "
                "copy of this environment still reads every member's data. Remove it (and "
                "var/field_keys)."
            ),
            id="kenes.W020",
        )
    ]
