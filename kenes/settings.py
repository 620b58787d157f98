"""Kenes settings: one module, configured by environment variables.

KENES_ENV            production (default) | development. Development serves plain
                     HTTP on localhost and generates missing secrets under var/.
KENES_SECRET_KEY     Django's secret key (required in production).
KENES_FIELD_KEYS     comma-separated encryption keys for personal data, newest
                     first; each is 32 random bytes in urlsafe base64
                     (`kenes keygen` prints one). Required in production.
DATABASE_URL         default: SQLite at $KENES_VAR_DIR/kenes.sqlite3.
KENES_VAR_DIR        where local state lives (default: ./var).
KENES_ALLOWED_HOSTS  comma-separated host names (production).
KENES_BEHIND_PROXY   1 if a TLS-terminating proxy sets X-Forwarded-Proto and appends the
                     client's address to X-Forwarded-For (kenes.security.addresses).
KENES_TASKS          database (default) | immediate (run background work inline).
KENES_TWO_STEP       required (default in production) | optional (default in development):
                     whether every officer must turn two-step login on before using Kenes.
KENES_DB_PREPARE     1 (default) | 0: the voters' statements prepared on PostgreSQL
                     (read by kenes/db.py).
KENES_CUSTODY_DIR    where the wrapped field keys live once trustees hold the keys
                     (`kenes custody init`; default: $KENES_VAR_DIR/custody). While its
                     keys.json exists, the field keys come from the key holder, not from
                     KENES_FIELD_KEYS.
KENES_KEYHOLDER_SOCKET  the key holder's unix socket (default: $KENES_VAR_DIR/run/keyholder.sock).
KENES_UNSEAL_WINDOW_SECONDS  how long shares entered on the custody page wait for the
                     others before they are forgotten (default 900: 15 minutes).
KENES_SERVICE_KEY    32 random bytes in urlsafe base64 (`kenes keygen`), NOT in custody: keys
                     the indexes that must work while sealed (personal codes, ballot slots,
                     the wrong-code throttle). Required in production (`check --deploy`).
KENES_AUDIT_RECEIPT_HOURS  how often the worker signs an audit receipt (default 24; 0: never).
KENES_BACKUP_DIR     where `kenes backup` and the worker put encrypted archives (default:
                     $KENES_VAR_DIR/backups); retention applies to this folder (docs/backup.md).
KENES_BACKUP_RECIPIENTS  comma-separated age public keys (age1...) that backups are encrypted
                     to, besides those in $KENES_CUSTODY_DIR/backup-recipients.json.
KENES_BACKUP_KEEP_DAYS   archives older than this are deleted by the worker (default 30).
KENES_BACKUP_EVERY_HOURS the worker makes a backup this often (default 0: only `kenes backup`).
KENES_ONION_HOST     this process serves the Tor onion service of that name (v3, 56 letters
                     and digits + ".onion") and nothing else: plain HTTP from the local Tor
                     daemon, no HTTPS redirect or HSTS (docs/tor.md).
KENES_ONION_LOCATION on the public HTTPS site: the onion address Tor Browser is offered
                     (an Onion-Location header, e.g. http://....onion).
"""

import base64
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KENES_VAR_DIR", "var")).resolve()
KENES_ENV = os.environ.get("KENES_ENV", "production")
if KENES_ENV not in {"production", "development"}:
    raise SystemExit(f"KENES_ENV must be 'production' or 'development', not {KENES_ENV!r}.")
PRODUCTION = KENES_ENV == "production"
KENES_TWO_STEP = os.environ.get("KENES_TWO_STEP", "required" if PRODUCTION else "optional")
if KENES_TWO_STEP not in {"required", "optional"}:
    raise SystemExit(f"KENES_TWO_STEP must be 'required' or 'optional', not {KENES_TWO_STEP!r}.")
