"""Who backups are encrypted to: only valid age public keys, each once, every change audited."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from kenes.audit import services as audit
from kenes.backup import recipients
from kenes.backup.errors import BackupProblem

pytestmark = pytest.mark.django_db


@pytest.fixture
def custody_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KENES_CUSTODY_DIR = tmp_path / "custody"
    settings.KENES_BACKUP_RECIPIENTS = []
    return settings.KENES_CUSTODY_DIR


def _key() -> str:
    import pyrage

    return str(pyrage.x25519.Identity.generate().to_public())


def test_adding_and_removing_recipients_is_audited_and_kept_in_custody(custody_dir) -> None:  # type: ignore[no-untyped-def]
    first, second = _key(), _key()
    recipients.do_add_recipient("aigerim", first, acting_user="admin")
    recipients.do_add_recipient("bolat", second, acting_user="admin")
    assert [(r.name, r.public_key) for r in recipients.all_recipients()] == [
        ("aigerim", first),
        ("bolat", second),
    ]
    path = custody_dir / "backup-recipients.json"
    assert path.stat().st_mode & 0o777 == 0o600
    recipients.do_remove_recipient("aigerim", acting_user="admin")
    assert [r.name for r in recipients.all_recipients()] == ["bolat"]
    actions = [(e.action, e.target_id) for e in audit.entries_newest_first("backup.")]
    assert actions == [
        ("backup.recipient_remove", "aigerim"),
        ("backup.recipient_add", "bolat"),
        ("backup.recipient_add", "aigerim"),
    ]


@pytest.mark.parametrize(
    "name, key, said",
    [
        ("aigerim", "age1notakey", "is not an age public key"),
        ("aigerim", "AGE-SECRET-KEY-1QQQ", "is not an age public key"),
        ("two words", None, "1 to 64 letters"),
        ("bolat", "same", "already a recipient"),
        ("first", None, "already exists"),
    ],
)
def test_a_bad_recipient_is_refused_and_changes_nothing(custody_dir, name, key, said) -> None:  # type: ignore[no-untyped-def]
    existing = _key()
    recipients.do_add_recipient("first", existing, acting_user="admin")
    path = custody_dir / "backup-recipients.json"
    before = path.read_bytes()
    key = existing if key == "same" else (key or _key())
    with override("en"), pytest.raises(BackupProblem, match=said):
        recipients.do_add_recipient(name, key, acting_user="admin")
    assert path.read_bytes() == before
    assert len(audit.entries_newest_first("backup.")) == 1


def test_removing_a_recipient_nobody_added_changes_nothing(custody_dir) -> None:  # type: ignore[no-untyped-def]
    with override("en"), pytest.raises(BackupProblem, match="no recipient named ghost"):
        recipients.do_remove_recipient("ghost", acting_user="admin")
    assert not (custody_dir / "backup-recipients.json").exists()
