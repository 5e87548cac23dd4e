"""Field builders shared by the accounts forms, each with its length limit."""

from __future__ import annotations

from django import forms

PASSWORD_MAX_LENGTH = 1024  # generous for passphrases; keeps the hasher's input bounded
NAME_MAX_LENGTH = 254  # a login (150) or an email address (254)
EMAIL_MAX_LENGTH = 100  # WordPress's user_email, and content.Author.email
DISPLAY_NAME_MAX_LENGTH = 250  # content.Author.display_name
PASSWORD_HELP = "At least 8 characters, not a common password, and not too like your login or email address."


def password_field(label: str = "Password", *, autocomplete: str = "current-password", **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        **kwargs,
    )


def new_password_fields(label: str = "New password") -> tuple[forms.CharField, forms.CharField]:
    """Return a new password field and its confirmation (Django's SetPasswordMixin names them)."""
    return (
        password_field(label, autocomplete="new-password", help_text=PASSWORD_HELP),
        password_field(f"{label} again", autocomplete="new-password", help_text="The same password, to be sure."),
    )


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=kwargs.pop("label", "Email address"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


def display_name_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label="Display name",
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text="The name readers see on posts and in the author archive's address (never the login).",
        **kwargs,
    )
