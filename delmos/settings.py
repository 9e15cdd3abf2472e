"""Settings, read from the environment. The defaults run with nothing else installed:
SQLite in the project folder, tasks run eagerly, e-mail printed to the console, DEBUG off."""

import datetime as dt
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

PLACEHOLDER_SECRET_KEY = "insecure-placeholder-only-for-development"  # noqa: S105


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = env_str("SECRET_KEY", PLACEHOLDER_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

# -- Deployment (issue 12): the public address -----------------------------------------------------
# Every absolute link (open data, e-mails, letters, PDFs) is built from SITE_URL, never from the
# request's Host header. `check --deploy` refuses the default when DEBUG is off (grants/checks.py).
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
SITE_URL = env_str("SITE_URL", DEFAULT_SITE_URL).rstrip("/")
# The rounds the home page always leads with, beside the newest decided one (issue 14): the 2020
# round is the one the public comes for. Years, comma-separated.
HOME_ROUND_YEARS = [int(year) for year in env_list("HOME_ROUND_YEARS", "2020")]
# Origins a form may be posted from besides the host itself; by default the public address.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "regions",
    "grants",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "delmos.urls"
WSGI_APPLICATION = "delmos.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grants.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept connection is checked before a request reuses it: after a database restart the
        # first request gets a new connection instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins and wait for each other (up to 20 s)
    # instead of failing with "database is locked" halfway through: parallel requests on the
    # embedded database serialise the way row locks make them on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "grants.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
AUTHENTICATION_BACKENDS = [
    "grants.auth_backends.LoginRateLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Swedish by default at the root, English under /en/.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Stockholm"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
# Public files (published lists); private files (attachments, letters) live apart and are
# only ever served through views that check access.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))


# -- Deployment (issue 12): file storage ---------------------------------------------------------
# On one host (or with a shared volume) files live under MEDIA_ROOT and PRIVATE_MEDIA_ROOT. With
# web and worker machines that share no disk, point both at S3-compatible object storage:
# STORAGE_BACKEND=storages.backends.s3.S3Storage (pip install "django-storages[s3]") with
# STORAGE_OPTIONS / PRIVATE_STORAGE_OPTIONS as JSON (bucket_name, endpoint_url, default_acl, …).
def env_json(name: str) -> dict:
    value = os.environ.get(name, "").strip()
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {value!r}") from exc
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {value!r}")
    return parsed


STORAGES = {
    "default": {
        "BACKEND": env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("STORAGE_OPTIONS"),
    },
    "private": {
        "BACKEND": env_str("PRIVATE_STORAGE_BACKEND", "grants.storage.PrivateMediaStorage"),
        "OPTIONS": env_json("PRIVATE_STORAGE_OPTIONS"),
    },
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}
        if env_str("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A server that does not answer is a failed attempt (retried by the outbox), not a hung worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Delmos statsbidrag <noreply@delmos.example>")

# Celery: Postgres is the truth, Redis only the doorbell. Without a broker tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Recycle a pool process that has grown past this many kilobytes (WeasyPrint keeps memory).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)
# Published award lists (issue 4): render limits and the sweeper that re-enqueues lost jobs.
PUBLICATION_RENDER_TIME_LIMIT = env_int("PUBLICATION_RENDER_TIME_LIMIT", 900)
PUBLICATION_PENDING_GRACE = env_int("PUBLICATION_PENDING_GRACE", 60)
# Award lists longer than this are rendered in chunks of this many rows and merged
# (grants/pdf_chunked.py); the rendered chunks are kept under PDF_CHUNK_CACHE_DIR. With 100, a
# list republished after one change lays out ~160 rows again (about 1.4 s of CPU at 10 000 rows,
# bench/RESULTS.md); a first render takes ~7 % more than with 200.
PDF_CHUNK_ROWS = env_int("PDF_CHUNK_ROWS", 100)
PDF_CHUNK_CACHE_DIR = env_str("PDF_CHUNK_CACHE_DIR")  # default: PRIVATE_MEDIA_ROOT/pdf-chunks
# After each long list the least recently used chunk files go until the cache is this size
# (about 16 MB per 10 000-row list and language).
PDF_CHUNK_CACHE_MAX_MB = env_int("PDF_CHUNK_CACHE_MAX_MB", 512)
# The first and the last chunk (which hold the totals) have at least this many rows.
PDF_CHUNK_EDGE_ROWS = env_int("PDF_CHUNK_EDGE_ROWS", 30)
# Lay out each chunk in a forked child process, whose memory goes back to the system when it
# exits (grants/pdf_chunked.in_child).
PDF_RENDER_IN_CHILD = env_bool("PDF_RENDER_IN_CHILD", True)
# Open data files (issue 14): the job that writes the 360Giving package and the CSV when the
# public data version has changed runs this often, each run bounded by the time limit.
OPENDATA_WRITE_TIME_LIMIT = env_int("OPENDATA_WRITE_TIME_LIMIT", 1800)
# Reminders (issue 9): applicants are told this many days before a due date, and when it has
# passed (up to REMINDER_OVERDUE_DAYS after it); officers get a digest after REMINDER_DIGEST_HOUR.
# Beat runs the scheduler every REMINDER_SWEEP_SECONDS; it only schedules (a Reminder row and its
# outbox job of kind "reminder"): the outbox sends, retries and sweeps them like every other kind.
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 7)
REMINDER_OVERDUE_DAYS = env_int("REMINDER_OVERDUE_DAYS", 30)
REMINDER_DIGEST_HOUR = env_int("REMINDER_DIGEST_HOUR", 7)
# The outbox (issue 10, grants/outbox.py): every side effect is a row; the sweeper re-enqueues
# what is due and not done (a lost message, a killed worker), of every kind, every
# OUTBOX_SWEEP_SECONDS; a message is taken for lost OUTBOX_REQUEUE_GRACE seconds after it was due.
# A failed attempt is tried again after OUTBOX_RETRY_BASE_SECONDS, doubling up to
# OUTBOX_RETRY_MAX_SECONDS; after OUTBOX_MAX_ATTEMPTS the job is failed and shown to officers.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", env_int("PUBLICATION_SWEEP_SECONDS", 60))
OUTBOX_REQUEUE_GRACE = env_int("OUTBOX_REQUEUE_GRACE", PUBLICATION_PENDING_GRACE)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
# A sent e-mail whose record meets a database that is away waits this long for it to come back.
OUTBOX_RECORD_PATIENCE = env_int("OUTBOX_RECORD_PATIENCE", 300)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "grants.outbox.sweep", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    "opendata-write": {
        "task": "grants.tasks.opendata.opendata_write",
        "schedule": float(env_int("OPENDATA_SWEEP_SECONDS", 60)),
    },
    "reminders": {
        "task": "grants.tasks.reminder_beat.reminders_run",
        "schedule": float(env_int("REMINDER_SWEEP_SECONDS", 900)),
    },
}

