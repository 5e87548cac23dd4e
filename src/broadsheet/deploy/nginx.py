"""The nginx configuration for a deployment, from the settings (``broadsheet deploy nginx``).

nginx serves the page store (``broadsheet.publishing.store``: pages as
``…/index.html``, feeds as ``…/index.xml``, site-wide parts by SSI), the
media and the static files, and passes the rest to the app server. The
security headers of stored pages are those Django sends (``security_headers``
reads the same settings; a test compares them with a real response), so a
page looks the same whether nginx or Django answered it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2

TEMPLATE = "nginx.conf"
CACHE_CONTROL = "public, max-age=0, must-revalidate"  # as broadsheet.publishing.serve answers stored pages
EXAMPLE_HOME = Path("/srv/broadsheet-data")

# Where nginx looks for a stored page, by URL shape, with the content type Django gives it.
_STORE_LOCATIONS = (
    {
        "comment": "Atom feeds (…/feed/atom/): the store's …/feed/atom/index.xml.",
        "match": "~ /feed/atom/$",
        "types": "application/atom+xml xml;",
        "try_files": "${uri}index.xml",
    },
    {
        "comment": "RSS feeds (…/feed/): the store's …/feed/index.xml.",
        "match": "~ /feed/$",
        "types": "application/rss+xml xml;",
        "try_files": "${uri}index.xml",
    },
    {
        "comment": "Pages (…/): the store's …/index.html. A path without its final slash goes to the app (301).",
        "match": "~ /$",
        "types": "text/html html; application/xml xml; text/plain txt;",
        "try_files": "${uri}index.html ${uri}index.xml ${uri}index.txt",
    },
    {
        "comment": "Files at their own path: /sitemap.xml, /robots.txt.",
        "match": "/",
        "types": "application/xml xml; text/plain txt; text/html html;",
        "try_files": "$uri",
    },
)


@dataclass
class NginxOptions:
    server_name: str = "example.org"
    listen: str = "80"
    app: list[str] = field(default_factory=lambda: ["127.0.0.1:8000"])
    example: bool = False  # write example paths (the copy kept in deploy/nginx/) instead of this site's


def security_headers(settings) -> list[tuple[str, str]]:
    """Return the security headers Django's middleware adds to a public page, from ``settings``."""
    headers = []
    if getattr(settings, "SECURE_CONTENT_TYPE_NOSNIFF", False):
        headers.append(("X-Content-Type-Options", "nosniff"))
    if getattr(settings, "SECURE_REFERRER_POLICY", None):
        policy = settings.SECURE_REFERRER_POLICY
        headers.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if getattr(settings, "SECURE_CROSS_ORIGIN_OPENER_POLICY", None):
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if getattr(settings, "X_FRAME_OPTIONS", None):
        headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
    if directives:
        policy = "; ".join(
            f"{name} {' '.join(values)}" if values else name for name, values in directives.items() if values is not None
        )
        headers.append(("Content-Security-Policy", policy))
    if getattr(settings, "SECURE_HSTS_SECONDS", 0):
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
            value += "; includeSubDomains"
        if getattr(settings, "SECURE_HSTS_PRELOAD", False):
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    for name, value in headers:
        if '"' in value or "\n" in value:
            raise ValueError(f"the {name} header cannot be written into nginx's configuration: {value!r}")
    return headers


def render_nginx_config(options: NginxOptions, settings=None) -> str:
    """Return the nginx configuration for this site (paths and headers from ``settings``)."""
    if settings is None:
        from django.conf import settings
    if options.example:
        store, media, static = EXAMPLE_HOME / "pages", EXAMPLE_HOME / "media", EXAMPLE_HOME / "static"
    else:
        if not settings.PAGE_STORE:
            raise ValueError("the page store is off (BROADSHEET_PAGE_STORE=off): nginx would have nothing to serve")
        store, media, static = Path(settings.PAGE_STORE), Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)
    for name, value in (("server name", options.server_name), ("listen", options.listen), *(("app", a) for a in options.app)):
        if not value or any(char in value for char in ' ;{}"\'\n\t#$'):
            raise ValueError(f"{name} {value!r} cannot be written into nginx's configuration")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=False,  # a configuration file, not HTML
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    upload_mb = settings.MEDIA_MAX_UPLOAD_BYTES * settings.DATA_UPLOAD_MAX_NUMBER_FILES // (1024 * 1024)
    return environment.get_template(TEMPLATE).render(
        example=options.example,
        server_name=options.server_name,
        listen=options.listen,
        app=options.app,
        store=store,
        media=media,
        static=static,
        media_url=settings.MEDIA_URL,
        static_url=settings.STATIC_URL,
        session_cookie=settings.SESSION_COOKIE_NAME,
        body_limit_mb=settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024) + 1,
        upload_limit_mb=upload_mb + 1,
        cache_control=CACHE_CONTROL,
        headers=security_headers(settings),
        store_locations=_STORE_LOCATIONS,
    )
