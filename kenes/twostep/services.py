"""Re-sealing app-code secrets under the newest field key (for `kenes rotate-keys`).

A secret is also re-sealed the next time its officer logs in with it
(SealedTOTPDevice.reseal_if_old); this does all of them at once, so the old key can be
dropped without waiting for every officer to log in.
"""

from __future__ import annotations

from django.db import transaction

from kenes.security.keys import current_key
from kenes.security.sealing import sealed_key_id
from kenes.twostep.models import SealedTOTPDevice


def do_reseal_app_secrets() -> int:
    """Seals every secret not under the newest key again under it; how many were."""
    newest = current_key().key_id
    resealed = 0
    with transaction.atomic():
        for device in SealedTOTPDevice.objects.select_for_update().order_by("pk"):
            if sealed_key_id(device.sealed_key) != newest:
                device.reseal_if_old()
                resealed += 1
    return resealed
