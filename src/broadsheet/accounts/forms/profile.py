"""One's own profile (/desk/profile/): public details, email address, password, two-factor.

Changes that would let someone who borrowed a signed-in browser take the account over (a
new email address, a new password, two-factor off) ask for the current password, and wrong
guesses there count towards the sign-in throttle like wrong passwords at sign-in.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from broadsheet.accounts import throttling, two_factor
from broadsheet.accounts.forms.fields import display_name_field, email_field, new_password_fields, password_field

WRONG_PASSWORD = "That is not your current password."


def check_current_password(request, user, password: str) -> None:
    """Raise ``ValidationError`` unless ``password`` is ``user``'s; throttled like signing in."""
    account = throttling.account_key(user.get_username())
    address = throttling.address_of(request)
    step = throttling.Step.PASSWORD
    lockout = throttling.sign_in_lockout(step=step, account=account, address=address)
    if lockout is not None:
        raise ValidationError(lockout.message, code="locked")
    if not user.check_password(password):
        throttling.record_attempt(step=step, account=account, address=address)
        raise ValidationError(WRONG_PASSWORD, code="password_incorrect")


class ProfileForm(forms.Form):
    display_name = display_name_field()
    email = email_field(help_text="Where password reset links and notifications go; never shown publicly.")
    website = forms.URLField(label="Website", max_length=200, required=False, assume_scheme="https")
    bio = forms.CharField(
        label="Biographical info",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown on your author archive, if the theme shows it.",
    )
    current_password = password_field(
        "Current password", required=False, help_text="Needed only to change your email address."
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = request.user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        others = get_user_model()._default_manager.exclude(pk=self.user.pk)
        if email.casefold() != self.user.email.casefold() and others.filter(email__iexact=email).exists():
            raise ValidationError("Another account uses that address.")
        return email

    def clean(self):
        email = self.cleaned_data.get("email")
        if email is not None and email != self.user.email:
            password = self.cleaned_data.get("current_password")
            if not password:
                self.add_error("current_password", "Enter your current password to change your email address.")
            else:
                try:
                    check_current_password(self.request, self.user, password)
                except ValidationError as error:
                    self.add_error("current_password", error)
        return self.cleaned_data


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, with length limits and the throttle on the current password."""

    old_password = password_field("Current password")
    new_password1, new_password2 = new_password_fields()

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(request.user, *args, **kwargs)

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        check_current_password(self.request, self.user, password)
        return password


class CurrentPasswordForm(forms.Form):
    """Confirm a sensitive change (turning two-factor off, new recovery codes) with the password."""

    password = password_field("Current password")

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        check_current_password(self.request, self.request.user, password)
        return password


class TwoFactorSetupForm(forms.Form):
    """The first code from the app, proving it holds the new secret."""

    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, secret: str, *args, **kwargs):
        self.secret = secret
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if two_factor.matching_step(self.secret, code) is None:
            raise ValidationError("That is not the code the app shows now. Check the app's clock and try again.")
        return code
