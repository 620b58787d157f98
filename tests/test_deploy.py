"""Production settings: `kenes check --deploy` is clean, names every weakening setting,
and missing secrets stop the server."""

from __future__ import annotations

import secrets

from tests.registry.test_commands import kenes


def _production(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        "KENES_ENV": "production",
        "KENES_SECRET_KEY": secrets.token_urlsafe(60),
        "KENES_FIELD_KEYS": kenes("keygen").stdout.strip(),
        "KENES_SERVICE_KEY": kenes("keygen").stdout.strip(),
        "KENES_ALLOWED_HOSTS": "kenes.example.org",
        # Checks never connect: the address of a PostgreSQL server is enough.
        "DATABASE_URL": "postgres://kenes@127.0.0.1:5432/kenes",
        "KENES_VAR_DIR": str(tmp_path / "var"),
    }
    env.update(extra)
    return env


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    done = kenes("check", "--deploy", "--fail-level", "WARNING", env=_production(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_requires_the_service_key(tmp_path):
    done = kenes("check", "--deploy", env=_production(tmp_path, KENES_SERVICE_KEY=""))
    assert done.returncode != 0
    assert "kenes.E030" in done.stderr and "KENES_SERVICE_KEY" in done.stderr


def test_production_without_secrets_refuses_to_start_and_says_why(tmp_path):
    env = _production(tmp_path, KENES_SECRET_KEY="", KENES_FIELD_KEYS="")
    done = kenes("migrate", env=env)
    assert done.returncode != 0
    assert "KENES_SECRET_KEY" in done.stderr and "KENES_FIELD_KEYS" in done.stderr
    assert not (tmp_path / "var").exists(), "production must not generate secrets on disk"


def test_a_malformed_field_key_is_reported_clearly(tmp_path):
    done = kenes("check", env=_production(tmp_path, KENES_FIELD_KEYS="not-a-key"))
    assert done.returncode != 0 and "kenes keygen" in done.stderr


def _deploy_findings(tmp_path, **extra: str) -> tuple[int, str]:
    done = kenes("check", "--deploy", "--fail-level", "WARNING", env=_production(tmp_path, **extra))
    return done.returncode, done.stdout + done.stderr


def test_check_deploy_warns_when_two_step_login_is_optional(tmp_path):
    code, text = _deploy_findings(tmp_path, KENES_TWO_STEP="optional")
    assert code != 0 and "kenes.W010" in text and "KENES_TWO_STEP" in text


def test_check_deploy_refuses_any_host(tmp_path):
    code, text = _deploy_findings(tmp_path, KENES_ALLOWED_HOSTS="*")
    assert code != 0 and "kenes.E010" in text
    plain = kenes("check", "--deploy", env=_production(tmp_path, KENES_ALLOWED_HOSTS="*"))
    assert plain.returncode != 0  # an error, not only a warning


def test_check_deploy_warns_about_sqlite_in_production(tmp_path):
    code, text = _deploy_findings(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert code != 0 and "kenes.W011" in text and "PostgreSQL" in text


def test_development_settings_are_not_held_to_production_rules(tmp_path):
    env = _production(
        tmp_path,
        KENES_ENV="development",
        KENES_TWO_STEP="optional",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    done = kenes("check", "--deploy", env=env)
    text = done.stdout + done.stderr
    assert "kenes.W010" not in text and "kenes.W011" not in text
