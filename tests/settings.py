"""Test settings: Kenes' own settings module, with a fresh key and a throwaway database.

With KENES_TEST_DB=postgres the test run starts a real PostgreSQL server
(tests/pgserver.py) and points DATABASE_URL at it.
"""

import os
import tempfile

os.environ.setdefault("KENES_ENV", "development")
os.environ.setdefault("KENES_VAR_DIR", tempfile.mkdtemp(prefix="kenes-test-var-"))
os.environ.setdefault("KENES_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("KENES_FIELD_KEYS", "q8yG0Gkz2i0n8cR3rE6h5xq9Zl7m2Y4a1S3d5F7g9H0=")
os.environ.setdefault("KENES_TASKS", "immediate")
if os.environ.get("KENES_TEST_DB") == "postgres":
    from tests.pgserver import ensure_server

    os.environ["DATABASE_URL"] = ensure_server()

from kenes.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
