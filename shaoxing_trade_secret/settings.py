"""Settings for the Shaoxing trade-secret protection base platform.

Everything that differs between a laptop, CI and production comes from the
environment (django-environ); see README.md for the variables.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DJANGO_DEBUG=(bool, False),
    DJANGO_ALLOWED_HOSTS=(list, []),
    REDIS_URL=(str, ""),
    ATTACHMENT_MAX_MB=(int, 20),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DJANGO_DEBUG")
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS")
if not DEBUG and SECRET_KEY.startswith("<"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is still the placeholder of docs/production.env.example.")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# The address the public reaches the platform at: every issued document's QR code opens
# <PUBLIC_BASE_URL>/verify/<id>/, whichever host the request that issued it came in on. Unset: the
# development server in debug, else https:// and the first allowed host.
PUBLIC_BASE_URL = env("DJANGO_PUBLIC_BASE_URL", default="").rstrip("/")
if not PUBLIC_BASE_URL:
    PUBLIC_BASE_URL = "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
if not PUBLIC_BASE_URL.startswith(("https://", "http://")) or "*" in PUBLIC_BASE_URL:
    raise ImproperlyConfigured("DJANGO_PUBLIC_BASE_URL must be an http(s) address, e.g. https://sbmj.example.gov.cn")
# `make bench` only: serves /bench/trivial, the floor the pages are measured against (scripts/bench.py).
BENCH = env.bool("DJANGO_BENCH", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "guardian",
    "csp",
    "django_password_validators",
    "django_password_validators.password_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shaoxing_trade_secret.apps.AxesConfig",
    "django_filters",
    "django_ratelimit",  # for its system check of the cache the throttles count in (SILENCED_SYSTEM_CHECKS)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from this site (the CSP allows nothing else)
    "bases",
    "reviews",
    "targets",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shaoxing_trade_secret.middleware.KeepSessionAlive",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shaoxing_trade_secret.middleware.TwoFactorRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shaoxing_trade_secret.middleware.RefuseOversizeUploads",
    "shaoxing_trade_secret.middleware.RefuseControlCharactersInQueries",
    "shaoxing_trade_secret.middleware.RefuseImpossibleIdsInAdminPosts",
    "shaoxing_trade_secret.middleware.PasswordExpiry",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shaoxing_trade_secret.urls"

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
                "bases.context_processors.navigation",
                "reviews.context_processors.notifications",
            ],
        },
    },
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"  # templates/django/forms/field.html

WSGI_APPLICATION = "shaoxing_trade_secret.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A request reuses its process's connection for up to DJANGO_CONN_MAX_AGE seconds (a new PostgreSQL
# connection costs 4-6 ms a request), checked before each reuse; SQLite opens a file, nothing to save.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DJANGO_CONN_MAX_AGE", default=0 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 60
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for each other instead of failing with "database is locked": readers
    # never block the writer (WAL), a write transaction takes the lock when it begins (IMMEDIATE, so
    # two never deadlock upgrading a read lock), and a writer waits up to 20 s for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Tests run on a file, as the default deployment does, so that threads really share it.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # (DJANGO_TEST_SQLITE names another file, for a second run beside the first.)
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
        "DJANGO_TEST_SQLITE", default=str(BASE_DIR / "var" / "test.sqlite3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "bases.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "bases.backends.RolePermissionBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Passwords (等保2.0 level 3): 10 characters or more, three kinds of character, none of the last 5,
# not like the username, not a common one; changed every PASSWORD_MAX_AGE_DAYS (0: never).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "bases.passwords.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "bases.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "bases.passwords.PasswordHistoryValidator",
        "OPTIONS": {"last_passwords": 5},
    },
]
PASSWORD_MAX_AGE_DAYS = env.int("DJANGO_PASSWORD_MAX_AGE_DAYS", default=0)
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link works for a day
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sign-in: five failures lock the account (from whatever address) and, separately, the address
# (whatever the accounts tried) for 30 minutes. Every sign-in, failure and lockout is recorded
# (axes' access log, failure log and attempts), kept at least 6 months (manage.py retention_apply).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 10_000
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "bases.client.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Security events (bases.SecurityEvent) and axes' sign-in records are kept this long, never less than
# 183 days (网络安全法第二十一条: 不少于六个月); the daily job removes older ones.
# Two-factor sign-in (TOTP, django-otp) for everyone but applicants: bureau staff and the
# administrators enter a 6-digit code from an authenticator app after their password.
TWO_FACTOR_REQUIRED = env.bool("DJANGO_TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = "绍兴市商业秘密保护基地"
SECURITY_EVENT_RETENTION_DAYS = env.int("DJANGO_SECURITY_EVENT_RETENTION_DAYS", default=400)
# Personal data kept no longer than its purpose needs (reviews.services.RETENTION_RULES; the daily
# job and `manage.py retention_apply` erase what has expired).
OBJECTOR_CONTACT_RETENTION_DAYS = env.int("DJANGO_OBJECTOR_CONTACT_RETENTION_DAYS", default=365)
NOTIFICATION_RETENTION_DAYS = env.int("DJANGO_NOTIFICATION_RETENTION_DAYS", default=730)

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous object grants

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files never live on one web node of its own: uploaded evidence ("private") and issued documents
# ("documents") go to a private S3-compatible bucket when S3_BUCKET is set, else under
# PRIVATE_MEDIA_ROOT (one node, or a folder every node mounts). Either way no URL serves them:
# downloads go through bases.views.attachment_download, which checks permission and streams the
# file. The bucket holds the same layout as the folder: attachments/… and documents/….
PRIVATE_MEDIA_ROOT = Path(str(env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")))
S3_BUCKET = env("S3_BUCKET", default="")


def file_storage(prefix: str) -> dict:
    if not S3_BUCKET:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT / prefix)},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": prefix,
            # Unset: boto3's own chain (instance role, ~/.aws); unset endpoint: AWS itself.
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,  # "virtual" for Aliyun OSS
            "default_acl": None,  # the bucket's own: private, public access blocked (docs/deploy.md)
            "querystring_auth": True,  # a URL, if one is ever made, is signed and expires
            "querystring_expire": 300,
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": file_storage(""),
    "private": file_storage(""),  # bases.storage.private_storage; names start with attachments/
    "documents": file_storage("documents"),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Nothing is ever written to MEDIA_ROOT and no URL serves it: the storages above are private.
# The two settings exist only because Django's test live server expects them.
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "public-media-unused"
# manage.py backup writes a folder per backup under this directory (docs/backup.md).
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")
# Uploads (README "Uploads"): per file, per post, per application, and inside a DOCX/XLSX package.
ATTACHMENT_MAX_BYTES = env("ATTACHMENT_MAX_MB") * 1024 * 1024
ATTACHMENT_MAX_FILES_PER_POST = env.int("ATTACHMENT_MAX_FILES_PER_POST", default=10)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=30)
ATTACHMENT_MAX_TOTAL_BYTES = env.int("ATTACHMENT_MAX_TOTAL_MB", default=200) * 1024 * 1024
ATTACHMENT_MAX_UNPACKED_BYTES = env.int("ATTACHMENT_MAX_UNPACKED_MB", default=100) * 1024 * 1024
ATTACHMENT_ZIP_MAX_RATIO = 100
ATTACHMENT_ZIP_MAX_MEMBERS = 10_000
# The first handler stops reading a multipart body at the first file over ATTACHMENT_MAX_BYTES or
# past ATTACHMENT_MAX_FILES_PER_POST files; shaoxing_trade_secret.middleware.RefuseOversizeUploads
# answers 413 before reading when Content-Length is over bases.uploads.max_post_bytes(). Django's own
# file count stays one above, a backstop that would answer a bare 400.
FILE_UPLOAD_HANDLERS = [
    "bases.uploads.AttachmentLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FILES = ATTACHMENT_MAX_FILES_PER_POST + 1
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The cache every web process shares (throttles count there): Redis when configured, else a
# database table (manage.py createcachetable, run by `make migrate`).
if env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}
RATELIMIT_VIEW = "bases.views.too_many_requests"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)  # off only for `make fuzz`'s scratch server
# django-ratelimit's system check refuses a cache whose counters a second process cannot see or that
# cannot count atomically (local memory, the database table: E003), and warns about any backend it
# does not list (W001). Production counts in Redis; Django's own Redis backend increments with
# Redis's INCR, which is atomic, so that warning is silenced. Without Redis the throttles would
# count in the database table (two requests at once may count as one): acceptable for one developer,
# so E003 is silenced in debug only, and `manage.py check` refuses a production without Redis.
SILENCED_SYSTEM_CHECKS = []
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.W001")
if DEBUG:
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

# The open-data API (portal/api.py): Django REST framework, read-only, public. JSON only (no
# browsable HTML renderer), no sessions or CSRF (no authentication at all), errors in Chinese.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
# The OpenAPI schema at /api/v1/schema/ and its documentation page (Swagger UI from the sidecar's
# files on this site; the page's script and style in static/, none inline).
SPECTACULAR_SETTINGS = {
    "TITLE": "绍兴市商业秘密保护基地开放数据接口",
    "DESCRIPTION": "已认定的商业秘密保护基地名录（含已撤销的基地），只读、无需登录。"
    "字段与门户网站“已认定基地”页面及 CSV、Excel 下载相同。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_AUTHENTICATION": [],
}

# Celery: with REDIS_URL unset, tasks run eagerly in the web process.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "daily-housekeeping": {"task": "reviews.tasks.daily_housekeeping", "schedule": crontab(hour=7, minute=30)},
}

# Mail: one URL, e.g. smtp+tls://user:password@mail.example.gov.cn:587 or smtp+ssl://…:465
# (django-environ's email_url); the console in debug, the local MTA otherwise.
vars().update(env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="noreply@sxamr.example.gov.cn")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# --- Behind a reverse proxy with TLS (docs/deploy.md) ----------------------------------------------
# How many proxies in front of the application append to X-Forwarded-For; bases.client.client_ip
# believes exactly that many entries (0: the header is ignored).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXIES", default=0)
# The header the proxy sets to say the client spoke HTTPS, e.g. HTTP_X_FORWARDED_PROTO (value https).
if env("DJANGO_SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (env("DJANGO_SECURE_PROXY_SSL_HEADER"), "https")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe may speak plain HTTP
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Sessions in the database every web node shares (never a node's memory or files); the cache, the
# sign-in lockouts (axes: database) and the throttles (ratelimit: the default cache) are shared too.
# With Redis, sessions are read from the cache and written through to the database (cached_db).
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if env("REDIS_URL") else "db")
SESSION_COOKIE_HTTPONLY = True
# Signed out after 30 idle minutes: a signed-in request starts the 30 minutes again, writing the
# session at most once a minute (shaoxing_trade_secret.middleware.KeepSessionAlive; a write on every
# request was a database write per page view); the application form saves the draft on its own
# meanwhile (static/js/site.js), so nothing typed is lost to it.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): every script, style, font and image from this site, no
# inline script or style, no plugin, no framing. Whatever is built later lives within it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy: no page uses any of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
