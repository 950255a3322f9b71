"""Settings for every environment, read from the environment through typed helpers.

There is one settings module. Development (``make run``), tests and production differ only in
environment variables; with ``DEBUG`` off the console refuses to start on insecure defaults.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from console.env import embedded_services, env_bool, env_int, env_list, env_networks, env_str
from console.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# --- secrets -------------------------------------------------------------------------------------
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghijklmnop"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")


def _secret_key_problem(key: str) -> str | None:
    if not key:
        return "SECRET_KEY (or SECRET_KEY_FILE) is not set"
    if key == _DEV_SECRET_KEY or key.startswith("django-insecure"):
        return "SECRET_KEY is a development placeholder"
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY is too weak (use at least 50 random characters)"
    return None


if not DEBUG:
    _problem = _secret_key_problem(SECRET_KEY)
    if _problem:
        raise ImproperlyConfigured(
            f"Refusing to start with DEBUG off: {_problem}. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'` and set SECRET_KEY "
            "or SECRET_KEY_FILE; or set DEBUG=1 for local development."
        )
elif not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Refusing to start with DEBUG off: ALLOWED_HOSTS is empty.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- services ------------------------------------------------------------------------------------
_embedded = embedded_services(VAR_DIR)
DATABASE_URL = env_str("DATABASE_URL") or _embedded.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console"
)
REDIS_URL = env_str("REDIS_URL") or _embedded.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_db(url: str, offset: int) -> str:
    """The same Redis server, ``offset`` logical databases further on (cache vs. broker data)."""
    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    db = int(path) if path.isdigit() else 0
    return urlunsplit((parts.scheme, parts.netloc, f"/{db + offset}", parts.query, parts.fragment))


# Under pytest (which sets PYTEST_VERSION, inherited by the worker and server processes tests
# start) the console uses other Redis databases and queue names, so a `make run` on the same
# machine neither sees test data nor steals test tasks.
TESTING = "PYTEST_VERSION" in os.environ
if TESTING:
    REDIS_URL = _redis_db(REDIS_URL, 2)
REDIS_CACHE_URL = env_str("REDIS_CACHE_URL") or _redis_db(REDIS_URL, 1)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0),
        conn_health_checks=True,
    )
}
# The password may come on its own (DATABASE_PASSWORD or DATABASE_PASSWORD_FILE, e.g. the same
# Docker secret PostgreSQL reads), so DATABASE_URL need not hold a secret.
if _database_password := env_str("DATABASE_PASSWORD"):
    DATABASES["default"]["PASSWORD"] = _database_password
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "KEY_PREFIX": "console",
        "TIMEOUT": 300,
    }
}

# Live events are a fan-out: one tenant's update goes to every open dashboard of that tenant, and
# nothing is worth delivering late (a reconnecting page asks for a fresh snapshot). channels-redis'
# Pub/Sub layer publishes a group message once (one PUBLISH per group, whatever the number of
# sockets) and each web worker hands it to its own sockets; the list-based layer queued a copy per
# worker in a capped sorted set that expired after 30 s, and under load P4's dashboards lost
# updates there (README, Benchmarks). Nothing here needs delivery to a consumer that is not
# connected at that moment. That layer retries a lost Redis connection quietly, so every socket
# also checks the layer's Redis itself (console.consumers.layer_alive) and closes when it is gone.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL}],
            "prefix": "console:channels:",
        },
    }
}

# --- applications --------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "console",
    "telemetry",
    "rollout",
]

MIDDLEWARE = [
    "console.proxies.ProxyHeadersMiddleware",
    "console.middleware.RequestIdMiddleware",
    "console.metrics.RequestMetricsMiddleware",
    "console.middleware.NulQueryParameterMiddleware",
    "console.health.DependencyOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "console.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "console.timezones.TimezoneMiddleware",
    "console.middleware.LogActorMiddleware",
    "console.throttling.RateLimitHeadersMiddleware",
    "console.idempotency.IdempotencyKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "console.urls"
ASGI_APPLICATION = "console.asgi.application"
WSGI_APPLICATION = "console.wsgi.application"
AUTH_USER_MODEL = "console.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.context_processors.console",
                "rollout.context_processors.rollout",
            ],
            # Form and time helpers every page template uses, without a {% load %} in each.
            "builtins": [
                "console.templatetags.console_forms",
                "console.templatetags.console_time",
                "console.templatetags.console_words",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- time and language ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"  # stored and computed in UTC; shown in the tenant's or user's zone
USE_I18N = True
USE_TZ = True
CONSOLE_DEFAULT_TIMEZONE = env_str("CONSOLE_DEFAULT_TIMEZONE", "UTC")

# --- static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("STATIC_NO_MANIFEST", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- security ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Probes and the Prometheus scrape come over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Reverse proxies in front of the console (addresses or CIDRs, comma-separated; default none).
# Only a request whose direct peer is one of them may set X-Forwarded-For / X-Forwarded-Proto
# (console.proxies); with none, the console uses the socket's peer address and scheme.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
if os.environ.get("TRUST_X_FORWARDED_PROTO") is not None:
    raise ImproperlyConfigured(
        "TRUST_X_FORWARDED_PROTO is gone: set TRUSTED_PROXIES to the proxy's address instead."
    )
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# JSON bodies (API, heartbeat ingest): refused with a 400 naming the limit before they are decoded.
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 64, minimum=8)
API_JSON_MAX_ELEMENTS = env_int("API_JSON_MAX_ELEMENTS", 200_000, minimum=1000)
# Idempotency-Key: a finished POST's response is replayed for 24 h; a running one holds its key
# for at most IDEMPOTENCY_LOCK_SECONDS (a crashed worker does not block the key for a day).
IDEMPOTENCY_TTL_SECONDS = env_int("IDEMPOTENCY_TTL_SECONDS", 24 * 3600, minimum=60)
IDEMPOTENCY_LOCK_SECONDS = env_int("IDEMPOTENCY_LOCK_SECONDS", 300, minimum=5)

# --- email ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "console@localhost")

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "console.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["console.parsers.BoundedJSONParser"],
    "DEFAULT_METADATA_CLASS": "console.metadata.DescriptiveMetadata",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "console.errors.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "console.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["console.throttling.ApiClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env_str("API_RATE_LIMIT", "6000/min"),
        # Sign-in and enrolment, per client address (a fleet behind one NAT address enrols
        # at this pace; the simulator and sensors retry on 429). Under pytest every client is
        # 127.0.0.1: the suite's own sign-ins and enrolments must not trip it (its tests set it).
        "anon": env_str("ANON_RATE_LIMIT", "100000/min" if TESTING else "120/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Update-control console API",
    "DESCRIPTION": (
        "Host groups, sensor and content update policies, rings, pauses, fleet health and support "
        "access. Authenticate with `Authorization: Bearer <token>`. Errors are "
        "`application/problem+json`."
    ),
    "VERSION": "1.0.0",
    "CONTACT": {"name": "Update-control console", "url": "https://console.example.com/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # The schema has ~180 components: Swagger UI renders the operations by tag and leaves the models
    # section closed (rendering every model up front took longer than a reader waits).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "defaultModelsExpandDepth": -1},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "console.schema.name_collection_operations",
        "console.schema.link_created_objects",
        "console.schema.document_problems",
    ],
    # One tag per domain; every operation declares one (the contract lint checks it).
    "TAGS": [
        {"name": "api clients", "description": "Machine identities of the tenant and their tokens."},
        {"name": "audit", "description": "The tenant's append-only, hash-chained audit log."},
        {
            "name": "notifications",
            "description": "The notification centre: live events kept per tenant, mark read.",
        },
        {"name": "catalog", "description": "Sensor builds and content releases as a tenant sees them."},
        {"name": "distribution", "description": "Desired state, its sync to the backend, resync."},
        {"name": "enrolment-tokens", "description": "Tokens sensors enrol with."},
        {"name": "fleet", "description": "Live fleet health and its time series."},
        {"name": "host groups", "description": "Static and rule-based groups of hosts."},
        {"name": "hosts", "description": "Host inventory and why a host runs what it runs."},
        {"name": "members", "description": "People of the tenant, their roles and invitations."},
        {"name": "pauses", "description": "Pauses: a pause always wins over every other rule."},
        {
            "name": "overrides",
            "description": "Vendor override requests the tenant approves or declines, and standing consent rules.",
        },
        {"name": "policies", "description": "Sensor and content update policies and their precedence."},
        {"name": "policy as code", "description": "Export and import the whole policy document."},
        {"name": "rollouts", "description": "Rings, health gates and the rollouts moving through them."},
        {"name": "support", "description": "Vendor support requests and the grants a tenant approves."},
        {"name": "telemetry", "description": "Sensor-facing: enrolment and heartbeat ingest."},
        {"name": "tenant", "description": "The tenant's own settings."},
        {
            "name": "vendor",
            "description": "Vendor release engineering: builds, content, stages, halt, recall.",
        },
        {"name": "vendor support", "description": "Vendor staff's side of support access."},
        {"name": "webhooks", "description": "Outgoing Standard Webhooks and their deliveries."},
        {"name": "windows", "description": "Maintenance windows and freezes."},
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApiScopeEnum": "console.models.ApiScope",
        "TenantApiScopeEnum": "console.api_clients.services.TENANT_API_SCOPE_CHOICES",
        "SupportRequestStatusEnum": "console.models.SupportRequestStatus",
        "SupportScopeEnum": "console.models.SupportScope",
        "RoleEnum": "console.models.Role",
        "HostStatusEnum": "telemetry.models.HostStatus",
    },
}

# --- outgoing webhooks ---------------------------------------------------------------------------
# CIDRs a webhook URL may resolve to although they are not public (on-premises receivers).
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = env_list("WEBHOOK_ALLOWED_PRIVATE_NETWORKS")
for _network in WEBHOOK_ALLOWED_PRIVATE_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_PRIVATE_NETWORKS: {_exc}") from _exc
# Multiplies the retry back-off (1: about 30 h over 9 attempts); tests shorten it.
WEBHOOK_RETRY_SCALE = float(env_str("WEBHOOK_RETRY_SCALE", "1"))

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or REDIS_URL
# The longest countdown/eta any task uses; the visibility timeout must exceed it, or a delayed
# task would be redelivered while it is still waiting.
CELERY_MAX_COUNTDOWN_SECONDS = 15 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = "console-test" if TESTING else env_str("CELERY_QUEUE", "console")
# The control plane (fleet-health tick with the heartbeat flush, rollout gate tick) has a queue of
# its own, served by a dedicated worker (`celery -A console worker -Q <queue>-control`): a gate
# failure halts within a tick even while the main workers are busy with recomputes. A worker
# started without -Q consumes both queues, so a single worker still runs everything.
CELERY_CONTROL_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-control"
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in (CELERY_TASK_DEFAULT_QUEUE, CELERY_CONTROL_QUEUE)
)
CELERY_TASK_ROUTES = {
    "telemetry.tasks.telemetry_tick_task": {"queue": CELERY_CONTROL_QUEUE},
    "rollout.rollouts.rollouts_tick_task": {"queue": CELERY_CONTROL_QUEUE},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat touches this file every tick (console.celery.HeartbeatScheduler) for its health check.
CELERY_BEAT_SCHEDULER = "console.celery.HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
CONSOLE_BEAT_HEARTBEAT_FILE = env_str("CONSOLE_BEAT_HEARTBEAT_FILE", str(VAR_DIR / "beat-heartbeat"))
# Beat schedule is in code: console/celery.py assembles it from each app's ``BEAT_SCHEDULE``.

# --- distribution backend -------------------------------------------------------------------------
# "edge": the console serves sensors itself from Redis (GET /edge/v1/desired-state).
# "http": signed JSON batches to an external vendor backend at DISTRIBUTION_HTTP_URL.
DISTRIBUTION_BACKEND = env_str("DISTRIBUTION_BACKEND", "edge")
DISTRIBUTION_HTTP_URL = env_str("DISTRIBUTION_HTTP_URL", "")
DISTRIBUTION_HTTP_SECRET = env_str("DISTRIBUTION_HTTP_SECRET", "")
DISTRIBUTION_HTTP_TIMEOUT = env_int("DISTRIBUTION_HTTP_TIMEOUT", 10, minimum=1)
DISTRIBUTION_HTTP_MAX_ATTEMPTS = env_int("DISTRIBUTION_HTTP_MAX_ATTEMPTS", 5, minimum=1)
DISTRIBUTION_BREAKER_THRESHOLD = env_int("DISTRIBUTION_BREAKER_THRESHOLD", 5, minimum=1)
DISTRIBUTION_BREAKER_RESET_SECONDS = env_int("DISTRIBUTION_BREAKER_RESET_SECONDS", 30, minimum=1)
# A tenant is told "sync.failing" (in the app and by webhook) once per outage: after this many
# failed publish/hold attempts in a row, or this long since the first of them.
SYNC_FAILING_AFTER_ATTEMPTS = env_int("SYNC_FAILING_AFTER_ATTEMPTS", 3, minimum=1)
SYNC_FAILING_AFTER_SECONDS = env_int("SYNC_FAILING_AFTER_SECONDS", 120, minimum=1)
if DISTRIBUTION_BACKEND not in {"edge", "http"}:
    raise ImproperlyConfigured(f"DISTRIBUTION_BACKEND={DISTRIBUTION_BACKEND!r}: use 'edge' or 'http'")
if DISTRIBUTION_BACKEND == "http" and not (DISTRIBUTION_HTTP_URL and DISTRIBUTION_HTTP_SECRET):
    raise ImproperlyConfigured(
        "DISTRIBUTION_BACKEND=http needs DISTRIBUTION_HTTP_URL and DISTRIBUTION_HTTP_SECRET"
    )

# --- console -------------------------------------------------------------------------------------
CONSOLE_WORKER_HEARTBEAT_SECONDS = env_int("CONSOLE_WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
CONSOLE_WORKER_STALE_SECONDS = env_int("CONSOLE_WORKER_STALE_SECONDS", 60, minimum=5)
CONSOLE_SITE_URL = env_str("CONSOLE_SITE_URL", "http://127.0.0.1:8000")
# Sign-in throttling (console.lockout), within a sliding window: a lock per (account, client
# address) and per address; failures from many addresses only slow the account down, never lock it.
CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_IP = env_int("CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_IP", 5, minimum=1)
CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER = env_int("CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER", 20, minimum=1)
CONSOLE_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = env_int("CONSOLE_LOGIN_ACCOUNT_MAX_DELAY_SECONDS", 60, minimum=1)
CONSOLE_LOGIN_MAX_FAILURES_PER_IP = env_int("CONSOLE_LOGIN_MAX_FAILURES_PER_IP", 30, minimum=1)
CONSOLE_LOGIN_LOCKOUT_SECONDS = env_int("CONSOLE_LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
# Audit anchoring (console/audit_anchor.py): every chain's head, signed with HMAC-SHA256 under a key
# that lives only in the environment (or AUDIT_ANCHOR_KEY_FILE), appended to a file per day in
# AUDIT_ANCHOR_DIR (mount it on storage the database's administrators cannot rewrite).
AUDIT_ANCHOR_KEY = env_str("AUDIT_ANCHOR_KEY")
if DEBUG and not AUDIT_ANCHOR_KEY:
    AUDIT_ANCHOR_KEY = "dev-only-audit-anchor-key-" + SECRET_KEY
# Retired keys, whitespace-separated, so anchors signed before a rotation still verify.
AUDIT_ANCHOR_PREVIOUS_KEYS = env_str("AUDIT_ANCHOR_PREVIOUS_KEYS").split()
AUDIT_ANCHOR_DIR = env_str(
    "AUDIT_ANCHOR_DIR", str(VAR_DIR / ("test-audit-anchors" if TESTING else "audit-anchors"))
)
AUDIT_ANCHOR_INTERVAL_SECONDS = env_int("AUDIT_ANCHOR_INTERVAL_SECONDS", 300, minimum=10)
# Owners and admins must use TOTP (on by default in production; tenants can require it of everyone).
CONSOLE_REQUIRE_2FA_FOR_ADMINS = env_bool("CONSOLE_REQUIRE_2FA_FOR_ADMINS", not DEBUG)
OTP_TOTP_ISSUER = "Update-control console"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600, minimum=300)

# One line per record; JSON (with request_id, tenant_id, actor where known) unless LOG_FORMAT=plain.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use 'json' or 'plain'")
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))

# Error reporting (console/error_reporting.py): sentry-sdk with the Django and Celery integrations,
# on only when SENTRY_DSN (or SENTRY_DSN_FILE) is set.
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")
SENTRY_RELEASE = env_str("SENTRY_RELEASE")

if os.environ.get("PYTEST_XDIST_WORKER"):
    CACHES["default"]["KEY_PREFIX"] = f"console-{os.environ['PYTEST_XDIST_WORKER']}"

# Prometheus scrape endpoint /metrics: off (404) unless a bearer token is set (METRICS_TOKEN or
# METRICS_TOKEN_FILE). Set PROMETHEUS_MULTIPROC_DIR (an empty directory, per host/container) for
# uvicorn workers and Celery to add their counters up; see console/metrics.py.
METRICS_TOKEN = env_str("METRICS_TOKEN")
