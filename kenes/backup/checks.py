"""System checks: backups kept too long, or scheduled with nobody to encrypt them to."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from .errors import BackupProblem

MOST_DAYS = 30  # Access Now's helpline policy: encrypted backups kept at most 30 days


@register(Tags.security, deploy=True)
def check_backup_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    keep = settings.KENES_BACKUP_KEEP_DAYS
    if not 0 < keep <= MOST_DAYS:
        found.append(
            Error(
                f"KENES_BACKUP_KEEP_DAYS is {keep:g}: backups are kept between 1 and "
                f"{MOST_DAYS} days.",
                hint=(
                    "Every archive kept is one more copy of the movement that a seized "
                    "trustee key opens. Set KENES_BACKUP_KEEP_DAYS to 30 or fewer."
                ),
                id="kenes.E050",
            )
        )
    if settings.KENES_BACKUP_EVERY_HOURS > 0:
        from . import recipients

        try:
            empty = not recipients.all_recipients()
        except BackupProblem as exc:
            found.append(Error(str(exc), id="kenes.E051"))
            empty = False
        if empty:
            found.append(
                Warning(
                    "KENES_BACKUP_EVERY_HOURS is set but backups have no recipient: the "
                    "worker makes none.",
                    hint="Add the trustees' age public keys: `kenes backup recipients add`.",
                    id="kenes.W050",
                )
            )
    return found
