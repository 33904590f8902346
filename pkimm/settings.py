"""Settings for the PKIMM assessment application, read from the environment (see README)."""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from pkimm.env import env_bool, env_float, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PKIMM_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PKIMM_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghijkl"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "core",
    "audit",
    "organizations",
    "catalog",
    "assessments",
    "results",
    "reports",
    "improvement",
    "exchange",
    "dashboard",
    "demo",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "spreadsheets",
    "notifications",
]

MIDDLEWARE = [
    "core.observability.RequestIdMiddleware",
    "core.observability.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: rate limits and body size limits come first.
    "core.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.ProfileRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pkimm.urls"
WSGI_APPLICATION = "pkimm.wsgi.application"

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
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR}/pkimm.sqlite3"), base_dir=BASE_DIR)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the in-process dev server and tasks share the file.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}

# Persistent connections (each gunicorn or Celery worker process keeps its own, checked before reuse after an
# error or on a new request): a save costs no connection set-up. DB_CONN_MAX_AGE=0 closes after every request.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Sessions are read from the cache (Redis in production) and written through to the database: no session
# query per request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Accounts (django-allauth): sign-in by e-mail address, verified addresses, invitation-only sign-up
# (organizations/accounts.py).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "organizations.accounts.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "organizations.accounts.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "organizations.accounts.EmailLoginForm",
    "signup": "organizations.accounts.InvitationSignupForm",
    "reset_password": "organizations.accounts.EmailResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True  # sign-up and password reset answer the same whether an account exists or not
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_TIMEOUT_SECONDS", 300)
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Failed sign-ins are limited per client address and per account; sign-up and password reset per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "login": env_str("RATE_LIMIT_LOGIN", "30/m/ip"),
    "signup": env_str("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "reset_password": env_str("RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
ACCOUNT_RATE_LIMITS_ENABLED = True
# Open sign-up (anyone may create an account) is off: accounts come from invitations (and linked SSO domains).
ACCOUNT_OPEN_SIGNUP = env_bool("ACCOUNT_OPEN_SIGNUP", False)
# Who may create organizations: "staff" (default; operators create them, or `manage.py create_organization`)
# or "verified" (any signed-in user with a verified e-mail address).
ORGANIZATION_CREATORS = env_str("ORGANIZATION_CREATORS", "staff")
if ORGANIZATION_CREATORS not in ("staff", "verified"):
    raise ImproperlyConfigured("ORGANIZATION_CREATORS must be 'staff' or 'verified'")

# Second factors (allauth.mfa): authenticator apps (TOTP), passkeys/security keys (WebAuthn), recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env_str("PKIMM_SITE_NAME", "PKIMM Assess")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
# Sign-off and report signing need a second factor used this recently (seconds), for users with MFA.
MFA_RECENT_SECONDS = env_int("MFA_RECENT_SECONDS", 300)

# Single sign-on (OpenID Connect), configured by environment: OIDC_SERVER_URL (the issuer), OIDC_CLIENT_ID,
# OIDC_CLIENT_SECRET, OIDC_PROVIDER_ID (short name in URLs) and OIDC_NAME (on the sign-in button).
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL", "")
OIDC_PROVIDER_ID = env_str("OIDC_PROVIDER_ID", "sso")
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": OIDC_PROVIDER_ID,
            "name": env_str("OIDC_NAME", "Single sign-on"),
            "client_id": env_str("OIDC_CLIENT_ID"),
            "secret": env_str("OIDC_CLIENT_SECRET"),
            "settings": {"server_url": OIDC_SERVER_URL},
        }
    )
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an SSO e-mail never signs in to an existing account by itself
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the provider vouches for the address (checked in organizations/accounts.py)
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False

# Content-Security-Policy (django-csp): scripts and style sheets from this site's static files only; no inline
# script, no inline style, no eval. Pages put behaviour in static/js and looks in static/css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Uploaded evidence and generated reports are private: MEDIA_ROOT is never served by a URL;
# files go out only through views that check membership.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "filesystem":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
elif STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION", "us-east-1"),
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,  # names derive from rows (reports/<org>/<id>-<token>.pdf): same name, same file
        },
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND={STORAGE_BACKEND!r}: use 'filesystem' or 's3'")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 25) * 1024 * 1024
# Request bodies: every endpoint is capped at REQUEST_MAX_BYTES unless it names its own limit (uploads: evidence,
# imports, /verify/); core/request_limits.py refuses larger bodies before reading them. Form fields alone are
# capped by DATA_UPLOAD_MAX_MEMORY_SIZE. The reverse proxy should refuse the largest of these (README).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_KB", 2560) * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)

