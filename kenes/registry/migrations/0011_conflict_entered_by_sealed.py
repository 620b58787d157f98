"""Who typed a merge conflict's entry is sealed (a username under the field key): the
officer's account beside the member id told the group that `group_ref` seals.

Existing conflicts are converted in the migration's transaction; with custody set up and
the server sealed, it stops with the sealed sentence before writing anything.
"""

from django.db import migrations

import kenes.security.fields
from kenes.security.keys import current_key


def seal_entered_by(apps, schema_editor):  # type: ignore[no-untyped-def]
    conflict = apps.get_model("registry", "MergeConflict")
    user = apps.get_model("auth", "User")
    rows = list(conflict.objects.exclude(entered_by__isnull=True).values_list("pk", "entered_by"))
    if not rows:
        return  # nothing to seal: no key needed
    current_key()  # Sealed here, with nothing written
    names = dict(user.objects.values_list("pk", "username"))
    conflict.objects.bulk_update(
        [conflict(pk=pk, entered_by_name=names.get(user_id)) for pk, user_id in rows],
        ["entered_by_name"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_sealed_memberships"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="mergeconflict",
            name="entered_by_name",
            field=kenes.security.fields.SealedTextField(blank=True, null=True),
        ),
        migrations.RunPython(seal_entered_by, migrations.RunPython.noop),
        migrations.RemoveField(model_name="mergeconflict", name="entered_by"),
        migrations.RenameField(
            model_name="mergeconflict", old_name="entered_by_name", new_name="entered_by"
        ),
    ]