# -- Deployment (issue 12): TLS at the proxy -----------------------------------------------------
# The reverse proxy (deploy/nginx.conf.template) terminates TLS and always overwrites
# X-Forwarded-Proto, so the header can be trusted; gunicorn listens only on the private network.
# Production sets SECURE_SSL_REDIRECT=1 and SECURE_HSTS_SECONDS (docker-compose.yml does).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# The health endpoints answer the orchestrator over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# -- end of the deployment block ------------------------------------------------------------------

# Security.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login rate limiting (django-axes): five failed attempts for one e-mail address (from any IP
# address), or from one IP address (against any e-mail addresses), lock it out for 15 minutes
# with a 429 page; a successful login resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "grants.auth_backends.login_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0) or None

# Accounts: how long e-mail verification links, invitations and password reset links live.
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
INVITATION_MAX_AGE_DAYS = 14
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"
# Attachments: at most this many bytes each.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# LOGGING: see the block of issue 11 at the end (structured lines on stdout).


# -- Hostile input and abuse (issue 11): request ids, structured logs, security headers ---------
# Kept in one block so that the deployment settings above merge without conflicts.
from csp.constants import NONE, SELF  # noqa: E402

# First: the request id (and one log line per request); after authentication: no-store for
# logged-in pages, Permissions-Policy; the Content-Security-Policy on every response.
MIDDLEWARE.insert(0, "grants.middleware.RequestIdMiddleware")
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "grants.middleware.SecurityHeadersMiddleware",
)
# Scripts only from our own static files (htmx; no inline scripts or handlers anywhere). Inline
# style attributes stay allowed (map swatches, charts); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Logs: one JSON line per record on stdout (a daemonised gunicorn drops stderr), each with the
# request id; django.request errors and every unhandled exception with their traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "grants.observability.RequestIdFilter"}},
    "formatters": {"json": {"()": "grants.observability.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Through the root handler only: one line per record.
        "django": {"level": "INFO", "propagate": True},
        "django.request": {"level": "WARNING", "propagate": True},
        "django.server": {"level": "INFO", "propagate": True},
        "celery": {"level": "INFO", "propagate": True},
    },
}

# django-filter: a select's empty choice in words, in the user's language, never "---------".
# No global null choice: a filter that has one names it (null_label), as the queue's officer does.
FILTERS_EMPTY_CHOICE_LABEL = _("All")
