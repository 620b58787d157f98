"""The voter roll names no member in the clear: the voter token its personal codes carry
(kenes.participation.voters) and the member id sealed under the field key replace the
member column. Existing rows are converted in the migration's transaction; with custody
set up and the server sealed, it stops with the sealed sentence before writing anything.
"""

from collections import defaultdict

from django.db import migrations, models

import kenes.security.fields


def to_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kenes.participation.voters import voter_tokens

    roll = apps.get_model("ballots", "VoterRoll")
    secret = apps.get_model("audit", "IndexSecret")
    rows = list(roll.objects.values_list("id", "election_id", "member_id"))
    if not rows:
        return  # a fresh database needs no key
    by_election: dict[int, set[int]] = defaultdict(set)
    for _pk, election_id, member_id in rows:
        by_election[election_id].add(member_id)
    # The purpose is Election.purpose: "election:<id>" (kenes.ballots.models).
    tokens = {
        election_id: voter_tokens(f"election:{election_id}", ids, model=secret)
        for election_id, ids in by_election.items()
    }
    changed = [
        roll(pk=pk, voter=tokens[election_id][member_id], sealed_member=str(member_id))
        for pk, election_id, member_id in rows
    ]
    roll.objects.bulk_update(changed, ["voter", "sealed_member"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("ballots", "0005_envelope_key_pair"),
        ("audit", "0005_index_secrets"),
        ("participation", "0004_voter_tokens"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="voterroll", name="on_roll_once"),
        migrations.AddField(
            model_name="voterroll",
            name="voter",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="voterroll",
            name="sealed_member",
            field=kenes.security.fields.SealedTextField(null=True),
        ),
        migrations.RunPython(to_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="voterroll", name="member"),
        migrations.RenameField(model_name="voterroll", old_name="sealed_member", new_name="member"),
        migrations.AlterField(
            model_name="voterroll",
            name="member",
            field=kenes.security.fields.SealedTextField(),
        ),
        migrations.AddConstraint(
            model_name="voterroll",
            constraint=models.UniqueConstraint(fields=("election", "voter"), name="on_roll_once"),
        ),
    ]
