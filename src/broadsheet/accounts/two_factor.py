"""Two-factor sign-in: an authenticator app's six-digit codes (TOTP), and one-time recovery codes.

Setting up: the profile page shows a new secret as a QR code (inline SVG, drawn by segno:
no script, no image request) and as text; the secret is saved only once the user has typed a
code their app made from it (``enable``). Signing in then asks for a code after the password
(``views/signin.py``). A code is accepted within one 30-second step either side of now (clocks
drift), and only once: the step of the last accepted code is kept. Ten recovery codes, shown
once, each work once; only their SHA-256 is stored (they are 80 random bits, so a fast hash is
no weakness). Turning two-factor off asks for the password (``views/profile.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from django.db import transaction
from django.utils import timezone

from broadsheet.accounts.models import RecoveryCode, TOTPDevice

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def has_two_factor(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user).exists()


def new_secret() -> str:
    """Return a new random TOTP secret (160 bits, base32)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """Return the ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer or "Broadsheet")


def qr_code_svg(uri: str) -> str:
    """Return ``uri`` as a QR code: an inline ``<svg>`` element (presentation attributes only, no style)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title="QR code for your authenticator app", svgclass="qr-code"
    )


def format_secret(secret: str) -> str:
    """Return the secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def matching_step(secret: str, code: str, *, now=None) -> int | None:
    """Return the time step whose code ``code`` is (now, or one step either side), else None."""
    code = _digits(code)
    if len(code) != 6:
        return None
    moment = now or timezone.now()
    current = int(moment.timestamp()) // STEP_SECONDS
    totp = pyotp.TOTP(secret)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def enable(user, secret: str, code: str) -> list[str] | None:
    """Turn two-factor on with ``secret`` if ``code`` is its current code; return new recovery codes."""
    step = matching_step(secret, code)
    if step is None:
        return None
    TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "enabled_at": timezone.now(), "last_used_step": step}
    )
    return new_recovery_codes(user)


@transaction.atomic
def disable(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


def verify(user, code: str) -> str | None:
    """Check a code typed at sign-in: return "app" or "recovery" for the kind accepted, or None.

    Each code works once: a TOTP code's step must be later than the last accepted one, and
    a recovery code is marked used in the same statement that finds it unused.
    """
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        return None
    step = matching_step(device.secret, code)
    if step is not None:
        taken = TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step)
        return "app" if taken else None
    normalised = _normalise_recovery_code(code)
    if len(normalised) != 16:
        return None
    used = RecoveryCode.objects.filter(user=user, code_hash=_hash(normalised), used_at=None).update(
        used_at=timezone.now()
    )
    return "recovery" if used else None


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace ``user``'s recovery codes with ten new ones; return them (the only time they are shown)."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash(_normalise_recovery_code(code))) for code in codes
    )
    return codes


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))  # 16 × log2(31) ≈ 79 bits
    return "-".join(raw[index : index + 4] for index in range(0, 16, 4))


def _normalise_recovery_code(code: str) -> str:
    return "".join(character for character in (code or "").lower() if character.isalnum())


def _digits(code: str) -> str:
    return "".join((code or "").split())


def _hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()
