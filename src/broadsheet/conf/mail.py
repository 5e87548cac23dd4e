"""Outgoing mail: ``BROADSHEET_EMAIL_URL`` turned into Django's ``EMAIL_*`` settings.

One URL says where mail goes, as ``DATABASE_URL`` says where data goes:

- empty or ``console:`` — printed on the server's standard output (the default: nothing leaves the machine);
- ``smtp://user:password@host:587`` — SMTP with STARTTLS (the submission port is the default);
- ``smtps://user:password@host:465`` — SMTP over TLS from the first byte;
- ``smtp://host:25?tls=off`` — a local relay that speaks no TLS (only on a trusted network);
- ``file:///path/to/folder`` — one file per message (for checking mail by hand);
- ``memory:`` — kept in ``django.core.mail.outbox`` (tests).

User names and passwords with reserved characters (``@``, ``:``, ``/``) are percent-encoded
(``p%40ss`` for ``p@ss``). Everything the app sends (password resets, comment notifications)
goes through Django's mail with these settings.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}
_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
_OFF = ("0", "off", "false", "no")


def parse_email_url(url: str) -> dict:
    """Return Django's mail settings (``EMAIL_BACKEND``, ``EMAIL_HOST``...) for ``url``.

    Raise ``ValueError`` with the reason for a URL that cannot be used; the password is
    never part of the message.
    """
    url = (url or "").strip()
    if not url:
        return {"EMAIL_BACKEND": _BACKENDS["console"]}
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"BROADSHEET_EMAIL_URL is not a valid URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in _BACKENDS:
        raise ValueError(
            f"BROADSHEET_EMAIL_URL: unknown scheme {scheme!r}; use smtp, smtps, console, file or memory"
        )
    config = {"EMAIL_BACKEND": _BACKENDS[scheme]}
    if scheme == "file":
        if not parts.path:
            raise ValueError("BROADSHEET_EMAIL_URL: file:// needs a folder, e.g. file:///var/mail/broadsheet")
        config["EMAIL_FILE_PATH"] = unquote(parts.path)
        return config
    if scheme not in _DEFAULT_PORTS:
        return config
    if not parts.hostname:
        raise ValueError(f"BROADSHEET_EMAIL_URL: {scheme}:// needs a host, e.g. {scheme}://user:password@mail.example.org")
    options = {key.lower(): values[-1].strip().lower() for key, values in parse_qs(parts.query).items()}
    config.update(
        EMAIL_HOST=parts.hostname,
        EMAIL_PORT=port or _DEFAULT_PORTS[scheme],
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_SSL=scheme == "smtps",
        EMAIL_USE_TLS=scheme == "smtp" and options.get("tls", "on") not in _OFF,
    )
    return config
