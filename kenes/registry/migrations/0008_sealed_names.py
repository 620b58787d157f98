"""Members' names are sealed like their IIN, and found through a blind index of name parts
(kenes.registry.names, docs/security.md "Names: sealed, searched by blind index").

Existing names are sealed under the newest field key and their tokens written in the
migration's transaction. With custody set up and the server sealed, the migration stops
with the sealed sentence before writing anything: run it once the trustees have unsealed.
"""

import django.db.models.deletion
from django.db import migrations, models

import kenes.security.fields
from kenes.registry.names import name_tokens
from kenes.security.keys import current_key
from kenes.security.sealing import PREFIX, open_sealed, seal

CHUNK = 2000


def _is_sealed(value: str) -> bool:
    return value.startswith(PREFIX + "$")


def seal_names(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    table = connection.ops.quote_name("registry_member")
    tokens_table = connection.ops.quote_name("registry_membernametoken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        if not cursor.fetchone()[0]:
            return  # a fresh database needs no key
        key = current_key()  # Sealed (a sentence): nothing written, the migration fails
        cursor.execute(f"SELECT id, full_name FROM {table} ORDER BY id")  # noqa: S608
        rows = [(pk, name) for pk, name in cursor.fetchall() if not _is_sealed(name or "")]
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.executemany(
                f"UPDATE {table} SET full_name = %s WHERE id = %s",  # noqa: S608
                [(seal(name, key=key), pk) for pk, name in chunk],
            )
            cursor.executemany(
                f"INSERT INTO {tokens_table} (member_id, token) VALUES (%s, %s)",  # noqa: S608
                [(pk, t) for pk, name in chunk for t in sorted(name_tokens(name, key))],
            )


def open_names(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to names in the clear (needs the key, like sealing)."""
    connection = schema_editor.connection
    table = connection.ops.quote_name("registry_member")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, full_name FROM {table} ORDER BY id")  # noqa: S608
        rows = [(pk, name) for pk, name in cursor.fetchall() if _is_sealed(name or "")]
        cursor.executemany(
            f"UPDATE {table} SET full_name = %s WHERE id = %s",  # noqa: S608
            [(open_sealed(name), pk) for pk, name in rows],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_trustee_role"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="member",
            options={
                "ordering": ["id"],
                "verbose_name": "member",
                "verbose_name_plural": "members",
            },
        ),
        migrations.CreateModel(
            name="MemberNameToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField()),
                (
                    "member",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registry.member",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["token", "member"], name="name_token_member")],
            },
        ),
        # A plain text column first (no index, no length limit: a sealed name is longer
        # than the name), then the names sealed, then the field that seals and opens them.
        migrations.AlterField(
            model_name="member",
            name="full_name",
            field=models.TextField(verbose_name="full name"),
        ),
        migrations.RunPython(seal_names, open_names),
        migrations.AlterField(
            model_name="member",
            name="full_name",
            field=kenes.security.fields.SealedTextField(verbose_name="full name"),
        ),
    ]
