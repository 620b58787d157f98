"""Archives older than KENES_BACKUP_KEEP_DAYS are deleted by the worker, each deletion
audited, and nothing else in the folder is touched (issue 12, retention)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import translation

from kenes.audit import services as audit
from kenes.backup import checks, services

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)


def _archive(folder: Path, made: datetime.datetime, suffix: str = "") -> Path:
    path = folder / f"kenes-backup-{made.strftime('%Y%m%dT%H%M%S')}Z{suffix}.age"
    path.write_bytes(b"age-encryption.org/v1\n")
    return path


@pytest.fixture
def backups(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.KENES_BACKUP_DIR = tmp_path
    settings.KENES_BACKUP_KEEP_DAYS = 30
    settings.KENES_BACKUP_EVERY_HOURS = 0
    return tmp_path


def test_only_archives_older_than_the_kept_days_are_deleted(backups: Path) -> None:
    day = datetime.timedelta(days=1)
    old = [
        _archive(backups, NOW - 31 * day),
        _archive(backups, NOW - 30 * day - datetime.timedelta(seconds=1), "-2"),
        _archive(backups, NOW - 400 * day),
    ]
    kept = [
        _archive(backups, NOW - 30 * day),
        _archive(backups, NOW - 29 * day),
        _archive(backups, NOW),
        _archive(backups, NOW + day),  # a clock set wrong once: not "old"
    ]
    others = [backups / "notes.txt", backups / "kenes-backup-2026.age", backups / "old.age"]
    for path in others:
        path.write_text("not an archive of ours")
    (backups / "kenes-backup-20200101T000000Z.age.d").mkdir()  # a folder is never deleted

    deleted = services.do_prune(acting_user="worker", now=NOW)

    assert sorted(deleted) == sorted(p.name for p in old)
    assert not any(p.exists() for p in old)
    assert all(p.exists() for p in kept + others)
    entries = audit.entries_newest_first("backup.deleted")
    assert sorted(e.target_id for e in entries) == sorted(deleted)
    assert {e.actor for e in entries} == {"worker"}
    assert all(e.detail["days"] == 30 for e in entries)
    assert audit.verify().intact


def test_fewer_kept_days_delete_more(backups: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KENES_BACKUP_KEEP_DAYS = 7
    week_old = _archive(backups, NOW - datetime.timedelta(days=8))
    recent = _archive(backups, NOW - datetime.timedelta(days=6))
    assert services.do_prune(acting_user="worker", now=NOW) == [week_old.name]
    assert recent.exists()


def test_the_worker_applies_retention_and_makes_no_backup_without_recipients(
    backups: Path,
    settings,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    settings.KENES_BACKUP_EVERY_HOURS = 24
    settings.KENES_BACKUP_RECIPIENTS = []
    settings.KENES_CUSTODY_DIR = backups / "custody"
    old = _archive(backups, NOW - datetime.timedelta(days=40))
    # the worker logs in the server's language (Russian); this run is asked for English
    with translation.override("en"):
        services.run_due(now=NOW)
    assert not old.exists()
    assert [p.name for p in backups.iterdir() if p.suffix == ".age"] == []
    assert "Scheduled backup not made: There is nobody to encrypt the backup to" in caplog.text


def test_keeping_backups_longer_than_30_days_fails_the_deploy_check(settings) -> None:  # type: ignore[no-untyped-def]
    settings.KENES_BACKUP_KEEP_DAYS = 45
    assert [m.id for m in checks.check_backup_settings(None)] == ["kenes.E050"]
    settings.KENES_BACKUP_KEEP_DAYS = 30
    assert checks.check_backup_settings(None) == []


def test_the_workers_housekeeping_applies_backup_retention(backups: Path) -> None:
    from kenes.web.management.commands.worker import housekeeping

    old = _archive(backups, datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=31))
    recent = _archive(backups, datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1))
    housekeeping()
    assert not old.exists() and recent.exists()
