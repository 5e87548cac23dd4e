"""The deployment configuration: every environment variable Broadsheet reads.

This table is the single place ``os.environ`` is read. It feeds the Django
settings module, ``broadsheet config`` and the README's configuration table
(a test keeps the README in step). Editorial settings (title, time zone,
permalinks...) are not here: they live in the ``SiteSettings`` model.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    env_var: str
    default: str
    help: str


CONFIG = (
    Setting(
        "home",
        "BROADSHEET_HOME",
        "./broadsheet-data",
        "Data folder: the SQLite database, media, page store and the secret key generated on first run.",
    ),
    Setting(
        "database_url",
        "DATABASE_URL",
        "",
        "Database URL; PostgreSQL when set (postgres://user@host:5432/name). Empty: SQLite in BROADSHEET_HOME.",
    ),
    Setting(
        "redis_url",
        "BROADSHEET_REDIS_URL",
        "",
        "Redis for several app processes or machines (redis://host:6379/0): the cache, the page store's "
        "render lock and the stream that keeps several machines' stores in step. Empty: a per-process cache "
        "and a file lock.",
    ),
    Setting(
        "site_url",
        "BROADSHEET_SITE_URL",
        "http://127.0.0.1:8000",
        "The public address of the site; absolute URLs in feeds, sitemaps and canonical links use it.",
    ),
    Setting("debug", "BROADSHEET_DEBUG", "off", "Django's DEBUG. Never turn it on in production."),
    Setting(
        "allowed_hosts",
        "BROADSHEET_ALLOWED_HOSTS",
        "",
        "Extra host names to answer to, comma-separated (the site URL's host, localhost and 127.0.0.1 always are).",
    ),
    Setting(
        "theme_dir",
        "BROADSHEET_THEME_DIR",
        "",
        "Folder of templates that override the default theme's (default: BROADSHEET_HOME/theme).",
    ),
    Setting(
        "page_store",
        "BROADSHEET_PAGE_STORE",
        "",
        "Folder of the page store: public pages rendered on publish and served from files "
        "(default: BROADSHEET_HOME/pages; off: no store, every page rendered per request).",
    ),
    Setting(
        "secret_key",
        "BROADSHEET_SECRET_KEY",
        "",
        "Django's SECRET_KEY. Empty: generated once and kept in BROADSHEET_HOME/secret_key.",
    ),
    Setting(
        "secure_proxy",
        "BROADSHEET_BEHIND_HTTPS_PROXY",
        "off",
        "On when a proxy terminates HTTPS: trusts X-Forwarded-Proto and sets secure cookies, HSTS and the HTTPS redirect.",
    ),
    Setting(
        "hsts_preload",
        "BROADSHEET_HSTS_PRELOAD",
        "off",
        "With BROADSHEET_BEHIND_HTTPS_PROXY on: add preload to the HSTS header, consenting to browsers' HTTPS-only "
        "preload list (for the domain and its subdomains; slow to undo).",
    ),
    Setting("max_upload_mb", "BROADSHEET_MAX_UPLOAD_MB", "20", "Largest file the media library accepts, in megabytes."),
    Setting(
        "preview_link_hours",
        "BROADSHEET_PREVIEW_LINK_HOURS",
        "48",
        "How long a private preview link to an unpublished post or page works, in hours.",
    ),
    Setting(
        "trusted_proxies",
        "BROADSHEET_TRUSTED_PROXIES",
        "0",
        "How many reverse proxies in front of Broadsheet append to X-Forwarded-For (0: use the connection's address).",
    ),
    Setting(
        "email_url",
        "BROADSHEET_EMAIL_URL",
        "",
        "Where mail goes: smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465 (TLS), "
        "smtp://host:25?tls=off (a local relay). Empty: printed on the console.",
    ),
    Setting(
        "email_from",
        "BROADSHEET_EMAIL_FROM",
        "broadsheet@localhost",
        "The From address of mail the site sends (password resets, comment notifications).",
    ),
)

_BY_NAME = {setting.name: setting for setting in CONFIG}


def get(name: str) -> str:
    """Return the configured value of the setting ``name`` (environment, else default)."""
    setting = _BY_NAME[name]
    return os.environ.get(setting.env_var, setting.default)


def get_bool(name: str) -> bool:
    value = get(name).strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("", "0", "off", "false", "no"):
        return False
    raise ValueError(f"{_BY_NAME[name].env_var}={value!r} is not a boolean (use on or off)")


def get_positive_int(name: str) -> int:
    value = get(name).strip()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{_BY_NAME[name].env_var}={value!r} is not a positive whole number")
    return int(value)


def get_count(name: str) -> int:
    value = get(name).strip()
    if not value.isdigit():
        raise ValueError(f"{_BY_NAME[name].env_var}={value!r} is not a whole number (0 or more)")
    return int(value)


def get_home() -> Path:
    return Path(get("home")).expanduser().resolve()


def get_secret_key(home: Path) -> str:
    """Return the secret key, generating and keeping one in ``home`` on first use."""
    configured = get("secret_key")
    if configured:
        return configured
    key_file = home / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    temporary = key_file.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    try:
        os.link(temporary, key_file)  # fails if another process won the race
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return key_file.read_text().strip()
