"""Sign in with the login or the email address, as WordPress allows."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrEmailBackend(ModelBackend):
    """Django's model backend, finding the account by login first, then by email address.

    Logins and addresses match case-insensitively (WordPress's logins do). An address
    shared by several accounts signs none of them in: the login must be used. When no
    account matches, the password hasher still runs once, so the answer takes as long
    as for an account that exists (no user enumeration by timing).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        user = find_user(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def find_user(identifier: str):
    """Return the one account whose login (else email address) is ``identifier``, or None."""
    User = get_user_model()
    identifier = identifier.strip()
    if not identifier:
        return None
    by_login = list(User._default_manager.filter(username__iexact=identifier)[:2])
    if len(by_login) > 1:  # logins differing only in case: only the exact one
        by_login = list(User._default_manager.filter(username=identifier))
    if len(by_login) == 1:
        return by_login[0]
    if "@" not in identifier:
        return None
    by_email = list(User._default_manager.filter(email__iexact=identifier)[:2])
    return by_email[0] if len(by_email) == 1 else None