# E-mail: console by default, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pkimm@localhost")
if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Celery: with REDIS_URL a real broker and workers; without it tasks run in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# With Redis the cache (e.g. the verify page's rate limit) is shared by all workers; without it, per process.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# A lost worker's task comes back after this; task time limits stay well below it.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    # How often workers look for messages of lost workers past the visibility timeout (seconds).
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}
# Installations (or test runs) sharing one Redis keep their queues apart with a key prefix of their own.
if env_str("CELERY_KEY_PREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("CELERY_KEY_PREFIX")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# A render peaks at about 220 MiB above a worker child's ~150 MiB base: a child past this (KiB) after a task is
# replaced, so one huge report never leaves a bloated process behind.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_MAX_MEMORY_PER_CHILD_KB", 450 * 1024)
# Reports render on their own queue so that a slow render never holds up short tasks.
CELERY_TASK_ROUTES = {"reports.tasks.render_report_task": {"queue": "reports"}}
CELERY_TIMEZONE = TIME_ZONE
# Report outbox: a render writes a heartbeat every REPORT_HEARTBEAT_SECONDS; the sweeper runs every
# REPORT_SWEEP_SECONDS and enqueues again pending reports without a sign of life for REPORT_STALE_SECONDS
# (a lost worker, a message lost with Redis) or whose enqueue failed; after REPORT_MAX_ATTEMPTS renders it gives up.
REPORT_HEARTBEAT_SECONDS = env_int("REPORT_HEARTBEAT_SECONDS", 10)
REPORT_STALE_SECONDS = env_int("REPORT_STALE_SECONDS", 60)
REPORT_SWEEP_SECONDS = env_int("REPORT_SWEEP_SECONDS", 30)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 6)
# Transient failures (database or broker away) are retried with exponential backoff from this many seconds,
# capped at 300 s, REPORT_RETRIES times (the defaults span about 25 minutes).
REPORT_RETRY_BACKOFF = env_int("REPORT_RETRY_BACKOFF", 5)
REPORT_RETRIES = env_int("REPORT_RETRIES", 10)
if not REPORT_HEARTBEAT_SECONDS < REPORT_STALE_SECONDS:
    raise ImproperlyConfigured("REPORT_HEARTBEAT_SECONDS must be below REPORT_STALE_SECONDS")
# The stored summary of an assessment (lists, dashboards): with a task queue, saves leave it to a task run this
# many seconds after the first of a burst of saves (assessments/services/summary.py); without one, each save
# computes it under its lock. The sweeper catches up summaries whose task was lost.
ASSESSMENT_SUMMARY_DEFERRED = env_bool("ASSESSMENT_SUMMARY_DEFERRED", bool(REDIS_URL))
ASSESSMENT_SUMMARY_DELAY = env_float("ASSESSMENT_SUMMARY_DELAY", 1.0)
ASSESSMENT_SUMMARY_SWEEP_SECONDS = env_int("ASSESSMENT_SUMMARY_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    # Daily e-mail reminders (due re-assessments, overdue action plans); each one is sent once.
    "send-reminders": {"task": "improvement.tasks.send_reminders_task", "schedule": crontab(hour=7, minute=0)},
    # The daily digest of notifications for people who chose it (after the reminders, which it includes).
    "send-notification-digests": {
        "task": "notifications.tasks.send_digests_task",
        "schedule": crontab(hour=7, minute=15),
    },
    "sweep-reports": {"task": "reports.tasks.sweep_reports_task", "schedule": float(REPORT_SWEEP_SECONDS)},
    "sweep-assessment-summaries": {
        "task": "assessments.tasks.assessment_summaries_sweep_task",
        "schedule": float(ASSESSMENT_SUMMARY_SWEEP_SECONDS),
    },
}

# Report rendering: a task past its soft limit fails with a message; the hard limit kills it. Both stay
# below the visibility timeout, so a running task is never handed to a second worker.
REPORT_SOFT_TIME_LIMIT = env_int("REPORT_SOFT_TIME_LIMIT", 600)
REPORT_TIME_LIMIT = env_int("REPORT_TIME_LIMIT", 900)
if not REPORT_SOFT_TIME_LIMIT < REPORT_TIME_LIMIT < CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Report time limits must satisfy REPORT_SOFT_TIME_LIMIT < REPORT_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT"
    )
