from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_role_scope")]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
