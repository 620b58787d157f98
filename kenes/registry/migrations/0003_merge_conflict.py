"""Memberships say whether their group made the person's record; entries that disagree
with the registry wait as merge conflicts for a national admin (docs/security.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kenes.security.fields


def mark_joined_memberships(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Of a person's memberships, the earliest made the record; the later ones joined it.

    Before this migration a later group's entry was merged without comparing anything,
    so those groups are given nothing they entered: they see only the person's name,
    IIN, birth date and region from now on, no phone or address.
    """
    Membership = apps.get_model("registry", "Membership")
    first = Membership.objects.values("member_id").annotate(first=models.Min("id")).values("first")
    Membership.objects.exclude(id__in=first).update(keeps_record=False)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_import_error_code"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="entered",
            field=kenes.security.fields.SealedTextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="membership",
            name="keeps_record",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(mark_joined_memberships, migrations.RunPython.noop),
        migrations.CreateModel(
            name="MergeConflict",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("entered", kenes.security.fields.SealedTextField()),
                ("differs", models.CharField(max_length=64)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "waiting for a national admin"),
                            ("joined", "joined the group; the record kept"),
                            ("corrected", "joined the group; the record corrected"),
                            ("refused", "refused"),
                        ],
                        db_index=True,
                        default="open",
                        max_length=12,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "entered_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registry.constituentgroup",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conflicts",
                        to="registry.member",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
    ]
