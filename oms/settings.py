"""Settings of the OMS. Every value comes from the environment; see README.md."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

from oms.broker import checkout_port, checkout_prefix, default_broker

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OMS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# pytest sets PYTEST_VERSION while it runs; tests get fast hashing and their own broker.
TESTING = "PYTEST_VERSION" in os.environ
# What test runs add to names they share with the checkout (broker keys, shared cache, folders):
# each pytest-xdist worker gets its own, as it gets its own test database.
TEST_SUFFIX = (
    "-test"
    + (f"-{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else "")
    if TESTING
    else ""
)

DEBUG = env.bool("DEBUG", default=True)
PRODUCTION = not DEBUG

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # required: fails loudly when missing
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="dev-only-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
    )
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The first administrator's password in production (manage.py ensure_admin); never generated.
ADMIN_PASSWORD = env.str("ADMIN_PASSWORD", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "ninja",  # the API docs' Swagger UI from our static files, not a CDN
    "oms",
    "customers",
    "inventory",
    "orders",
    "shipping",
    "billing",
    "aftersales",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "oms.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "oms.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"

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
                "oms.context_processors.oms",
            ],
        },
    }
]
# Django's form renderer, with the most used widgets written in Python (list filter forms).
FORM_RENDERER = "oms.forms.FastWidgetRenderer"

# Database: DATABASE_URL, or the embedded PostgreSQL (pgserver) under var/pgdata.
if "DATABASE_URL" in os.environ:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "oms.embedded_pg",
            "NAME": env.str("OMS_EMBEDDED_DB_NAME", default="oms"),
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": str(VAR_DIR / "pgdata"),
        }
    }
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)  # a kept connection may be gone
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if "REPLICA_DATABASE_URL" in os.environ:
    # Reports read from it through oms.db.analytics_db(); migrations never run there.
    DATABASES["replica"] = env.db("REPLICA_DATABASE_URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sign-in throttling (django-axes): 5 wrong passwords for one username from one address lock
# that pair for 15 minutes; administrators unlock in Django admin (Access attempts) or with
# `manage.py axes_reset_username <name>`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client address: the proxy's X-Forwarded-For only where the proxy is trusted.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    if env.bool("TRUST_PROXY_HEADERS", default=False)
    else ["REMOTE_ADDR"]
)

# Content-Security-Policy: every script, style, font and image is our own (no CDN, no inline
# script); htmx and Bootstrap are served from node_modules by whitenoise.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],  # print views carry their page CSS inline, with the nonce
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation
LANGUAGE_CODE = env.str("OMS_LANGUAGE", default="en")
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["oms.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# Static files: the project's own under static/, third-party ones straight from node_modules.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Files people upload that only signed-in staff with the right may see (return photos): outside
# the web root, never under MEDIA_ROOT or STATIC_ROOT; a view that checks rights serves them.
OMS_PRIVATE_MEDIA_ROOT = env.path("OMS_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))

# E-mail: SMTP from EMAIL_URL in production, files under var/mail otherwise.
if "EMAIL_URL" in os.environ:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="oms@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages (oms/sms.py): a backend class like Django's e-mail backends. Files under
# var/sms by default (development); oms.sms.ConsoleBackend prints them; a provider's backend is
# one class with send_messages(). A text longer than one SMS (70 Chinese or 160 Latin
# characters) goes as a concatenated SMS of up to OMS_SMS_MAX_PARTS parts; a longer one is
# refused and recorded on its outbox row.
OMS_SMS_BACKEND = env.str("OMS_SMS_BACKEND", default="oms.sms.FileBackend")
OMS_SMS_FILE_PATH = env.str("OMS_SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
OMS_SMS_MAX_PARTS = env.int("OMS_SMS_MAX_PARTS", default=5)

# The local carrier simulator (`manage.py carrier_simulator`, Kuaidi100's API): where it listens
# (a port per checkout), the accounts it accepts (customer → key, "customer=key,..."), how fast
# parcels move, and whether `make run` starts it (in development by default).
OMS_CARRIER_SIMULATOR_URL = env.str(
    "OMS_CARRIER_SIMULATOR_URL", default=f"http://127.0.0.1:{checkout_port(BASE_DIR)}"
)
OMS_CARRIER_SIMULATOR_ACCOUNTS = env.dict(
    "OMS_CARRIER_SIMULATOR_ACCOUNTS",
    default={"B8D4F2A6C1E3957D0A2B4C6D8E0F1A3B": "OMSdemoKey2026"},
)
OMS_CARRIER_SIMULATOR_MINUTES_PER_STEP = env.float(
    "OMS_CARRIER_SIMULATOR_MINUTES_PER_STEP", default=2.0
)
OMS_CARRIER_SIMULATOR_RUN = env.bool("OMS_CARRIER_SIMULATOR_RUN", default=DEBUG)

# Celery
# Redis keys carry a prefix per checkout (OMS_BROKER_PREFIX), so checkouts sharing a Redis never
# share queues; tests add TEST_SUFFIX to it.
_broker_url, _broker_options = default_broker(
    VAR_DIR,
    suffix=TEST_SUFFIX,
    prefix=env.str("OMS_BROKER_PREFIX", default=checkout_prefix(BASE_DIR)),
)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_broker_url)
CELERY_BROKER_TRANSPORT_OPTIONS = {} if "CELERY_BROKER_URL" in os.environ else _broker_options
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport, keeping its client instead of one per publish (oms/broker_redis.py).
    CELERY_BROKER_TRANSPORT = "oms.broker_redis:Transport"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "oms.tasks.deliver_outbox_message": {"queue": "notifications"},
    "oms.tasks.flush_outbox": {"queue": "notifications"},
    "oms.tasks.file_job_run": {"queue": "documents"},
    "oms.tasks.file_jobs_clean_up": {"queue": "documents"},
    "oms.tasks.import_job_run": {"queue": "documents"},
}
CELERY_WORKER_QUEUES = "default,documents,tracking,notifications"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat jobs are registered by the apps (oms.registry.register_beat_job); oms/celery.py adds
# them to this, which stays empty unless a deployment wants an extra job of its own.
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULER = "oms.celery:RegistryScheduler"
# Tracking (shipping.tracking): polls, pushes and subscriptions have a queue of their own, so a
# slow carrier never holds up documents or messages.
CELERY_TASK_ROUTES["shipping.tracking.tasks.*"] = {"queue": "tracking"}

# State every process must see alike (oms.resilience: circuit breakers and rate limits of
# outside systems): Redis when the broker is Redis (database 1, a key prefix per checkout),
# otherwise files under var/, which the processes of one machine share. SHARED_CACHE_URL
# names another cache.
if "SHARED_CACHE_URL" in os.environ:
    CACHES["shared"] = env.cache("SHARED_CACHE_URL")
elif CELERY_BROKER_URL.startswith("redis://127.0.0.1:6379/"):
    CACHES["shared"] = {
        "BACKEND": "oms.cache.RedisCache",  # Django's, keeping its client (oms/cache.py)
        "LOCATION": "redis://127.0.0.1:6379/1",
        "KEY_PREFIX": env.str("OMS_BROKER_PREFIX", default=checkout_prefix(BASE_DIR)) + TEST_SUFFIX,
    }
else:
    CACHES["shared"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / f"shared-cache{TEST_SUFFIX}"),
    }

# Production hardening (DEBUG off): `manage.py check --deploy` reports nothing.
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
# Only behind a proxy that overwrites X-Forwarded-Proto (deploy/nginx.conf does); otherwise any
# client could claim to be on https.
if env.bool("TRUST_PROXY_HEADERS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Secret links (/track/<token>/) never reach a log: oms.logredact blanks their secret.
    "filters": {"redact_secret_paths": {"()": "oms.logredact.RedactSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secret_paths"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "django.request": {"filters": ["redact_secret_paths"]},
        "django.server": {"filters": ["redact_secret_paths"]},
    },
}

# The OMS itself
# A cancelled order's payments: kept as the customer's credit (default) or refunded at once by
# the automatic path; finance can always refund a credit note from its page.
OMS_REFUND_ON_CANCELLATION = env.bool("OMS_REFUND_ON_CANCELLATION", default=False)
OMS_COMPANY_NAME = env.str("OMS_COMPANY_NAME", default="Demo Lighting & Home Co.")
# The seller on every invoice (fapiao): taxpayer id, registered address and phone, bank.
OMS_COMPANY_TAXPAYER_ID = env.str("OMS_COMPANY_TAXPAYER_ID", default="91310000MA1FL4XQ3A")
OMS_COMPANY_ADDRESS = env.str(
    "OMS_COMPANY_ADDRESS", default="上海市浦东新区张江路 88 号 021-58880000"
)
OMS_COMPANY_BANK = env.str("OMS_COMPANY_BANK", default="招商银行上海张江支行 121900000010001")
OMS_CURRENCY = env.str("OMS_CURRENCY", default="CNY")
OMS_ROUNDING = env.str("OMS_ROUNDING", default="ROUND_HALF_UP")
OMS_LIST_PAGE_SIZE = env.int("OMS_LIST_PAGE_SIZE", default=50)
# Orders wanted further ahead than this stay confirmed without reserving stock.
OMS_ALLOCATION_HORIZON_DAYS = env.int("OMS_ALLOCATION_HORIZON_DAYS", default=30)
# Separation of duties: whoever created or last edited an order may not approve it. A
# one-person company turns this on to approve its own orders.
OMS_ALLOW_SELF_APPROVAL = env.bool("OMS_ALLOW_SELF_APPROVAL", default=False)
# Sales users see (and act on) only the customers they are the salesperson of, and those
# customers' orders; other roles are not limited. Off: everybody sees every customer.
OMS_SALES_OWN_CUSTOMERS_ONLY = env.bool("OMS_SALES_OWN_CUSTOMERS_ONLY", default=False)

# CSV exports: up to this many rows stream straight from the list page; a bigger export is
# written by a worker (queue "documents") and offered for download on its progress page.
OMS_EXPORT_INLINE_MAX_ROWS = env.int("OMS_EXPORT_INLINE_MAX_ROWS", default=20_000)
# Finished exports (and their files) are removed by a daily job after this many days.
OMS_EXPORT_KEEP_DAYS = env.int("OMS_EXPORT_KEEP_DAYS", default=2)
# File jobs (big exports, batches of printed documents): where workers write their files.
OMS_FILE_JOB_DIR = Path(env.str("OMS_FILE_JOB_DIR", default=str(VAR_DIR / "exports")))
# A worker gives up on a file job after this many seconds (soft limit one minute earlier).
OMS_FILE_JOB_TIME_LIMIT = env.int("OMS_FILE_JOB_TIME_LIMIT", default=1800)
# File jobs one user may have queued or running at once.
OMS_FILE_JOB_MAX_ACTIVE = env.int("OMS_FILE_JOB_MAX_ACTIVE", default=3)
# Imports (oms.imports): uploaded files wait here for the worker that checks or imports them;
# a bigger file is refused, and so is a file of more rows than this.
OMS_IMPORT_DIR = Path(env.str("OMS_IMPORT_DIR", default=str(VAR_DIR / "imports")))
OMS_IMPORT_MAX_BYTES = env.int("OMS_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
OMS_IMPORT_MAX_ROWS = env.int("OMS_IMPORT_MAX_ROWS", default=200_000)
# An import keeps every row with an error; of the other rows, this many for its report.
OMS_IMPORT_REPORT_ROWS = env.int("OMS_IMPORT_REPORT_ROWS", default=1000)
# Batch printing of shipment documents: up to this many print in the request, more go to a
# worker that renders them this many per WeasyPrint call; the file is kept this many days.
OMS_DOCUMENT_BATCH_INLINE_MAX = env.int("OMS_DOCUMENT_BATCH_INLINE_MAX", default=20)
OMS_DOCUMENT_BATCH_CHUNK = env.int("OMS_DOCUMENT_BATCH_CHUNK", default=50)
OMS_DOCUMENT_BATCH_MAX = env.int("OMS_DOCUMENT_BATCH_MAX", default=5000)
OMS_DOCUMENT_BATCH_KEEP_DAYS = env.int("OMS_DOCUMENT_BATCH_KEEP_DAYS", default=1)

# The customer's order page (/track/<token>/). Its links (label QR code, messages) start with
# OMS_PUBLIC_URL, e.g. https://shop.example.com; empty: the address of the request that needs
# one, or http://OMS_BIND when a worker sends a message.
OMS_PUBLIC_URL = env.str("OMS_PUBLIC_URL", default="")
OMS_BIND = env.str("OMS_BIND", default="127.0.0.1:8000")
# Per client address: pages per minute, and unknown links per hour before the page answers
# "too many requests" for the rest of the hour (guessing a link is slow; a customer who
# mistypes one a few times is not stopped).
OMS_TRACK_REQUESTS_PER_MINUTE = env.int("OMS_TRACK_REQUESTS_PER_MINUTE", default=60)
OMS_TRACK_MISSES_PER_HOUR = env.int("OMS_TRACK_MISSES_PER_HOUR", default=30)
# Finding an order without the link (/track/: number + phone ending or e-mail): tries per
# client address and per order number in a window of this many minutes.
OMS_TRACK_LOOKUP_TRIES = env.int("OMS_TRACK_LOOKUP_TRIES", default=5)
OMS_TRACK_LOOKUP_MINUTES = env.int("OMS_TRACK_LOOKUP_MINUTES", default=10)
# A parcel with the carrier and no news from it for this many working days joins the logistics
# desk's exceptions queue.
OMS_SHIPMENT_QUIET_WORKING_DAYS = env.int("OMS_SHIPMENT_QUIET_WORKING_DAYS", default=3)

# Complaints (aftersales cases). Working hours per priority, "priority=first response/resolution"
# counted in office hours on working days (oms.workdays), e.g. "urgent=2/8,high=4/16,...".
OMS_CASE_SLA_HOURS = env.str(
    "OMS_CASE_SLA_HOURS", default="urgent=2/8,high=4/24,normal=8/40,low=16/80"
)
# The office day the SLA clock runs in (local time), "HH:MM-HH:MM".
OMS_CASE_OFFICE_HOURS = env.str("OMS_CASE_OFFICE_HOURS", default="09:00-18:00")
# The assignee and the managers are warned when this share of an SLA is used, and again
# when it is past.
OMS_CASE_ESCALATE_PERCENT = env.int("OMS_CASE_ESCALATE_PERCENT", default=80)
# Case attachments live here, outside the web root, and are served only through a view that
# checks the permission. Files larger than the limit, or of another type, are refused.
OMS_CASE_ATTACHMENT_DIR = Path(
    env.str(
        "OMS_CASE_ATTACHMENT_DIR",
        default=str(VAR_DIR / f"case-attachments{TEST_SUFFIX}"),
    )
)
OMS_CASE_ATTACHMENT_MAX_BYTES = env.int("OMS_CASE_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
# The customer's drawings and specifications of a work order: private too, served by a view.
OMS_WORK_ORDER_FILE_DIR = Path(
    env.str(
        "OMS_WORK_ORDER_FILE_DIR",
        default=str(VAR_DIR / ("work-order-files-test" if TESTING else "work-order-files")),
    )
)
OMS_WORK_ORDER_FILE_MAX_BYTES = env.int("OMS_WORK_ORDER_FILE_MAX_BYTES", default=20 * 1024 * 1024)

DJANGO_TABLES2_TEMPLATE = "oms/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle mb-0"}

# Tracking (shipping.tracking). Carriers reach our push endpoint at this address
# (/shipping/callbacks/<carrier code>/ is appended); subscriptions send it to the carrier.
OMS_CALLBACK_BASE_URL = env.str("OMS_CALLBACK_BASE_URL", default="http://127.0.0.1:8000")
# A push body larger than this is refused (413) before it is read.
OMS_CALLBACK_MAX_BYTES = env.int("OMS_CALLBACK_MAX_BYTES", default=256 * 1024)
# Bad signatures one address may send per minute before it is answered 429.
OMS_CALLBACK_BAD_SIGNATURES_PER_MINUTE = env.int(
    "OMS_CALLBACK_BAD_SIGNATURES_PER_MINUTE", default=30
)
# Inbound platform webhooks (/intake/<channel code>/webhook/, orders.intake): a body larger
# than this is refused (413); each address may post this many per minute (then 429), and send
# this many bad signatures per minute.
OMS_INBOUND_MAX_BYTES = env.int("OMS_INBOUND_MAX_BYTES", default=512 * 1024)
OMS_INBOUND_WEBHOOKS_PER_MINUTE = env.int("OMS_INBOUND_WEBHOOKS_PER_MINUTE", default=600)
OMS_INBOUND_BAD_SIGNATURES_PER_MINUTE = env.int("OMS_INBOUND_BAD_SIGNATURES_PER_MINUTE", default=30)
# Marketplace pulls: seconds one request may take; pages one pull reads at most per run.
OMS_INBOUND_PULL_TIMEOUT = env.float("OMS_INBOUND_PULL_TIMEOUT", default=10.0)
OMS_INBOUND_PULL_MAX_PAGES = env.int("OMS_INBOUND_PULL_MAX_PAGES", default=50)
# The local marketplace simulator (manage.py marketplace_simulator; `make run` starts it when
# OMS_MARKETPLACE_SIMULATOR_RUN is on, in development by default).
OMS_MARKETPLACE_SIMULATOR_URL = env.str(
    "OMS_MARKETPLACE_SIMULATOR_URL",
    default=f"http://127.0.0.1:{checkout_port(BASE_DIR, first=30000)}",
)
OMS_MARKETPLACE_SIMULATOR_RUN = env.bool("OMS_MARKETPLACE_SIMULATOR_RUN", default=DEBUG)
# Seconds between two webhooks the simulator sends (and between two new marketplace orders).
OMS_MARKETPLACE_SIMULATOR_SECONDS = env.float("OMS_MARKETPLACE_SIMULATOR_SECONDS", default=30.0)

# The reconciliation poll (push is primary): a parcel is asked about again after this many
# minutes; each beat run takes at most this many parcels per carrier, oldest checked first.
OMS_TRACKING_POLL_MINUTES = env.int("OMS_TRACKING_POLL_MINUTES", default=120)
OMS_TRACKING_POLL_BATCH = env.int("OMS_TRACKING_POLL_BATCH", default=500)
# Requests one poll task has open with a carrier at once (within the carrier's rate limit).
OMS_TRACKING_POLL_CONNECTIONS = env.int("OMS_TRACKING_POLL_CONNECTIONS", default=8)
# Seconds one request to a carrier may take.
OMS_TRACKING_TIMEOUT = env.float("OMS_TRACKING_TIMEOUT", default=5.0)
# Outbound webhooks and ship confirmations to channels (orders.intake.outbound): seconds per attempt.
OMS_WEBHOOK_TIMEOUT = env.float("OMS_WEBHOOK_TIMEOUT", default=10.0)
# A carrier failing this many requests in a row is left alone (circuit open) for the cool-down,
# doubled each time it opens again, up to the maximum (seconds).
OMS_TRACKING_BREAKER_FAILURES = env.int("OMS_TRACKING_BREAKER_FAILURES", default=5)
OMS_TRACKING_BREAKER_COOL_DOWN = env.float("OMS_TRACKING_BREAKER_COOL_DOWN", default=30.0)
OMS_TRACKING_BREAKER_MAX_COOL_DOWN = env.float("OMS_TRACKING_BREAKER_MAX_COOL_DOWN", default=900.0)

# Returns (aftersales). Days after delivery a customer may ask for a return for any reason
# (七天无理由退货: "changed mind", other); defects, damage, wrong or misdescribed goods have
# the longer window. Made-to-order goods come back only for defects, damage or a wrong item.
OMS_RETURN_DAYS = env.int("OMS_RETURN_DAYS", default=7)
OMS_RETURN_DEFECT_DAYS = env.int("OMS_RETURN_DEFECT_DAYS", default=30)
# Photos with a return request: at most this many, each at most this many bytes (JPEG, PNG or
# WebP, checked by reading the image) and pixels per side.
OMS_RETURN_PHOTO_MAX_COUNT = env.int("OMS_RETURN_PHOTO_MAX_COUNT", default=5)
OMS_RETURN_PHOTO_MAX_BYTES = env.int("OMS_RETURN_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
OMS_RETURN_PHOTO_MAX_PIXELS = env.int("OMS_RETURN_PHOTO_MAX_PIXELS", default=8000)
# Replenishment (inventory.replenishment): weeks of sales the forecast learns from and weeks it
# looks ahead; the cycle service level the safety stock is sized for (0.95: out of stock in
# about one replenishment cycle of twenty); days of demand an order covers beyond the reorder
# point (the review period between two looks at the replenishment page).
OMS_FORECAST_HISTORY_WEEKS = env.int("OMS_FORECAST_HISTORY_WEEKS", default=52)
OMS_FORECAST_WEEKS = env.int("OMS_FORECAST_WEEKS", default=12)
OMS_SERVICE_LEVEL = env.float("OMS_SERVICE_LEVEL", default=0.95)
OMS_REVIEW_PERIOD_DAYS = env.int("OMS_REVIEW_PERIOD_DAYS", default=7)
