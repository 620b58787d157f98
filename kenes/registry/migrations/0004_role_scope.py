"""One role per user and scope on every database: an index over (group or 0) instead of
NULLS NOT DISTINCT, which SQLite does not enforce (models.W047)."""

import django.db.models.functions.comparison
from django.db import migrations, models


def drop_duplicate_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    """SQLite may hold the same role twice; keep the first grant of each."""
    Role = apps.get_model("registry", "Role")
    first = (
        Role.objects.values("user_id", "kind", "region_code", "group_id")
        .annotate(first=models.Min("id"))
        .values("first")
    )
    Role.objects.exclude(id__in=first).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_merge_conflict")]

    operations = [
        migrations.RemoveConstraint(model_name="role", name="one_role_per_scope"),
        migrations.RunPython(drop_duplicate_roles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="role",
            constraint=models.UniqueConstraint(
                models.F("user"),
                models.F("kind"),
                models.F("region_code"),
                django.db.models.functions.comparison.Coalesce(
                    models.F("group"), models.Value(0)
                ),
                name="one_role_per_scope",
            ),
        ),
    ]
