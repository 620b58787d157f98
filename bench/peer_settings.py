"""Minimal Django settings for the peer (django-import-export) side of bench.import_members.

The database comes from PEER_DATABASE_URL (e.g. postgres://...), else SQLite at
PEER_SQLITE_PATH. Nothing of Kenes is installed: only the plain peer model.
"""

import os

import dj_database_url

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Asia/Almaty"
INSTALLED_APPS = ["bench.peer_app"]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("PEER_DATABASE_URL")
        or "sqlite:///" + os.environ.get("PEER_SQLITE_PATH", "peer.sqlite3")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The same SQLite options as Kenes' settings, so the two write alike.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
