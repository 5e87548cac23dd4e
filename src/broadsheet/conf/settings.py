"""Broadsheet's only Django settings module.

Constants computed from ``broadsheet.conf.config`` (the environment table);
there is no dev/prod split: differences are environment values.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from broadsheet.conf import config
from broadsheet.conf.mail import parse_email_url

HOME = config.get_home()
HOME.mkdir(parents=True, exist_ok=True)

DEBUG = config.get_bool("debug")
SECRET_KEY = config.get_secret_key(HOME)
SITE_URL = config.get("site_url").rstrip("/")
_site_host = urlsplit(SITE_URL).hostname or "localhost"
ALLOWED_HOSTS = sorted(
    {_site_host, "localhost", "127.0.0.1", "[::1]", "testserver"}
    | {host.strip() for host in config.get("allowed_hosts").split(",") if host.strip()}
)
THEME_DIR = config.get("theme_dir") or str(HOME / "theme")
# Compiled templates, kept between processes (theme/bytecode.py).
TEMPLATE_CACHE_DIR = HOME / "cache"
_page_store = config.get("page_store")
PAGE_STORE = None if _page_store.lower() == "off" else Path(_page_store or HOME / "pages").expanduser().resolve()

INSTALLED_APPS = [
    "broadsheet.content",
    "broadsheet.archives",
    "broadsheet.comments",
    "broadsheet.feeds",
    "broadsheet.search",
    "broadsheet.importers",
    "broadsheet.importers.wordpress",
    "broadsheet.exporters",
    "broadsheet.media",
    "broadsheet.legacy",
    "broadsheet.accounts",
    "broadsheet.desk",
    "broadsheet.theme",
    "broadsheet.publishing",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "broadsheet.content.middleware.CSPMiddleware",  # django-csp's, the policy built once
    "broadsheet.content.middleware.RejectMalformedPathMiddleware",
    "broadsheet.content.middleware.SiteSettingsMiddleware",
    "broadsheet.legacy.middleware.LegacyRedirectMiddleware",
]

ROOT_URLCONF = "broadsheet.conf.urls"
WSGI_APPLICATION = "broadsheet.conf.wsgi.application"

TEMPLATES = [
    {
        # Public pages and the theme: Jinja2 (see docs/architecture.md for the measurement).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "broadsheet.theme.environment.build_environment",
            "context_processors": ["broadsheet.theme.context.theme_context"],
        },
    },
    {
        # Django's admin and other contrib apps.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

_database_url = config.get("database_url")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "broadsheet.sqlite3"),
            # Keep each worker's connection: opening one and running the PRAGMAs costs ~2 ms a request.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Writers take the write lock up front instead of failing on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (several app processes or machines): Django's cache, and the page store's render lock
# (broadsheet.publishing.locks_redis). Without it: each process's own memory and a file lock.
REDIS_URL = config.get("redis_url")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "broadsheet",
        }
    }

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # read older hashes, upgraded at next login
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "desk:dashboard"
# Sign in with the login or the email address (broadsheet.accounts.backends); the only backend,
# so every sign-in goes through the accounts app's throttle and two-factor step.
AUTHENTICATION_BACKENDS = ["broadsheet.accounts.backends.UsernameOrEmailBackend"]
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link works for a day, and once

# Outgoing mail (password resets, comment notifications): BROADSHEET_EMAIL_URL, console by default.
globals().update(parse_email_url(config.get("email_url")))  # EMAIL_BACKEND, EMAIL_HOST, ...
DEFAULT_FROM_EMAIL = SERVER_EMAIL = config.get("email_from")
EMAIL_TIMEOUT = 10  # seconds: a dead mail server must not hold a request for long

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage and fallback; the site's own zone is a SiteSettings value

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = HOME / "media"
# Uploads (the media library): size limit per file, enforced while the file streams in;
# files over FILE_UPLOAD_MAX_MEMORY_SIZE wait in a temporary file, not in memory.
MEDIA_MAX_UPLOAD_BYTES = config.get_positive_int("max_upload_mb") * 1024 * 1024
MEDIA_MAX_IMAGE_PIXELS = 64_000_000  # decompression bombs: refused above this (frames of an animation count)
FILE_UPLOAD_HANDLERS = [
    "broadsheet.media.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o644
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o755
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# The desk's private preview links (signed, expiring): how long one works, in seconds.
DESK_PREVIEW_MAX_AGE = config.get_positive_int("preview_link_hours") * 3600

APPEND_SLASH = True
# Readers' addresses (comments' rate limit): the Nth address from the right of X-Forwarded-For
# when N trusted proxies append to it, else the connection's address.
TRUSTED_PROXIES = config.get_count("trusted_proxies")
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Security: safe by default. HTTPS settings follow BROADSHEET_BEHIND_HTTPS_PROXY.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Request bodies: form fields (a 10,000-word essay is ~70 kB; a comment at most ~256 kB) stay
# well under this; file uploads are streamed to disk and limited by the media app.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Content security policy (django-csp 4). No inline script anywhere: public pages are stored
# and served to everyone, so per-request nonces are impossible there; the theme and the desk
# load their JavaScript from static files. Images and media may come from other sites
# (imported WordPress content links to them); nothing may frame the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:", "http:"],
        "media-src": ["'self'", "https:", "http:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if config.get_bool("secure_proxy"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = config.get_bool("hsts_preload")  # the site owner's decision: off unless asked

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
