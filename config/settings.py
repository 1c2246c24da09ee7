"""Sorority settings: the only settings module, configured from the environment.

Every variable read here is listed in `.env.example`. The embedded default (SQLite,
in-memory cache and channel layer, local files, console e-mail) needs nothing running.
"""

import contextlib
import ipaddress
import secrets
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sorority.verification.crypto import parse_keyring

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")  # local development only; production uses real env

# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
DEMO_MODE = env.bool("SORORITY_DEMO", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = secrets.token_urlsafe(50)
    warnings.warn("DJANGO_SECRET_KEY is not set: using a random one.", stacklevel=1)

# Key rotation: the previous keys, still accepted for signatures (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])


def _keyring(name: str) -> dict[int, bytes]:
    """Read a versioned key list such as `1:<base64>,2:<base64>` (32-byte keys)."""
    raw = env.str(name, default="")
    if raw.strip():
        try:
            return parse_keyring(raw)
        except ValueError as exc:  # the message never carries key material
            raise ImproperlyConfigured(f"{name}: {exc}") from exc
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    # Development only: a key that lives as long as the process. Documents encrypted
    # with it become unreadable after a restart (`make run` writes real keys to .env).
    warnings.warn(f"{name} is not set: using an ephemeral key.", stacklevel=1)
    return {1: secrets.token_bytes(32)}


# Keys of the encrypted backups, same form; optional (docs/operations.md, "Backups and
# restore"). Never stored inside a backup.
BACKUP_KEYS = (
    parse_keyring(env.str("BACKUP_KEYS"))
    if env.str("BACKUP_KEYS", default="").strip()
    else {}
)
BACKUP_TARGET = (
    env.str("BACKUP_TARGET", default="") or f"file://{BASE_DIR / 'var' / 'backups'}"
)
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=30)

# Key-encryption keys of the document vault: held outside the database (docs/security.md §16).
VAULT_MASTER_KEYS = _keyring("VAULT_MASTER_KEYS")
# Keys of the identity fingerprints (ban list, abuser flags) (docs/security.md §24).
IDENTITY_TAG_KEYS = _keyring("IDENTITY_TAG_KEYS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "allauth.usersessions",
    # Sorority apps, lowest first: the later ones build on the earlier ones.
    "sorority.core",
    "sorority.accounts",
    "sorority.safety",
    "sorority.places",
    "sorority.verification",
    "sorority.chat",
    "sorority.moderation",
    "sorority.privacy",
    "sorority.associations",
]

MIDDLEWARE = [
    "sorority.core.logs.RequestIdMiddleware",  # outermost: every line has the id
    "django.middleware.security.SecurityMiddleware",
    "sorority.core.middleware.ApiErrorEnvelopeMiddleware",
    "sorority.core.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sorority.core.middleware.FrenchByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sorority.core.middleware.PositionFreeUrlMiddleware",
    "sorority.core.middleware.CsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sorority.privacy.middleware.ModeratorIdleTimeoutMiddleware",
    "sorority.privacy.middleware.DiscreetCookieMiddleware",
    "sorority.core.middleware.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sorority.core.middleware.PostOnlyGetMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "sorority.core.middleware.PrivacyHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sorority" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "sorority.core.context_processors.site",
                "sorority.safety.context_processors.hotlines",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Data: database, cache, channel layer, tasks, storage
# ---------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="") or (
    f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# Persistent connections: the default 0 made a one-row request several times slower.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # transactions belong to services
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # Redis Pub/Sub channels ignore the database number: two instances (or two test
    # runs) sharing one Redis server would hear each other's `user.<id>` groups. The
    # prefix keeps them apart; by default it follows the database number in the URL.
    _redis_db = urlsplit(REDIS_URL).path.strip("/") or "0"
    REDIS_CHANNEL_LAYER = {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": env.str("CHANNEL_LAYER_PREFIX", default="")
            or f"sorority{_redis_db}",
        },
    }
    CHANNEL_LAYERS = {"default": REDIS_CHANNEL_LAYER}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work (docs/architecture.md, "Processes and tasks"). The immediate backend
