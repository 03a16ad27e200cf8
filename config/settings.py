"""LDN Diary settings.

One module, driven by the environment (see config/env.py and docs/operations.md).
``LDN_ENV`` picks the profile:

- ``embedded`` (default): ``make run`` on a laptop. SQLite, kombu's filesystem broker,
  DEBUG on, console e-mail. Nothing needs a server.
- ``test``: ``make test``. PostgreSQL and Redis from DATABASE_URL / REDIS_URL.
- ``production``: everything from the environment; ``manage.py check --deploy`` is clean.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.cache import redis_caches
from config.env import env_bool, env_choice, env_float, env_int, env_list, env_str
from diary.dates import is_valid_time_zone
from diary.mfa_secrets import derived_key, fernet_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LDN_VAR_DIR", str(BASE_DIR / "var")))

LDN_ENV = env_choice("LDN_ENV", "embedded", {"embedded", "test", "production"})
PRODUCTION = LDN_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random text.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-dev-key-" + "x" * 40)

DEBUG = env_bool("DEBUG", LDN_ENV == "embedded")
# The shortcuts around libraries' public APIs (diary/fastpath/README.md); LDN_FASTPATH=0 turns
# every one off and the code takes the ORM's or the library's documented way.
FASTPATH = env_bool("LDN_FASTPATH", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.apps.AdminConfig",  # Django's admin, signed in by allauth with MFA (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "pgtrigger",
    "pghistory",  # not pghistory.admin: its event browser would show diary history unaudited
    "diary",
    "api",
]

MIDDLEWARE = [
    "config.headers.ResponseHeadersMiddleware",  # Permissions-Policy, no-store on the API: every answer
    "api.middleware.ApiProblemMiddleware",  # an API 500 from any layer below answers as a problem
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "api.middleware.RequestBodyGuardMiddleware",  # before anything parses a body: 413, too deep 400
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "api.sessions.IdleSignOutMiddleware",  # clinicians' automatic log-off
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'ldn-diary.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "" if PRODUCTION else _default_db) or _default_db,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL=postgres://...")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for the write lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # The tests' database is a file too (not pytest-django's shared in-memory one), so
    # concurrent tests wait for the write lock as make run's processes do.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-ldn-diary.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ON_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if ON_POSTGRES:
    # Attaches the request's user and URL to every history row the triggers write.
    # PostgreSQL only: the triggers (and this middleware's cursor wrapper) need it.
    MIDDLEWARE.append("pghistory.middleware.HistoryMiddleware")

# The largest body we take (a diary day with a full note) is a few kB; above this the
# JSON paths answer 413 (api.middleware.RequestBodyGuardMiddleware), other paths Django's 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 64 * 1024)

# --- Cache (allauth rate limits must be shared between processes) ----------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # With Redis away, sessions come from the database and each rate limit fails open or
    # closed as config/cache.py says; REDIS_CACHE_TIMEOUT (s) bounds the wait for an answer.
    CACHES = redis_caches(REDIS_URL, timeout=env_float("REDIS_CACHE_TIMEOUT", 0.5))
    # Sessions are read on every request: from Redis, written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth -------------------------------------------------------------------------
AUTH_USER_MODEL = "diary.User"
# allauth's, loading the profile with the user. Nothing signs in with a password outside
# allauth's sign-in (the admin's own form is gone: config/admin.py).
AUTHENTICATION_BACKENDS = ["diary.auth_backend.AuthenticationBackend"]
# The admin sends people to the app's sign-in (and back, with ?next=).
LOGIN_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if LDN_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_choice("ACCOUNT_EMAIL_VERIFICATION", "mandatory", {"mandatory", "optional", "none"})
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# On the e-mail code screen: "Send a new code" and "Change the address" (a typo in the
# address must not be a dead end), and a reset password signs the person in.
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
# Our e-mails carry the product's own subject lines (templates/account/email/).
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SIGNUP_FORM_CLASS = "diary.forms.PatientSignupForm"
ACCOUNT_ADAPTER = "diary.auth_adapters.AccountAdapter"
# Five wrong passwords lock an account for the source they came from (the adapter keys
# "key" on account and client address), for at most LOGIN_LOCKOUT; the answer is a 429
# with Retry-After. Ten failures a minute from one source, whatever the accounts.
LOGIN_LOCKOUT = timedelta(minutes=5)
# One e-mailed code a minute per address: the app counts it down before "Send a new code"
# (it reads the number from frontend/src/rules.gen.ts, generated from here).
CODE_RESEND_SECONDS = 60
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,5/{int(LOGIN_LOCKOUT.total_seconds())}s/key",
    "signup": "20/m/ip",
    "confirm_email": f"1/{CODE_RESEND_SECONDS}s/key",
    "reset_password": "20/m/ip,5/m/key",
    # the sign-up page's invitation check (api/views/me.py), before there is an account
    "invitation_preview": "30/m/ip",
}
HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("browser", "app")
# Its spec pages load Swagger/Redoc from a CDN: no third-party scripts here. The auth
# endpoints are documented in docs/api.md and in allauth's own documentation.
HEADLESS_SERVE_SPECIFICATION = False
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": "/account/verify-email/{key}",
    "account_reset_password": "/account/password/reset",
    "account_reset_password_from_key": "/account/password/reset/key/{key}",
    "account_signup": "/account/signup",
}
# Behind a reverse proxy, how many proxies append to X-Forwarded-For: the rate limits and
# lockouts then see the client's address instead of the proxy's (docs/operations.md).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "diary.auth_adapters.MFAAdapter"
# TOTP secrets and recovery seeds are encrypted at rest with this Fernet key (required in
# production; derived from SECRET_KEY elsewhere). Old keys are still read (a key change).
MFA_ENCRYPTION_KEY = env_str("MFA_ENCRYPTION_KEY", None if PRODUCTION else derived_key(SECRET_KEY))
MFA_ENCRYPTION_OLD_KEYS = env_list("MFA_ENCRYPTION_OLD_KEYS", [])
fernet_key(MFA_ENCRYPTION_KEY, "MFA_ENCRYPTION_KEY")  # a malformed key fails at start-up, not at sign-in
MFA_TOTP_ISSUER = "LDN Diary"
# Clinicians see health data of many people: no patient data without a second factor.
CLINICIAN_MFA_REQUIRED = env_bool("CLINICIAN_MFA_REQUIRED", True)
# The admin too: it can make accounts, clinicians and staff.
ADMIN_MFA_REQUIRED = env_bool("ADMIN_MFA_REQUIRED", True)
# Clinicians and staff are signed out after this long without a request (an automatic
# log-off: they see many people's health data, often on shared desks). Patients' phones
# keep their sessions (SESSION_COOKIE_AGE).
CLINICIAN_IDLE_TIMEOUT = timedelta(minutes=env_int("CLINICIAN_IDLE_MINUTES", 30))

# --- I18N / time --------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_PATIENT_TIME_ZONE = env_str("DEFAULT_PATIENT_TIME_ZONE", "UTC")
if not is_valid_time_zone(DEFAULT_PATIENT_TIME_ZONE):  # else every sign-up without a zone fails
    raise ImproperlyConfigured(
        f"DEFAULT_PATIENT_TIME_ZONE={DEFAULT_PATIENT_TIME_ZONE!r} is not a known IANA time zone (e.g. Europe/Berlin)."
    )

# --- Static -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
# The PWA (frontend/, built by scripts/frontend.sh) is served at "/" (config/frontend.py).
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
if FRONTEND_DIST.is_dir():
    WHITENOISE_ROOT = FRONTEND_DIST
_HASHED_ASSET = re.compile(r"^/assets/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$")


def _frontend_headers(headers: Any, path: str, url: str) -> None:  # headers: wsgiref Headers
    """Vite's content-hashed /assets/ are cached forever; the other app files (the
    service worker, index.html, the manifest, icons) are revalidated on every load."""
    if not path.startswith(str(FRONTEND_DIST)):
        return  # /static/: whitenoise's own rules
    if _HASHED_ASSET.match(url):
        headers["Cache-Control"] = "max-age=315360000, public, immutable"
    else:
        headers["Cache-Control"] = "no-cache"
    if url.endswith(".html"):  # the service worker serves this copy offline: same CSP as the views
        from csp.utils import build_policy

        headers["Content-Security-Policy"] = build_policy()


WHITENOISE_ADD_HEADERS_FUNCTION = _frontend_headers
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------
_default_email_backend = {
    "production": "django.core.mail.backends.smtp.EmailBackend",
    # make run: written under var/mail/ and printed in its terminal (config/mail.py)
    "embedded": "config.mail.EmbeddedEmailBackend",
    "test": "django.core.mail.backends.console.EmailBackend",
}[LDN_ENV]
EMAIL_BACKEND = env_str("EMAIL_BACKEND", _default_email_backend)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LDN Diary <no-reply@localhost>")

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container's healthcheck asks over plain HTTP from inside (docker-compose.yml).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Only our own origin: no third-party scripts, styles, fonts or trackers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Features the app does not use, off for it and anything it embeds (config/headers.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- API ------------------------------------------------------------------------------
# A 503 (a service the request needs is down) tells the client when to try again.
SERVICE_UNAVAILABLE_RETRY_AFTER = env_int("SERVICE_UNAVAILABLE_RETRY_AFTER", 30)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.SessionAuthentication",
        "api.authentication.XSessionTokenAuthentication",  # allauth's, with the idle limit
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",  # with every operation's error answers
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [],
    "COERCE_DECIMAL_TO_STRING": False,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]
SPECTACULAR_SETTINGS = {
    "TITLE": "LDN Diary API",
    "DESCRIPTION": "Patient diary, dosing and care-link API. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "StopReasonEnum": "diary.choices.StopReason",
        "TimeOfDayEnum": "diary.choices.TimeOfDay",
        "LinkStatusEnum": "diary.choices.LinkStatus",
        "FlagKindEnum": "diary.choices.FlagKind",
        "FlagStatusEnum": "diary.choices.FlagStatus",
        "SeverityEnum": "diary.choices.Severity",
        "VerdictKindEnum": "diary.choices.VerdictKind",
        "SideEffectKindEnum": "diary.choices.SideEffectKind",
        "InsightStatusEnum": "api.serializers.insights.INSIGHT_STATUSES",
        "ReminderKindEnum": "diary.choices.ReminderKind",
        "InstrumentEnum": "diary.choices.Instrument",
        "EnteredByEnum": "diary.choices.EnteredBy",
        "ConditionEnum": "diary.choices.Condition",
        "ConditionSetByEnum": "diary.choices.ConditionSetBy",
        "MetricEnum": "api.serializers.common.MEASURES",
        "Hit6AnswerEnum": "diary.analysis.rules.HIT6_ANSWERS",
    },
}

# --- Celery ---------------------------------------------------------------------------
_default_broker = "filesystem://" if LDN_ENV == "embedded" else (REDIS_URL or "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", _default_broker)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport, each message written whole before a worker can see it
    # (diary/fastpath/broker_files.py: the library's can stop the worker).
    CELERY_BROKER_TRANSPORT = "diary.fastpath.broker_files:Transport"
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # Every process that publishes (web, worker, beat, manage.py) needs the folders.
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # A short connect timeout: a write's recompute request must not hang when Redis is down.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")


def _beat(task: str, schedule: crontab) -> dict[str, Any]:
    """A beat entry whose message expires before the entry's next run (5/6 of the shortest
    gap between two runs), so a backlog after an outage never runs the same job many
    times over (tests/config/test_settings.py)."""
    times = sorted(h * 60 + m for h in schedule.hour for m in schedule.minute)  # type: ignore[attr-defined]
    gaps = [b - a for a, b in zip(times, [*times[1:], times[0] + 24 * 60], strict=True)]
    return {"task": task, "schedule": schedule, "options": {"expires": min(gaps) * 60 * 5 // 6}}


# The schedule lives here, each entry's expiry derived from its schedule (_beat).
CELERY_BEAT_SCHEDULE = {
    "care-links-expire": _beat(
        "diary.tasks.care_links_expire", crontab(minute=f"*/{env_int('CARE_LINKS_EXPIRE_EVERY_MINUTES', 15)}")
    ),
    # Recompute stale patients (a write's own request is the fast path; this is the net).
    "insights-sweep": _beat(
        "diary.tasks.insights_sweep", crontab(minute=f"*/{env_int('INSIGHTS_SWEEP_EVERY_MINUTES', 1)}")
    ),
    # Hourly, so each patient is re-evaluated soon after their own local midnight.
    "insights-daily": _beat("diary.tasks.insights_daily", crontab(minute=env_int("INSIGHTS_DAILY_AT_MINUTE", 5))),
    # Due reminders are claimed in the ledger, so an overlapping run never sends twice.
    "reminders-dispatch": _beat("diary.tasks.reminders_dispatch", crontab(minute="*")),
}

# A sweep's claim on a stale patient is a lease: a batch takes seconds, and a worker that
# died (or whose failure could not give the claim back) holds its patients this long at most.
INSIGHTS_CLAIM_LEASE = timedelta(seconds=env_int("INSIGHTS_CLAIM_LEASE_SECONDS", 60))

# --- Domain settings --------------------------------------------------------------------
INVITATION_TTL = timedelta(days=env_int("INVITATION_TTL_DAYS", 14))
BACKDATE_LIMIT_DAYS = 365
LATE_ENTRY_AFTER_DAYS = 2

# --- Reminders (docs/architecture.md "Reminders") ----------------------------------------
# Absolute links in e-mails (the one-click unsubscribe link).
SITE_URL = env_str("SITE_URL", "https://diary.example.org" if PRODUCTION else "http://127.0.0.1:8000")
# VAPID private key (PEM, or the raw key base64url as `vapid --gen` prints it). Empty: one
# is generated on first use and stored in the database (diary.VapidKey).
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:admin@localhost")
# Subscription endpoints are URLs we POST to: in production only https, and only to the
# push services of the major browsers (host suffixes), so the server cannot be steered
# at internal addresses. Outside production any http(s) URL (the tests' loopback service).
PUSH_REQUIRE_HTTPS = env_bool("PUSH_REQUIRE_HTTPS", PRODUCTION)
PUSH_SERVICE_HOSTS = env_list(
    "PUSH_SERVICE_HOSTS",
    ["fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com"] if PRODUCTION else [],
)
PUSH_SUBSCRIPTIONS_PER_PATIENT = 10
REMINDER_SEND_CONCURRENCY = env_int("REMINDER_SEND_CONCURRENCY", 16)
REMINDER_PUSH_TIMEOUT = env_float("REMINDER_PUSH_TIMEOUT", 10.0)
REMINDER_EMAIL_TIMEOUT = env_float("REMINDER_EMAIL_TIMEOUT", 10.0)
REMINDER_SEND_ATTEMPTS = env_int("REMINDER_SEND_ATTEMPTS", 3)
REMINDER_BACKOFF_SECONDS = env_float("REMINDER_BACKOFF_SECONDS", 0.5)
# A run's claims are a lease it renews while it lives (every quarter of it): a claim not
# renewed for this long belongs to a run that died, and the next run sends it.
REMINDER_CLAIM_STALE_AFTER = timedelta(seconds=env_int("REMINDER_CLAIM_LEASE_SECONDS", 60))
REMINDER_SNOOZE = timedelta(minutes=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING" if LDN_ENV == "test" else "INFO")},
}
