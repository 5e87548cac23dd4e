"""Administrators' forms for other people's accounts (/desk/users/)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from broadsheet.accounts.forms.fields import display_name_field, email_field, new_password_fields
from broadsheet.accounts.roles import ROLES, validate_username

ROLE_CHOICES = [(role, role.title()) for role in ROLES]


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="For signing in only; never shown on the site. Letters, digits and @ . + - _",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    email = email_field()
    display_name = display_name_field()
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="author")
    password_choice = forms.ChoiceField(
        label="Password",
        choices=[("link", "Email them a link to choose their own"), ("set", "Set one now")],
        initial="link",
        widget=forms.RadioSelect,
    )
    password1, password2 = new_password_fields("Password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].required = self.fields["password2"].required = False

    def clean_username(self):
        username = self.cleaned_data["username"]
        validate_username(username)
        if get_user_model()._default_manager.filter(username__iexact=username).exists():
            raise ValidationError("Another account has that username.")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model()._default_manager.filter(email__iexact=email).exists():
            raise ValidationError("Another account uses that address.")
        return email

    def clean(self):
        if self.cleaned_data.get("password_choice") != "set":
            self.cleaned_data["password1"] = None
            return self.cleaned_data
        password1, password2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if not password1:
            self.add_error("password1", "Enter a password, or choose to email a link.")
        elif password1 != password2:
            self.add_error("password2", "The two passwords are not the same.")
        else:
            candidate = get_user_model()(
                username=self.cleaned_data.get("username", ""), email=self.cleaned_data.get("email", "")
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return self.cleaned_data


class UserEditForm(forms.Form):
    email = email_field()
    display_name = display_name_field()
    role = forms.ChoiceField(choices=ROLE_CHOICES)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        others = get_user_model()._default_manager.exclude(pk=self.user.pk)
        if others.filter(email__iexact=email).exists():
            raise ValidationError("Another account uses that address.")
        return email
