"""Settings for the mystery-shopper audit platform.

One file, driven by environment variables (12-factor). With no environment at
all the platform runs on the embedded default: SQLite in var/, uploaded photos
on local disk in var/media/, Celery tasks executed in-process. Production sets
DATABASE_URL, CELERY_BROKER_URL and the AWS_* storage variables; nothing else
changes.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from backend.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# PRODUCTION=true: a real deployment, served over HTTPS. It makes SECRET_KEY
# mandatory and turns on the secure defaults at the end of this file (Secure
# cookies, redirect to https, HSTS). Without it the platform serves plain http,
# as `make run` does on 127.0.0.1.
PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when PRODUCTION=true.")
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY", PRODUCTION):
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    # The embedded default must start with no environment; a fixed development
    # key is fine there because nothing it signs leaves the machine.
    SECRET_KEY = "embedded-default-not-for-production"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "Mystery Audit")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # "page.html#name" renders one named {% partialdef %} of a page's template: what a
    # view sends back to htmx instead of the whole page, from the same markup.
    "template_partials",
    "outbox",
    "accounts",
    "checklists",
    "audits",
    "reports",
    "actions",
    "appeals",
    "mobile",
    "front",
]

MIDDLEWARE = [
    # First, so every later layer and every log line of the request has its id.
    "backend.request_id.RequestIdMiddleware",
    # Before SecurityMiddleware: the orchestrator's probe comes over plain http
    # to the container's own address, which neither redirects nor ALLOWED_HOSTS may refuse.
    "backend.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "backend.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "backend.query_text.ApiQueryTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.htmx: true when htmx asks for a page (HX-Request), so the view answers
    # with the region it replaces rather than the whole page (django-htmx, well kept).
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
AUTH_USER_MODEL = "audits.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(str(VAR_DIR / "db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The reports' covering index (INCLUDE branch, score) is a PostgreSQL feature;
# on SQLite it is a plain index, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Storage: uploaded photos and rendered scorecards are private. On local disk
# they live in var/media/ and have no public URL (base_url=None): they are only
# ever streamed by views that check permissions. On S3 the bucket is private and
# views hand out short-lived signed URLs.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = None  # FileSystemStorage would otherwise invent /media/ URLs nothing serves
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
AWS_QUERYSTRING_EXPIRE = env_int("AWS_QUERYSTRING_EXPIRE", 300, minimum=10)
if AWS_STORAGE_BUCKET_NAME:
    _private_files = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": AWS_S3_REGION_NAME,
            "access_key": AWS_ACCESS_KEY_ID,
            "secret_key": AWS_SECRET_ACCESS_KEY,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": AWS_QUERYSTRING_EXPIRE,
            "file_overwrite": True,
            "signature_version": "s3v4",
        },
    }
else:
    _private_files = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _private_files,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Celery: with no broker the tasks run in-process, eagerly, so the embedded
# default needs no Redis. CELERY_BROKER_URL switches to real workers.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Celery takes a producer even for an eager task (nothing is ever sent to it):
    # without a URL it would be amqp:// with a "No hostname was supplied" warning.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
# A task is acknowledged when it ends, not when it starts, and a task whose worker
# process died is given back to the broker: a killed worker loses no scorecard.
# Every task is safe to run twice (renders go through the cache, batches count
# each branch once, outbox handlers are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# When a whole worker machine dies, Redis gives its unacknowledged tasks to another
# worker after this many seconds; it must exceed the longest task (a scorecard
# takes seconds; region zips run in the outbox, which has its own lease).
# Workers look for such tasks every 10 s (kombu 5.7 looks only every 100 s unless told).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=5),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
# Celery beat (`celery -A backend beat`, or a worker started with --beat) drains
# the outbox every minute: work whose after-commit kick was lost (a crash, the
# broker down) is done within a minute.
CELERY_BEAT_SCHEDULE = {
    "outbox-drain": {"task": "outbox.tasks.outbox_drain_task", "schedule": 60.0},
    "outbox-prune": {"task": "outbox.tasks.outbox_prune_task", "schedule": 24 * 3600.0},
    # The comparison and drivers of the last complete month, for every reader: a
    # table nothing has changed is found kept, so this costs little when idle.
    "report-tables-warm": {"task": "reports.tasks.report_tables_warm_task", "schedule": 600.0},
}

# Work a write asks for and the outbox does after the commit, by event kind
# (outbox/services.py). Dotted paths, so the outbox never imports the layers above it.
OUTBOX_HANDLERS = {
    "visit.checks": "audits.services.checks.visit_checks_handle",
    "photo.renditions": "audits.services.photos.photo_renditions_handle",
    "photo.files_delete": "audits.services.visits.photo_files_delete_handle",
    "scorecards.region_zip": "reports.services.scorecards.region_zip_handle",
    "visit.approved": "actions.services.visit_approved_handle",
}

# What the layers above reports add to a branch scorecard, by dotted path as with
# OUTBOX_HANDLERS, since reports may not import them (reports.scorecard_extras).
SCORECARD_EXTRAS = ["actions.scorecard.scorecard_action_plans"]
# For each of them, whether what it shows on a region's cards changed since a moment:
# a region's zip made before is rebuilt (reports.scorecard_extras.scorecard_extras_changed).
SCORECARD_EXTRAS_CHANGED = ["actions.scorecard.action_plans_changed"]

# Evidence files attached to action plans and appeals: their storage prefix → the selector
# returning every name their rows refer to, so check_storage (in audits, which imports
# neither app) can tell an orphan from a file in use.
EVIDENCE_STORAGE_OWNERS = {
    "action-plans/": "actions.selectors.action_plan_evidence_names",
    "appeals/": "appeals.selectors.appeal_evidence_names",
}

# The cache holds the login throttle's counters, which every worker process must
# share: Redis with CACHE_URL, otherwise a table in the database (made by the
# migration audits 0004, or `manage.py createcachetable`), never per-process memory.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// URL.")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            # Past MAX_ENTRIES Django deletes a third of the rows, counters included:
            # set high enough that a flood of failed logins cannot cull the counters.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "backend.parsers.JSONParser",  # refuses JSON nested past a depth limit
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "backend.errors.exception_handler",
    # Per user and per scope, on the report endpoints only: they are what can
    # crowd out the phones, and the upload path pays no cache write per request.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Comparison and drivers (and their CSV/XLSX).
        "reports": env_str("THROTTLE_REPORTS", "60/min"),
        # Scorecard PDFs and region zips (a zip's 202 polls count too).
        "report_files": env_str("THROTTLE_REPORT_FILES", "30/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mystery Audit API",
    "DESCRIPTION": (
        "API for the shoppers' phone app, reviewers and head office: checklists, "
        "assignments, visit upload with photos, review and reports."
    ),
    "VERSION": "1.0.0",
    # Swagger UI and ReDoc from our own static files, never a CDN (the docs work offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.schema.document_pages_past_the_end",
    ],
    # Two models have a `status` field; name their enums so generated clients stay stable.
    "ENUM_NAME_OVERRIDES": {
        "AssignmentStatusEnum": "audits.models.Assignment.Status",
        "VisitStatusEnum": "audits.models.Visit.Status",
        "VersionStatusEnum": "checklists.models.ChecklistVersion.Status",
        "AppealStatusEnum": "appeals.models.Appeal.Status",
        "AppealDecisionEnum": "appeals.models.Decision",
        "AppealItemOutcomeEnum": "appeals.models.AppealItem.Outcome",
    },
}

# Failed logins in a window (the rule is explained in accounts/login.py): strictly
# per (username, address) pair; loosely per username and per address, where past
# the limit only pairs that have failed are refused, so that an attacker cannot
# lock a shopper, or a mobile network sharing one address, out.
LOGIN_FAILURES_ALLOWED = env_int("LOGIN_FAILURES_ALLOWED", 5, minimum=1)
LOGIN_FAILURES_PER_USERNAME = env_int("LOGIN_FAILURES_PER_USERNAME", 50, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 50, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)

# API tokens expire this many days after the sign-in that issued them (accounts/services/tokens.py).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1)

# Limits the phone app must respect (served at /api/v1/config/).
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000, minimum=10_000)
PHOTOS_PER_VISIT_MAX = env_int("PHOTOS_PER_VISIT_MAX", 30, minimum=1)
# The bound on decoding memory, per process: at most PHOTO_DECODES_AT_ONCE photos
# are decoded at a time (others wait), each into at most PHOTO_MAX_DECODED_MB of
# pixels (a JPEG is reduced while decoding; a 50 MP RGB image is 150 MB).
PHOTO_MAX_DECODED_MB = env_int("PHOTO_MAX_DECODED_MB", 150, minimum=1)
PHOTO_DECODES_AT_ONCE = env_int("PHOTO_DECODES_AT_ONCE", 2, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES + 1024 * 1024

# Assignment and review rules.
ROTATION_DAYS = env_int("ROTATION_DAYS", 90, minimum=0)
VISIT_MAX_DISTANCE_M = env_int("VISIT_MAX_DISTANCE_M", 300, minimum=1)
VISIT_MAX_ACCURACY_M = env_int("VISIT_MAX_ACCURACY_M", 100, minimum=1)
VISIT_MIN_SECONDS = env_int("VISIT_MIN_SECONDS", 180, minimum=0)
PHOTO_TIME_SLACK_MINUTES = env_int("PHOTO_TIME_SLACK_MINUTES", 15, minimum=0)
REVIEW_CONFIDENCE_THRESHOLD = env_int("REVIEW_CONFIDENCE_THRESHOLD", 70, minimum=0)
APPEAL_WINDOW_DAYS = env_int("APPEAL_WINDOW_DAYS", 14, minimum=0)  # after a visit's approval

# Reports: a branch scored from fewer visits in a period is a "small sample", shown
# but not ranked. 3 because it is the fewest visits whose 90 % interval is of any use:
# with two, Student's t is 6.31 and the interval spans most of the scale; with three
# it is 2.92. 1 switches the rule off (every scored branch is ranked).
SMALL_SAMPLE_VISITS = env_int("SMALL_SAMPLE_VISITS", 3, minimum=1)

# Logs: one line per event on stderr, JSON lines in production (LOG_FORMAT=json)
# for the log collector. Every line carries the request id (backend/request_id.py).
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", {"text", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "backend.request_id.RequestIdFilter"},
        "client_errors_without_traceback": {"()": "backend.logging.ClientErrorsWithoutTraceback"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "backend.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "client_errors_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # "Task … succeeded in 0.01s" for every task: hundreds of lines per demo
        # load, and the same again for every upload in production. Failures are
        # logged at ERROR and still show.
        "celery.app.trace": {"level": "WARNING"},
        # Eight "Step n - …" lines for every PDF, and a line for each PDF font a
        # process loads: the engine's narration, not events. Their warnings still show.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# The worker logs through the configuration above (JSON in production) rather
# than Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# HTTPS. With PRODUCTION=true every default below is the secure one; each can
# be set on its own. SECURE_PROXY_SSL_HEADER is opt-in: trust X-Forwarded-Proto
# only when a proxy that always sets it (nginx in docker-compose.yml) is the
# sole way in, or any client could claim to be on https.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# Preloading is a promise to browsers that is slow to take back: opt in explicitly.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
