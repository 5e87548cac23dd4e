"""Where to go after signing in: ``next=`` only to this site, never elsewhere (no open redirects)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

_MAX_NEXT_LENGTH = 2000


def safe_next(request, url: str | None, default: str | None = None) -> str:
    """Return ``url`` if it leads to this site (same host, no scheme change to http), else the default.

    Refused: other hosts (``https://elsewhere.example/``, ``//elsewhere.example``,
    ``/\\elsewhere.example``), other schemes (``javascript:``, ``data:``), control characters,
    and http when the request came over https.
    """
    fallback = resolve_url(settings.LOGIN_REDIRECT_URL) if default is None else default
    if not url or len(url) > _MAX_NEXT_LENGTH:
        return fallback
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return fallback