# Signing of signed-off reports: a key and certificate made by `manage.py init_signing` under
# PKIMM_SIGNING_DIR, or a PKCS#12 file (with its passphrase) from the environment in production.
SIGNING_DIR = Path(env_str("PKIMM_SIGNING_DIR", str(VAR_DIR / "signing")))
SIGNING_P12 = env_str("PKIMM_SIGNING_P12", "")
SIGNING_P12_PASSPHRASE = env_str("PKIMM_SIGNING_P12_PASSPHRASE", "")
# Or a key in an HSM / token through PKCS#11 (module path, token label, key and certificate labels, PIN file).
SIGNING_PKCS11_MODULE = env_str("PKIMM_SIGNING_PKCS11_MODULE", "")
SIGNING_PKCS11_TOKEN = env_str("PKIMM_SIGNING_PKCS11_TOKEN", "")
SIGNING_PKCS11_KEY_LABEL = env_str("PKIMM_SIGNING_PKCS11_KEY_LABEL", "")
SIGNING_PKCS11_CERT_LABEL = env_str("PKIMM_SIGNING_PKCS11_CERT_LABEL", "")
SIGNING_PKCS11_PIN_FILE = env_str("PKIMM_SIGNING_PKCS11_PIN_FILE", "")
# The CA certificate (PEM) that relying parties trust, for a PKCS#12 or PKCS#11 signer (else the file's roots).
SIGNING_CA_CERT = env_str("PKIMM_SIGNING_CA_CERT", "")
# An RFC 3161 timestamp authority; without it the installation's own TSA (made by init_signing) is used.
TSA_URL = env_str("PKIMM_TSA_URL", "")
TSA_CA_CERT = env_str("PKIMM_TSA_CA_CERT", "")  # PEM of the external TSA's root, to validate its tokens
TSA_TIMEOUT = env_int("PKIMM_TSA_TIMEOUT", 10)  # seconds
# Counter-signatures uploaded back must chain to one of these CA certificates (PEM bundle); empty: any signer.
COUNTERSIGN_TRUST_ROOTS = env_str("PKIMM_COUNTERSIGN_TRUST_ROOTS", "")
# Public verification page: uploads per client address per minute.
VERIFY_UPLOADS_PER_MINUTE = env_int("VERIFY_UPLOADS_PER_MINUTE", 10)
VERIFY_MAX_BYTES = env_int("VERIFY_MAX_MB", 20) * 1024 * 1024
# Behind a reverse proxy, the request header (as in request.META, e.g. HTTP_X_REAL_IP) that carries the client
# address; empty: REMOTE_ADDR. Only set it when the proxy always overwrites that header.
VERIFY_CLIENT_IP_HEADER = env_str("VERIFY_CLIENT_IP_HEADER", "")

# Outgoing webhooks (webhooks/): only to hosts on this allow-list (comma-separated host names, *.domain,
# IPs or networks, or * for any public address). Loopback and private addresses need an explicit IP/network entry.
WEBHOOK_ALLOWED_HOSTS = [h for h in env_str("WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()]
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30)
API_TOKEN_RATE = env_str("API_TOKEN_RATE", "600/min")  # requests per API token (or signed-in user)
# REST API (api/): personal API tokens or the browser session; cursor pagination; a request limit per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PKIMM Assess API",
    "DESCRIPTION": "Organizations, assessments, scope, answers, scores, reports, exchange files and action plans.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI from the vendored drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "assessments.models.Assessment.Status",
        "ReportStatusEnum": "reports.models.Report.Status",
        "PlanStatusEnum": "improvement.models.ActionPlan.Status",
    },
}
# /metrics (Prometheus): with a token, only for "Authorization: Bearer <token>"; without, protect it at the proxy.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SITE_NAME = env_str("PKIMM_SITE_NAME", "PKIMM Assess")
# Where the application is reached from outside: links in e-mails sent by background tasks.
SITE_URL = env_str("PKIMM_SITE_URL", "http://127.0.0.1:8000")
# The PKI Consortium browser tool, for share links of exported assessments (the data stays in the fragment).
PKIC_TOOL_URL = env_str("PKIMM_PKIC_TOOL_URL", "https://pkic.org/pkimm/assessment/")

# Production hardening: all of it applies when DEBUG is off (manage.py check --deploy passes).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not TESTING)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not TESTING)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not TESTING)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if TESTING else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is hard to undo (browsers ship the list): the operator opts in.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Logs: one JSON object per line (with the request id) by default; LOG_FORMAT=text for plain lines.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # WeasyPrint logs every layout step at INFO: too much for a worker's log.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
