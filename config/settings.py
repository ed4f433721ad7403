"""Visitbook settings. Everything that differs between machines comes from the environment.

See README.md ("Configuration") for the variables.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import envbool, envint, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", "False")
SECRET_KEY = envstr("SECRET_KEY", "insecure-development-key" if DEBUG else None)
if not DEBUG and SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is off")
ALLOWED_HOSTS = envstr("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "axes",
    "auditlog",
    # Ours, lowest first (an app imports only from apps above it in this list).
    "notifications",
    "consultants",
    "campaign",
    "bookings",
    "surveys",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "consultants.context_processors.role",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# PostgreSQL (psycopg 3, Django's connection pool) in production and tests; SQLite for the
# demo. SQLite runs every transaction as BEGIN IMMEDIATE so writers serialise instead of
# failing half-way with "database is locked".
DATABASE_URL = envstr("DATABASE_URL", "postgres://postgres@localhost:5432/visitbook")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    _db["OPTIONS"] = {
        "pool": {
            "min_size": envint("DATABASE_POOL_MIN", "1"),
            "max_size": envint("DATABASE_POOL_MAX", "10"),
            "timeout": 10,
        }
    }
else:
    raise ImproperlyConfigured(f"Unsupported DATABASE_URL engine: {_db['ENGINE']}")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ---------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL", "redis://localhost:6379/0")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "visitbook",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Requests per minute per client address to the pages anyone can open without a log-in
# (company self-service links, survey answers); see common/ratelimit.py.
PUBLIC_RATE_LIMIT = envint("PUBLIC_RATE_LIMIT", "30")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for Redis however long it is down
# A send running when the broker connection drops finishes; its redelivered copy is a no-op
# (the outbox row is locked while sent, and only a `sending` row is sent).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "False")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # no result backend: the outbox row is the result
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Longer than the longest task (time limit above), so Redis never redelivers a running task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Copenhagen"
# Run exactly one beat (docker-compose has one `celery beat` service). The database holds the
# schedule of every message; beat only wakes the dispatcher, which sends the rows now due.
CELERY_BEAT_SCHEDULE = {
    "notifications-dispatch": {
        "task": "notifications.tasks.dispatch_due",
        "schedule": 60.0,
        "options": {"expires": 55},  # a run that waited past the next one is dropped
    },
    # Writes the consultants' and jobcentres' survey invitations of campaigns that have ended
    # (idempotent: each is written once, however often this runs).
    "surveys-campaign-invitations": {
        "task": "surveys.tasks.campaign_surveys_due",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Recomputes the evaluation reports people read (reports/evaluation_snapshots.py).
    "reports-evaluation-snapshots": {
        "task": "reports.tasks.evaluation_snapshots_refresh",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
}
# The evaluation report is kept for this many seconds before a reader waits for it to be
# computed again; Celery recomputes the ones in use every 5 minutes; unread ones go after
# EVALUATION_SNAPSHOT_KEEP_DAYS.
EVALUATION_SNAPSHOT_MAX_AGE = envint("EVALUATION_SNAPSHOT_MAX_AGE", "900")
EVALUATION_SNAPSHOT_KEEP_DAYS = envint("EVALUATION_SNAPSHOT_KEEP_DAYS", "30")
IMPORT_ASYNC_ROWS = envint("IMPORT_ASYNC_ROWS", "500")  # longer company files: in Celery

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Visitbook <kampagne@visitbook.invalid>")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")  # seconds; well inside the task time limits

# --- The outbox (notifications/dispatch.py) ------------------------------------------------
NOTIFICATIONS_DISPATCH_BATCH = envint("NOTIFICATIONS_DISPATCH_BATCH", "2000")  # rows per run
# A row left `sending` this long (its task died, or Redis lost it) goes back to pending.
# Longer than the task time limit; a row being sent is locked, so the sweep never takes it.
NOTIFICATIONS_SENDING_TIMEOUT = envint("NOTIFICATIONS_SENDING_TIMEOUT", "600")
NOTIFICATIONS_MAX_ATTEMPTS = envint("NOTIFICATIONS_MAX_ATTEMPTS", "5")
# Retry n waits backoff * 2**(n-1) seconds, at most the cap (below the visibility timeout).
NOTIFICATIONS_RETRY_BACKOFF = envint("NOTIFICATIONS_RETRY_BACKOFF", "60")
NOTIFICATIONS_RETRY_BACKOFF_MAX = envint("NOTIFICATIONS_RETRY_BACKOFF_MAX", "1800")

# --- Auth --------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "10")
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "True")

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
# Front-end packages come from the npm registry (package.json) and are served by the app.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules/bootstrap/dist"),
    ("vendor/htmx", BASE_DIR / "node_modules/htmx.org/dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules/swagger-ui-dist"),
    ("vendor/fullcalendar", BASE_DIR / "node_modules/@fullcalendar"),
    ("vendor/chartjs", BASE_DIR / "node_modules/chart.js/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Visitbook API",
    "DESCRIPTION": "Campaign booking and visit management. Every page action has an endpoint here.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI comes from the npm registry (swagger-ui-dist) and is served by the app.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    "ENUM_NAME_OVERRIDES": {
        "CallListStatusEnum": "campaign.models.CallList.Status",
        "CallListEntryStatusEnum": "campaign.models.CallListEntry.Status",
        "BookingStateEnum": "bookings.models.BookingState",
        "ConsultantKindEnum": "consultants.models.Consultant.Kind",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security in production ---------------------------------------------------------------
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of every PDF at INFO; its warnings are what matter.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
