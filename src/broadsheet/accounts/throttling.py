"""Throttling sign-in against password guessing: per account name and per address, in the database.

Each failed step is a ``LoginAttempt`` row, so every server process sees the same counts
(a per-process cache would let each process allow its own five guesses). The limits:

- **per account name**: 5 wrong passwords for one name within 15 minutes pause signing in
  with that name for 15 minutes (counted from the fifth); the same for wrong two-factor codes
  of one account;
- **per address**: 20 failures of any kind from one IP address (IPv6: one /64 network, which a
  single machine usually has whole) within 15 minutes pause signing in from there for 15 minutes.

While paused, nothing is checked (not even a right password) and nothing more is counted,
and the message gives the time it ends. The name is counted as typed, whether or not an
account has it, so the pause and its message are the same for real and made-up names (no
user enumeration); as a consequence a login and an email address of one account count
separately. A successful sign-in clears its account's count, never the address's.

Limits are Django settings read when used (``LOGIN_THROTTLE``, a ``ThrottleLimits``), so
tests and sites can change them.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from broadsheet.accounts.models import LoginAttempt

Step = LoginAttempt.Step
_SIGN_IN_STEPS = (Step.PASSWORD, Step.CODE)


@dataclass(frozen=True)
class ThrottleLimits:
    per_account: int = 5
    per_address: int = 20
    window: datetime.timedelta = datetime.timedelta(minutes=15)
    lockout: datetime.timedelta = datetime.timedelta(minutes=15)
    # Password reset requests: mail to one address, and requests from one network address.
    resets_per_account: int = 3
    resets_per_address: int = 10
    reset_window: datetime.timedelta = datetime.timedelta(hours=1)


def get_limits() -> ThrottleLimits:
    return getattr(settings, "LOGIN_THROTTLE", None) or ThrottleLimits()


@dataclass(frozen=True)
class Lockout:
    """A pause in signing in: until when, and the message saying so."""

    until: datetime.datetime
    now: datetime.datetime

    @property
    def minutes(self) -> int:
        return max(1, math.ceil((self.until - self.now).total_seconds() / 60))

    @property
    def message(self) -> str:
        local = timezone.localtime(self.until)
        minutes = self.minutes
        return (
            "Too many failed attempts to sign in. For your security, signing in is paused until "
            f"{local:%H:%M} ({local.tzname()}), in {minutes} minute{'s' if minutes != 1 else ''}. "
            "Please try again then."
        )


def _now() -> datetime.datetime:
    return timezone.now()


def address_of(request) -> str:
    """Return the address the throttle counts for ``request``: its IPv4 address, or its IPv6 /64."""
    from broadsheet.comments.defences import client_ip  # the one reading of X-Forwarded-For

    value = client_ip(request)
    if value is None:
        return ""
    address = ipaddress.ip_address(value)
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def account_key(name: str) -> str:
    """Return how a typed account name is counted: trimmed and case-folded."""
    return (name or "").strip().casefold()[:254]


def user_key(user) -> str:
    """Return how two-factor code failures of ``user`` are counted."""
    return f"user:{user.pk}"


def sign_in_lockout(*, step: str, account: str, address: str) -> Lockout | None:
    """Return the pause in force for this account name (at ``step``) or address, else None."""
    limits = get_limits()
    now = _now()
    since = now - limits.window - limits.lockout
    account_times = _times(LoginAttempt.objects.filter(step=step, account=account), since)
    until = _locked_until(account_times, limits.per_account, limits.window, limits.lockout)
    if address:
        address_times = _times(LoginAttempt.objects.filter(step__in=_SIGN_IN_STEPS, address=address), since)
        until = max(until, _locked_until(address_times, limits.per_address, limits.window, limits.lockout))
    return Lockout(until, now) if until > now else None


def record_attempt(*, step: str, account: str, address: str) -> None:
    """Count one attempt (a failure, or a reset request), and forget those too old to matter."""
    now = _now()
    LoginAttempt.objects.create(step=step, account=account[:254], address=address[:64], created_at=now)
    limits = get_limits()
    oldest_needed = max(limits.window + limits.lockout, limits.reset_window)
    _delete(LoginAttempt.objects.filter(created_at__lt=now - oldest_needed))


def clear_failures(*, step: str, accounts) -> None:
    """Forget the failures of these account names (after a success)."""
    keys = {key for key in accounts if key}
    if keys:
        _delete(LoginAttempt.objects.filter(step=step, account__in=keys))


def account_names(user) -> list[str]:
    """Return the names ``user`` can sign in with, as counted: the login and the email address."""
    return [account_key(user.get_username()), account_key(user.email)]


def reset_allowed(*, email: str, address: str) -> bool:
    """Whether another reset mail may go to ``email`` (and be asked for from ``address``); count it."""
    limits = get_limits()
    now = _now()
    since = now - limits.reset_window
    recent = LoginAttempt.objects.filter(step=Step.RESET, created_at__gte=since)
    if recent.filter(account=account_key(email)).count() >= limits.resets_per_account:
        return False
    if address and recent.filter(address=address).count() >= limits.resets_per_address:
        return False
    record_attempt(step=Step.RESET, account=account_key(email), address=address)
    return True


def _delete(queryset) -> None:
    """Delete in one statement. ``QuerySet.delete()`` would load every row first, because other
    apps listen to every model's deletion; attempts have no relations and nobody needs their signals."""
    queryset._raw_delete(queryset.db)


def _times(queryset, since) -> list[datetime.datetime]:
    """Return the failure times since ``since``, oldest first (a bounded number: pauses stop counting)."""
    recent = queryset.filter(created_at__gte=since).order_by("-created_at").values_list("created_at", flat=True)
    return sorted(recent[:1000])


def _locked_until(times, limit, window, lockout) -> datetime.datetime:
    """Return when the last pause ends: ``limit`` failures within ``window`` start one of ``lockout``."""
    until = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    for index in range(limit - 1, len(times)):
        if times[index] - times[index - limit + 1] <= window:
            until = max(until, times[index] + lockout)
    return until
