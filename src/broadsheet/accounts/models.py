"""What the accounts app stores beyond Django's users: failed sign-ins, two-factor keys, recovery codes."""

from django.conf import settings
from django.db import models


class LoginAttempt(models.Model):
    """An attempt the throttle counts (a failed sign-in step, a password reset request), kept for its window.

    Stored in the database, not a per-process cache, so every server process sees the same
    counts. ``account`` is what was typed (case-folded), whether or not such an account exists,
    so the lock-out behaves the same for real and made-up names.
    """

    class Step(models.TextChoices):
        PASSWORD = "password", "password"
        CODE = "code", "two-factor code"
        RESET = "reset", "password reset request"

    step = models.CharField(max_length=10, choices=Step.choices)
    account = models.CharField(max_length=254)
    address = models.CharField(max_length=64, blank=True, default="")  # IPv4, or an IPv6 /64 network
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["account", "created_at"], name="accounts_attempt_account"),
            models.Index(fields=["address", "created_at"], name="accounts_attempt_address"),
            models.Index(fields=["created_at"], name="accounts_attempt_created"),
        ]

    def __str__(self):
        return f"{self.step} attempt for {self.account!r} from {self.address or '?'} at {self.created_at:%Y-%m-%d %H:%M}"


class TOTPDevice(models.Model):
    """A user's confirmed authenticator app (TOTP, RFC 6238: 6 digits, 30 seconds)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)  # base32
    enabled_at = models.DateTimeField()
    # The last 30-second step whose code was accepted: a code works once, even within its window.
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Authenticator app of user {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code to sign in without the authenticator app; only its SHA-256 is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="accounts_recovery_code_unique")]

    def __str__(self):
        return f"Recovery code of user {self.user_id}{' (used)' if self.used_at else ''}"
