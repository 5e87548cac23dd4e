"""Password reset by email: a link with a single-use token that expires.

The token is Django's ``PasswordResetTokenGenerator``: an HMAC over the user's id, password
hash, last sign-in and email address, and the time it was made. Setting a new password (or
signing in) changes what it covers, so a link works once; it expires after
``PASSWORD_RESET_TIMEOUT`` (a day). Links point at ``BROADSHEET_SITE_URL``, never at the
request's ``Host`` header, which anyone can forge.

Asking for a reset always gets the same answer, whether or not an account uses the address;
mail to one address, and requests from one network address, are limited per hour
(``throttling.reset_allowed``) so the form cannot be used to flood someone's inbox.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from broadsheet.accounts import throttling

logger = logging.getLogger(__name__)


def request_password_reset(request, email: str) -> int:
    """Mail a reset link to each active account using ``email``; return the number of messages sent."""
    if not throttling.reset_allowed(email=email, address=throttling.address_of(request)):
        return 0
    users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
    return sum(send_password_link(user) for user in users)


def reset_link(user, token_generator=default_token_generator) -> str:
    """Return the absolute address where ``user`` chooses a new password."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token_generator.make_token(user)},
    )
    return settings.SITE_URL + path


def send_password_link(user, *, welcome: bool = False) -> int:
    """Mail ``user`` a link to choose a password (a reset, or the first for a new account)."""
    if not user.email:
        return 0
    from broadsheet.content.models import SiteSettings

    site = SiteSettings.current().title
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    if welcome:
        subject = f"[{site}] Your new account"
        opening = (
            f"An account has been made for you on {site}.\n\n"
            f"Your username is: {user.get_username()} (you can also sign in with this email address).\n\n"
            "Choose your password here:"
        )
    else:
        subject = f"[{site}] Choose a new password"
        opening = (
            f"Someone asked to reset the password of your account on {site}.\n"
            "If it was not you, ignore this message: nothing changes.\n\n"
            "To choose a new password, open:"
        )
    body = (
        f"{opening}\n{reset_link(user)}\n\n"
        f"The link works once, for {hours} hour{'s' if hours != 1 else ''}.\n\n"
        f"Sign in: {settings.SITE_URL}{reverse('accounts:login')}\n"
    )
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # noqa: BLE001 — a mail server's failure must not become an error page that tells
        logger.exception("Could not send a password link to user %s", user.pk)
        return 0
