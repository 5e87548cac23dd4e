"""Signing in (password, then two-factor code), and resetting a forgotten password."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from broadsheet.accounts import throttling, two_factor
from broadsheet.accounts.forms.fields import NAME_MAX_LENGTH, email_field, new_password_fields, password_field

# One message for every wrong name or password: it never says which, or whether the account exists.
INVALID_LOGIN = "That username or email address and password do not match. Check them and try again."
INVALID_CODE = "That code is not right, or has been used already. Check your app's current code and try again."


class LoginForm(forms.Form):
    """The password step, throttled per account name and address (``throttling.py``)."""

    username = forms.CharField(
        label="Username or email address",
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )
    password = password_field()

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        self.lockout = None  # the pause in force, if the answer was refused for it
        super().__init__(*args, **kwargs)

    def clean(self):
        name = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not name or not password:
            return self.cleaned_data
        account = throttling.account_key(name)
        address = throttling.address_of(self.request)
        step = throttling.Step.PASSWORD
        lockout = throttling.sign_in_lockout(step=step, account=account, address=address)
        if lockout is not None:  # paused: not even a right password is checked
            self.lockout = lockout
            raise ValidationError(lockout.message, code="locked")
        user = authenticate(self.request, username=name, password=password)
        if user is None:
            throttling.record_attempt(step=step, account=account, address=address)
            self.lockout = throttling.sign_in_lockout(step=step, account=account, address=address)
            if self.lockout is not None:  # this failure started a pause: say so at once
                raise ValidationError(self.lockout.message, code="locked")
            raise ValidationError(INVALID_LOGIN, code="invalid_login")
        throttling.clear_failures(step=step, accounts=[account, *throttling.account_names(user)])
        self.user = user
        return self.cleaned_data


class CodeForm(forms.Form):
    """The second step: a code from the authenticator app, or a recovery code; throttled per account."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The six-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, request, user, *args, **kwargs):
        self.request = request
        self.user = user
        self.kind = None
        self.lockout = None
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"]
        account = throttling.user_key(self.user)
        address = throttling.address_of(self.request)
        step = throttling.Step.CODE
        lockout = throttling.sign_in_lockout(step=step, account=account, address=address)
        if lockout is not None:
            self.lockout = lockout
            raise ValidationError(lockout.message, code="locked")
        self.kind = two_factor.verify(self.user, code)
        if self.kind is None:
            throttling.record_attempt(step=step, account=account, address=address)
            self.lockout = throttling.sign_in_lockout(step=step, account=account, address=address)
            if self.lockout is not None:
                raise ValidationError(self.lockout.message, code="locked")
            raise ValidationError(INVALID_CODE, code="invalid_code")
        throttling.clear_failures(step=step, accounts=[account])
        return code


class PasswordResetRequestForm(forms.Form):
    email = email_field(
        help_text="The address of your account. If an account uses it, a link to choose a new password is sent to it."
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's form for a new password (validators, confirmation), with length limits."""

    new_password1, new_password2 = new_password_fields()
