"""A trustee (kenes.custody): a national officer, like the admin and the auditor (no group,
no region), who holds a share of the master key."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_readiness_facts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="role",
            name="role_scope_matches_kind",
        ),
        migrations.AlterField(
            model_name="role",
            name="kind",
            field=models.CharField(
                choices=[
                    ("admin", "national admin"),
                    ("regional", "regional coordinator"),
                    ("group", "group coordinator"),
                    ("auditor", "auditor"),
                    ("trustee", "trustee"),
                ],
                max_length=12,
                verbose_name="role",
            ),
        ),
        migrations.AddConstraint(
            model_name="role",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("group__isnull", True),
                        ("kind", "regional"),
                        models.Q(("region_code", ""), _negated=True),
                    ),
                    models.Q(("group__isnull", False), ("kind", "group"), ("region_code", "")),
                    models.Q(
                        ("group__isnull", True),
                        ("kind__in", ["admin", "auditor", "trustee"]),
                        ("region_code", ""),
                    ),
                    _connector="OR",
                ),
                name="role_scope_matches_kind",
            ),
        ),
    ]
