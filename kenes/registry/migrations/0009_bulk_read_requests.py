"""Bulk reads of personal data wait for other officers (kenes.registry.approvals): the
requests, their approvals, the national admin's numbers; held prepared files."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kenes.security.fields


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_sealed_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="preparedfile",
            name="maker",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="preparedfile",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="preparedfile",
            name="status",
            field=models.CharField(
                choices=[
                    ("awaiting", "awaiting approval"),
                    ("pending", "being made"),
                    ("ready", "ready to download"),
                    ("failed", "failed"),
                    ("downloaded", "downloaded"),
                    ("expired", "expired"),
                ],
                default="pending",
                max_length=12,
            ),
        ),
        migrations.CreateModel(
            name="BulkReadSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "approvals_needed",
                    models.PositiveSmallIntegerField(default=1, verbose_name="approvals needed"),
                ),
                (
                    "api_limit",
                    models.PositiveIntegerField(
                        default=50, verbose_name="members the API gives without approval"
                    ),
                ),
                (
                    "delay_hours",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="hours to wait after approval"
                    ),
                ),
                ("changed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ReadRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=32)),
                ("title", models.CharField(max_length=300)),
                ("bundle", models.UUIDField(unique=True)),
                ("members", kenes.security.fields.SealedTextField(null=True)),
                ("member_count", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("requested", "awaiting approval"),
                            ("approved", "approved, waiting for its time"),
                            ("refused", "refused"),
                            ("expired", "expired"),
                            ("made", "made, ready to download"),
                            ("downloaded", "downloaded"),
                        ],
                        db_index=True,
                        default="requested",
                        max_length=12,
                    ),
                ),
                ("approvals_needed", models.PositiveSmallIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("not_before", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "refused_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requester",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ReadApproval",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "officer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="approvals",
                        to="registry.readrequest",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("request", "officer"), name="one_approval_per_officer"
                    )
                ],
            },
        ),
    ]