# runs each task right after the commit in the process that queued it (`make run`,
# tests); production sets the database backend, run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
# `manage.py run_scheduler` looks for due job slots this often.
SCHEDULER_TICK_SECONDS = env.int("SCHEDULER_TICK_SECONDS", default=5)
# The scheduler queues a heartbeat task this often; the worker's run of it is its pulse.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
# /readyz fails when the worker's or the scheduler's last heartbeat is older than this.
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=180)
# /readyz keeps its migrations and keys checks this long (it may be probed every second).
READYZ_CACHE_SECONDS = env.int("READYZ_CACHE_SECONDS", default=10)
# A task still "running" after this many minutes lost its worker (killed): run it again.
TASK_RUNNING_TIMEOUT_MINUTES = env.int("TASK_RUNNING_TIMEOUT_MINUTES", default=30)
# Finished task rows (their arguments are ids) are deleted after this many hours.
TASK_RESULTS_RETENTION_HOURS = env.int("TASK_RESULTS_RETENTION_HOURS", default=48)

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or str(BASE_DIR / "var" / "media"))
VAULT_ROOT = Path(env.str("VAULT_ROOT", default="") or str(BASE_DIR / "var" / "vault"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Encrypted verification documents only; never served by a URL.
    "vault": {
        "BACKEND": env.str(
            "VAULT_STORAGE_BACKEND",
            default="sorority.verification.storage.VaultFileSystemStorage",
        ),
        "OPTIONS": {"location": str(VAULT_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_URL = "/static/"
# `collectstatic` writes here; in production the reverse proxy serves this folder
# (deploy/Caddyfile) and whitenoise is only the fallback.
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default="") or str(BASE_DIR / "var" / "static"))
# whitenoise warns about a missing folder; a read-only code tree may refuse to make it.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "sorority" / "static"]
WHITENOISE_USE_FINDERS = DEBUG

# Uploads stay in memory: no plaintext document ever touches a temp file (docs/security.md §14).
SILENCED_SYSTEM_CHECKS = [
    # sorority.core.middleware.CsrfMiddleware *is* CsrfViewMiddleware (a subclass that
    # understands `Origin: null` under no-referrer); the check only looks for the name.
    "security.W003",
]

FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024 + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# ---------------------------------------------------------------------------
# Accounts: django-allauth, MFA, headless
# ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:landing"

ACCOUNT_ADAPTER = "sorority.accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "sorority.accounts.adapter.user_display"
ACCOUNT_SIGNUP_FORM_CLASS = "sorority.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failed passwords for her address lock the *password* door for 5 minutes (5/5m/key),
# whoever typed them. The e-mailed sign-in code and her passkey stay open: a code
# request is limited per IP only, never per address, so someone else's requests cannot
# use up hers (docs/security.md, "Targeted lock-out").
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3  # per code, in the session that asked for it
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "5/m/ip,20/h/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TRUST_ENABLED = False
MFA_TOTP_ISSUER = "Sorority"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Moderators must hold a phishing-resistant second factor (docs/security.md §33). TOTP is
# accepted only where this setting allows it (the demo, so that its moderator can log in).
MODERATOR_ALLOW_TOTP = env.bool("MODERATOR_ALLOW_TOTP", default=False)

HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False
HEADLESS_SERVE_SPECIFICATION = True

AXES_FAILURE_LIMIT = 5
AXES_ONLY_ADMIN_SITE = True
AXES_WHITELIST_CALLABLE = "sorority.core.security.axes_ignores_non_admin"
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_TIME = 1  # hours
# The client's address behind the proxy, as allauth resolves it (docs/operations.md).
AXES_CLIENT_IP_CALLABLE = "sorority.core.security.client_ip"

ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

# Database sessions whose end closes the WebSockets they opened (docs/security.md).
SESSION_ENGINE = "sorority.core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
MODERATOR_IDLE_TIMEOUT = 15 * 60

# ---------------------------------------------------------------------------
# Security headers (docs/security.md §30, 31, 34)
# ---------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health probes come from inside (compose, systemd, the proxy), in plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

MAP_TILE_URL = env.str(
    "MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION", default="&copy; OpenStreetMap contributors"
)


def _origin(url: str) -> str:
    parts = url.split("/")
    return "/".join(parts[:3]) if "://" in url else ""


_tile_origin = _origin(MAP_TILE_URL).replace("{s}.", "*.")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No 'strict-dynamic': allauth's WebAuthn pages load static scripts without a
        # nonce. 'self' + nonce, never 'unsafe-inline', still refuses injected scripts.
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *([_tile_origin] if _tile_origin else [])],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# ---------------------------------------------------------------------------
# Internationalisation
# ---------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sorority" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG

# ---------------------------------------------------------------------------
# E-mail: neutral sender (docs/security.md §35, 38)
# ---------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# For django.core.mail.backends.filebased.EmailBackend (`make prod-local`, the smoke journey).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="") or str(BASE_DIR / "var" / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sorority <no-reply@localhost>")
# Used instead of DEFAULT_FROM_EMAIL for members in discreet mode.
DISCREET_FROM_EMAIL = env.str("DISCREET_FROM_EMAIL", default="Notification <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------
# Safety
# ---------------------------------------------------------------------------
# Where the quick exit sends the browser: a neutral, everyday site.
QUICK_EXIT_URL = env.str(
    "QUICK_EXIT_URL", default="https://www.google.com/search?q=m%C3%A9t%C3%A9o"
)

CHAT_MESSAGES_PER_MINUTE = env.int("CHAT_MESSAGES_PER_MINUTE", default=20)
CHAT_SEVERAL_PER_DAY = env.int("CHAT_SEVERAL_PER_DAY", default=3)
CHAT_NOTIFY_AFTER_MINUTES = env.int("CHAT_NOTIFY_AFTER_MINUTES", default=30)
MODERATION_REPORTS_PER_HOUR = env.int("MODERATION_REPORTS_PER_HOUR", default=10)
CASE_NOTES_RETENTION_DAYS = env.int("CASE_NOTES_RETENTION_DAYS", default=180)
CASE_FOLLOW_UP_GRACE_HOURS = env.int("CASE_FOLLOW_UP_GRACE_HOURS", default=12)
CASE_OUTREACH_MAX_HOSTS = env.int("CASE_OUTREACH_MAX_HOSTS", default=10)

# Abuser flags touch data about alleged offences: off until a legal review and DPIA
# sign-off (docs/security.md §27).
# Undecided verification submissions are destroyed after this many days.
VERIFICATION_RETENTION_DAYS = env.int("VERIFICATION_RETENTION_DAYS", default=30)
# Surge mode: the queue is past this many waiting cases, or (with at least
# VERIFICATION_SURGE_MIN_QUEUE waiting) the measured rate means more than
# VERIFICATION_SURGE_WAIT_HOURS of wait (docs/performance.md).
VERIFICATION_SURGE_THRESHOLD = env.int("VERIFICATION_SURGE_THRESHOLD", default=500)
VERIFICATION_SURGE_WAIT_HOURS = env.int("VERIFICATION_SURGE_WAIT_HOURS", default=24)
VERIFICATION_SURGE_MIN_QUEUE = env.int("VERIFICATION_SURGE_MIN_QUEUE", default=20)
# Share of approvals drawn (with `secrets`) for a second, different moderator.
VERIFICATION_SECOND_REVIEW_RATE = env.float("VERIFICATION_SECOND_REVIEW_RATE", default=0.05)
ABUSER_FLAGS_ENABLED = env.bool("ABUSER_FLAGS_ENABLED", default=False)
INACTIVE_APPLICANT_DAYS = env.int("INACTIVE_APPLICANT_DAYS", default=90)
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="")

# ---------------------------------------------------------------------------
# Logging: never personal data (docs/security.md §21)
# ---------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
# Every record goes through the console handler's filters: the request id is added
# and e-mails, phone numbers, coordinates, query strings and extra objects removed
# (sorority/core/logs.py; docs/operations.md, "Logs").
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "sorority.core.logs.RequestIdFilter"},
        "scrub": {"()": "sorority.core.logs.ScrubFilter"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {
                "levelname": "level",
                "asctime": "time",
                "name": "logger",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "scrub"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request bodies and query strings (which may hold positions) stay out of logs.
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
        },
        "django.server": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
        },
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # A line per task run (heartbeats every 30 s) would bury everything else;
        # failures are warnings and errors, so they still show.
        "django_tasks": {
            "handlers": ["console"],
            "level": env.str("TASKS_LOG_LEVEL", default="WARNING"),
            "propagate": False,
        },
        # One line per request (method, path without query, status, route, time).
        "sorority.request": {
            "handlers": ["console"],
            "level": env.str("ACCESS_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}

# ---------------------------------------------------------------------------
# Metrics (sorority/core/metrics.py): off unless a token or networks are set
# ---------------------------------------------------------------------------
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(item.strip(), strict=False)
        for item in env.list("METRICS_ALLOWED_NETWORKS", default=[])
        if item.strip()
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {exc}") from exc
