"""Group memberships are sealed: each group's member ids go into one sealed roster
(kenes.registry.rosters, docs/security.md "Group memberships: sealed rosters"), and the
membership table, with its member id beside a group id, is dropped. A merge conflict's
group is sealed too.

Existing memberships are sealed under the newest field key in the migration's
transaction. With custody set up and the server sealed, the migration stops with the
sealed sentence before writing anything: run it once the trustees have unsealed.
"""

import django.db.models.deletion
from django.db import migrations, models

import kenes.security.fields
from kenes.security.keys import current_key
from kenes.security.sealing import open_sealed, seal


def seal_memberships(apps, schema_editor):  # type: ignore[no-untyped-def]
    from kenes.registry.rosters import Roster, seal_roster

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    memberships = quote("registry_membership")
    conflicts = quote("registry_mergeconflict")
    rosters = quote("registry_grouproster")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT member_id, group_id, keeps_record, entered FROM {memberships}"  # noqa: S608
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT id, group_id FROM {conflicts}")  # noqa: S608
        waiting = cursor.fetchall()
        if not rows and not waiting:
            return  # a fresh database needs no key
        key = current_key()  # Sealed (a sentence): nothing written, the migration fails
        by_group: dict[int, Roster] = {}
        for member_id, group_id, keeps_record, entered in rows:
            roster = by_group.setdefault(group_id, Roster(group_id))
            roster.ids.add(member_id)
            if not keeps_record:
                roster.joined[member_id] = open_sealed(entered) if entered else None
        cursor.executemany(
            f"INSERT INTO {rosters} (group_id, sealed, size) VALUES (%s, %s, %s)",  # noqa: S608
            [(gid, seal_roster(r, key=key), len(r.ids)) for gid, r in by_group.items()],
        )
        cursor.executemany(
            f"UPDATE {conflicts} SET group_ref = %s WHERE id = %s",  # noqa: S608
            [(seal(str(group_id), key=key), pk) for pk, group_id in waiting],
        )


def unseal_memberships(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to a membership table (needs the key, like the way forward)."""
    from kenes.registry.rosters import _parse

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    memberships = quote("registry_membership")
    conflicts = quote("registry_mergeconflict")
    rosters = quote("registry_grouproster")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT group_id, sealed FROM {rosters}")  # noqa: S608
        found = cursor.fetchall()
        cursor.execute(f"SELECT id, group_ref FROM {conflicts}")  # noqa: S608
        waiting = cursor.fetchall()
        if not found and not waiting:
            return
        key = current_key()
        rows = []
        for group_id, sealed in found:
            roster = _parse(group_id, sealed)
            for member_id in sorted(roster.ids):
                entered = roster.joined.get(member_id)
                rows.append(
                    (
                        member_id,
                        group_id,
                        member_id not in roster.joined,
                        seal(entered, key=key) if entered else None,
                    )
                )
        cursor.executemany(
            f"INSERT INTO {memberships} (member_id, group_id, keeps_record, entered)"  # noqa: S608
            " VALUES (%s, %s, %s, %s)",
            rows,
        )
        cursor.executemany(
            f"UPDATE {conflicts} SET group_id = %s WHERE id = %s",  # noqa: S608
            [(int(open_sealed(ref)), pk) for pk, ref in waiting],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_bulk_read_requests"),
    ]

    operations = [
        migrations.CreateModel(
            name="GroupRoster",
            fields=[
                (
                    "group",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="roster",
                        serialize=False,
                        to="registry.constituentgroup",
                    ),
                ),
                ("sealed", models.TextField(default="")),
                ("size", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="GroupStanding",
            fields=[
                (
                    "group",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="registry.constituentgroup",
                    ),
                ),
                ("members", models.PositiveIntegerField(default=0)),
                ("counted_on", models.DateField()),
            ],
        ),
        migrations.AddField(
            model_name="mergeconflict",
            name="group_ref",
            field=kenes.security.fields.SealedTextField(null=True),
        ),
        migrations.RunPython(seal_memberships, unseal_memberships),
        migrations.AlterField(
            model_name="mergeconflict",
            name="group_ref",
            field=kenes.security.fields.SealedTextField(),
        ),
        migrations.RemoveField(model_name="mergeconflict", name="group"),
        migrations.RemoveField(model_name="member", name="groups"),
        migrations.DeleteModel(name="Membership"),
    ]
