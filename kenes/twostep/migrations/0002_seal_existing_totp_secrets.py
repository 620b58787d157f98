"""Existing app codes (django-otp's TOTPDevice, secret in the clear) become sealed devices.

Each secret is sealed under the newest field key, bound to its officer, and the clear row
is deleted (SQLite's secure_delete zeroes it in the file). With no device to move this
needs no key; with devices and a sealed server it stops with the sealed sentence and
changes nothing, so it can be run again once the trustees have unsealed.
"""

from django.db import migrations

FIELDS = (
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def seal_secrets(apps, schema_editor):
    from kenes.twostep.models import seal_secret

    clear = apps.get_model("otp_totp", "TOTPDevice")
    sealed = apps.get_model("twostep", "SealedTOTPDevice")
    devices = list(clear.objects.using(schema_editor.connection.alias).order_by("pk"))
    if not devices:
        return
    rows = [
        sealed(
            user_id=d.user_id,
            sealed_key=seal_secret(d.key, user_id=d.user_id),  # raises Sealed while sealed
            **{f: getattr(d, f) for f in FIELDS},
        )
        for d in devices
    ]
    sealed.objects.using(schema_editor.connection.alias).bulk_create(rows)
    clear.objects.using(schema_editor.connection.alias).filter(
        pk__in=[d.pk for d in devices]
    ).delete()


def open_secrets(apps, schema_editor):
    """Back to django-otp's table (needs the field key, like the way forward)."""
    from kenes.security.sealing import open_sealed
    from kenes.twostep.models import secret_context

    clear = apps.get_model("otp_totp", "TOTPDevice")
    sealed = apps.get_model("twostep", "SealedTOTPDevice")
    devices = list(sealed.objects.using(schema_editor.connection.alias).order_by("pk"))
    clear.objects.using(schema_editor.connection.alias).bulk_create(
        [
            clear(
                user_id=d.user_id,
                key=open_sealed(d.sealed_key, context=secret_context(d.user_id)),
                **{f: getattr(d, f) for f in FIELDS},
            )
            for d in devices
        ]
    )
    sealed.objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("twostep", "0001_sealed_totp_device"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_secrets, open_secrets)]
