"""Production settings: `kenes check --deploy` is clean, and missing secrets stop the server."""

from __future__ import annotations

import secrets

from tests.registry.test_commands import kenes


def _production(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        "KENES_ENV": "production",
        "KENES_SECRET_KEY": secrets.token_urlsafe(60),
        "KENES_FIELD_KEYS": kenes("keygen").stdout.strip(),
        "KENES_ALLOWED_HOSTS": "kenes.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "KENES_VAR_DIR": str(tmp_path / "var"),
    }
    env.update(extra)
    return env


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    done = kenes("check", "--deploy", "--fail-level", "WARNING", env=_production(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_production_without_secrets_refuses_to_start_and_says_why(tmp_path):
    env = _production(tmp_path, KENES_SECRET_KEY="", KENES_FIELD_KEYS="")
    done = kenes("migrate", env=env)
    assert done.returncode != 0
    assert "KENES_SECRET_KEY" in done.stderr and "KENES_FIELD_KEYS" in done.stderr
    assert not (tmp_path / "var").exists(), "production must not generate secrets on disk"


def test_a_malformed_field_key_is_reported_clearly(tmp_path):
    done = kenes("check", env=_production(tmp_path, KENES_FIELD_KEYS="not-a-key"))
    assert done.returncode != 0 and "kenes keygen" in done.stderr