DEBUG = os.environ.get("KENES_DEBUG", "0") == "1" and not PRODUCTION
KENES_CUSTODY_DIR = Path(os.environ.get("KENES_CUSTODY_DIR", VAR_DIR / "custody")).resolve()
KENES_KEYHOLDER_SOCKET = Path(
    os.environ.get("KENES_KEYHOLDER_SOCKET", VAR_DIR / "run" / "keyholder.sock")
).resolve()
#: How long the key holder keeps trustees' shares entered on the custody page before k are in.
KENES_UNSEAL_WINDOW_SECONDS = float(os.environ.get("KENES_UNSEAL_WINDOW_SECONDS", "900"))
_CUSTODY_SET_UP = (KENES_CUSTODY_DIR / "keys.json").exists()


def _local_secret(name: str, make: str) -> str:
    """Read a development secret from var/, creating it (with a warning) the first time."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_text(make + "\n")
        path.chmod(0o600)
        print(
            f"WARNING: generated a development secret in {path}. Anyone who can read this "
            "file can read the personal data it protects; in production set it in the "
            "environment instead.",
            file=sys.stderr,
        )
    return path.read_text().strip()


def _new_field_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


if PRODUCTION:
    SECRET_KEY = os.environ.get("KENES_SECRET_KEY", "")
    KENES_FIELD_KEYS = [k for k in os.environ.get("KENES_FIELD_KEYS", "").split(",") if k]
else:
    SECRET_KEY = os.environ.get("KENES_SECRET_KEY") or _local_secret(
        "secret_key", secrets.token_urlsafe(50)
    )
    KENES_FIELD_KEYS = [
        k
        for k in (
            os.environ.get("KENES_FIELD_KEYS")
            # under custody the key holder serves the keys: no key file is made
            or ("" if _CUSTODY_SET_UP else _local_secret("field_keys", _new_field_key()))
        ).split(",")
        if k
    ]
KENES_SERVICE_KEY = os.environ.get("KENES_SERVICE_KEY", "") or (
    "" if PRODUCTION else _local_secret("service_key", _new_field_key())
)
if not SECRET_KEY:
    # Commands that only compute (members check, tally, ...) must work without
    # configuration; the system check kenes.E001 stops everything that serves.
    SECRET_KEY = "unset-" + secrets.token_urlsafe(50)
    KENES_SECRET_KEY_MISSING = True
else:
    KENES_SECRET_KEY_MISSING = False

ALLOWED_HOSTS = [
    h
    for h in os.environ.get(
        "KENES_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost"
    ).split(",")
    if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "kenes.twostep",
    "django_tasks",
    "django_tasks_db",
    "kenes.audit",
    "kenes.registry",
    "kenes.participation",
    "kenes.ballots",
    "kenes.agenda",
    "kenes.parliament",
    "kenes.congress",
    "kenes.web",
    "kenes.core_commands",
    "kenes.custody",
    "kenes.retention",
    "kenes.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kenes.web.middleware.PasswordChangeRequiredMiddleware",
    "kenes.web.middleware.TwoStepRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kenes.web.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "kenes.web.sealed.SealedMiddleware",
]

ROOT_URLCONF = "kenes.urls"
WSGI_APPLICATION = "kenes.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kenes.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kenes.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, creating the file 0600 in a 0700 folder (kenes/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "kenes.sqlite"
    # IMMEDIATE transactions serialise writers up front instead of failing
    # half-way with "database is locked"; the audit chain relies on it.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # seconds a writer waits for the lock before "database is locked"
        "timeout": float(os.environ.get("KENES_SQLITE_TIMEOUT", "30")),
        # secure_delete zeroes what is deleted or replaced (sealed envelopes, a vote's key);
        # journal_size_limit=0 truncates the log each time it restarts, so no stale frames
        # of earlier commits stay behind (docs/ballots-threat-model.md).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON; "
            "PRAGMA journal_size_limit=0;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
OTP_TOTP_ISSUER = "Kenes"
# Passkeys and security keys (kenes.web.twostep): a second step after the password, never
# passwordless; the relying party and the origin are the request's own (a host that
# ALLOWED_HOSTS accepted), the setting below only satisfies django-otp-webauthn's checks.
OTP_WEBAUTHN_RP_NAME = "Kenes"
OTP_WEBAUTHN_RP_ID_CALLABLE = "kenes.web.twostep.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "kenes.web.twostep.PasskeyHelper"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{h.lstrip('.')}" for h in ALLOWED_HOSTS if h != "*"] or [
    "https://localhost"
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Behind our own proxy the client is the hop it appended to X-Forwarded-For
# (kenes.security.addresses); lockout and the code throttle both key on that address.
KENES_PROXY_COUNT = 1 if os.environ.get("KENES_BEHIND_PROXY") == "1" else 0

# Lockout (kenes.web.lockout): five failures lock the login name from that address for 30
# minutes, never from elsewhere; a name under attack from many addresses gets fewer tries
# per address.
AXES_FAILURE_LIMIT = int(os.environ.get("KENES_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries while locked are refused without counting: the lock ends 30 minutes after the
# last counted failure, as the page says, however often the officer retries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "kenes.security.addresses.client_address"
AXES_HANDLER = "kenes.web.lockout.LockoutHandler"
AXES_VERBOSE = False

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kenes.web.formats"]  # Kazakh number formats (Django ships none)
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KENES_AUDIT_RECEIPT_HOURS = float(os.environ.get("KENES_AUDIT_RECEIPT_HOURS", "24"))
KENES_BACKUP_DIR = Path(os.environ.get("KENES_BACKUP_DIR", VAR_DIR / "backups")).resolve()
KENES_BACKUP_RECIPIENTS = [
    r.strip() for r in os.environ.get("KENES_BACKUP_RECIPIENTS", "").split(",") if r.strip()
]
KENES_BACKUP_KEEP_DAYS = float(os.environ.get("KENES_BACKUP_KEEP_DAYS", "30"))
KENES_BACKUP_EVERY_HOURS = float(os.environ.get("KENES_BACKUP_EVERY_HOURS", "0"))
KENES_MAX_UPLOAD_BYTES = int(os.environ.get("KENES_MAX_UPLOAD_MB", "64")) * 1024 * 1024
# What reading one member list may cost (defaults in kenes.core.roster.limits; docs/security.md)
# and how long an import may go without a heartbeat before it is taken as lost.
for _bound in (
    "KENES_UPLOAD_MAX_CELLS",
    "KENES_UPLOAD_MAX_CELL_CHARS",
    "KENES_UPLOAD_MAX_UNPACKED_MB",
    "KENES_UPLOAD_MAX_EXPANSION",
    "KENES_IMPORT_LEASE_SECONDS",
):
    if os.environ.get(_bound):
        globals()[_bound] = int(os.environ[_bound])

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("KENES_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# Security headers. Production assumes HTTPS (directly or behind a proxy).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if os.environ.get("KENES_BEHIND_PROXY") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]

# A Tor onion service (docs/tor.md). The Tor daemon on this machine forwards each
# connection to a Kenes process of its own, over plain HTTP: the onion address itself
# authenticates the server and Tor encrypts end to end, so HTTPS would add a certificate
# that names the site and nothing else. That process answers to the onion name only, so
# nothing it serves can be reached without Tor. Cookies stay Secure: Tor Browser treats
# .onion as a secure context.
KENES_ONION_HOST = os.environ.get("KENES_ONION_HOST", "").strip().lower()
KENES_ONION_LOCATION = os.environ.get("KENES_ONION_LOCATION", "").strip()
if PRODUCTION and KENES_ONION_HOST:
    ALLOWED_HOSTS = [KENES_ONION_HOST]
    CSRF_TRUSTED_ORIGINS = [f"http://{KENES_ONION_HOST}"]
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    SECURE_HSTS_PRELOAD = False
    SECURE_PROXY_SSL_HEADER = None
    # Django's warnings that HTTPS is not redirected to and HSTS is off: over an onion
    # service there is no HTTPS to redirect to (kenes.E011 checks the name instead).
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
