"""Password-protected entries: the unlock cookie, as WordPress's ``wp-postpass``.

The cookie holds a signed digest of the password (never the password), so one
cookie opens every entry that shares that password, and changing an entry's
password locks it again.
"""

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

COOKIE_NAME = "broadsheet_postpass"
COOKIE_MAX_AGE = 10 * 24 * 3600  # WordPress keeps it ten days
_SALT = "broadsheet.content.passwords"


def _digest(password: str) -> str:
    return salted_hmac(_SALT, password).hexdigest()


def make_unlock_cookie(password: str) -> str:
    return signing.dumps(_digest(password), salt=_SALT)


def is_unlocked(request, entry) -> bool:
    """Whether the request carries the password of ``entry``."""
    if not entry.password:
        return True
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return False
    try:
        digest = signing.loads(value, salt=_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(digest, str) and constant_time_compare(digest, _digest(entry.password))
