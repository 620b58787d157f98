"""Personal codes name no member in the clear: a voter token (a keyed hash of purpose and
member id under a sealed secret, kenes.participation.voters) and the member id sealed
under the field key replace the member column; the member's region is copied for what
needs it while sealed.

Existing codes are converted in the migration's transaction. With custody set up and the
server sealed, the migration stops with the sealed sentence before writing anything: run
it once the trustees have unsealed.
"""

from collections import defaultdict

from django.db import migrations, models

import kenes.security.fields


def to_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kenes.participation.voters import voter_tokens

    code = apps.get_model("participation", "PersonalCode")
    secret = apps.get_model("audit", "IndexSecret")
    rows = list(code.objects.values_list("id", "purpose", "member_id"))
    if not rows:
        return  # a fresh database needs no key
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, region_code FROM registry_member")
        regions = dict(cursor.fetchall())
    by_purpose: dict[str, set[int]] = defaultdict(set)
    for _pk, purpose, member_id in rows:
        by_purpose[purpose].add(member_id)
    tokens = {
        purpose: voter_tokens(purpose, ids, model=secret) for purpose, ids in by_purpose.items()
    }
    changed = [
        code(
            pk=pk,
            voter=tokens[purpose][member_id],
            sealed_member=str(member_id),
            region_code=regions.get(member_id, ""),
        )
        for pk, purpose, member_id in rows
    ]
    code.objects.bulk_update(changed, ["voter", "sealed_member", "region_code"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0003_correction_request"),
        ("audit", "0005_index_secrets"),
        ("registry", "0010_sealed_memberships"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="personalcode", name="one_live_code_per_member_and_purpose"
        ),
        migrations.AddField(
            model_name="personalcode",
            name="voter",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="personalcode",
            name="region_code",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        migrations.AddField(
            model_name="personalcode",
            name="sealed_member",
            field=kenes.security.fields.SealedTextField(null=True),
        ),
        migrations.RunPython(to_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="personalcode", name="member"),
        migrations.RenameField(
            model_name="personalcode", old_name="sealed_member", new_name="member"
        ),
        migrations.AlterField(
            model_name="personalcode",
            name="member",
            field=kenes.security.fields.SealedTextField(),
        ),
        migrations.AddIndex(
            model_name="personalcode",
            index=models.Index(fields=["voter"], name="personal_code_voter"),
        ),
        migrations.AddConstraint(
            model_name="personalcode",
            constraint=models.UniqueConstraint(
                condition=models.Q(revoked_at__isnull=True),
                fields=("purpose", "voter"),
                name="one_live_code_per_voter_and_purpose",
            ),
        ),
    ]
