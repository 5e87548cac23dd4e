"""The comment forms: the public one (WordPress's field names) and the moderators' edit and reply forms.

Limits are WordPress's column sizes. Longer input is refused with a message
saying by how much, never cut.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.base_user import BaseUserManager
from django.core.validators import URLValidator

from broadsheet.comments.models import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, TEXT_MAX_LENGTH, URL_MAX_LENGTH

HONEYPOT_FIELD = "comment_reference"
STAMP_FIELD = "comment_stamp"
CONSENT_FIELD = "wp-comment-cookies-consent"


def _too_long(label: str, limit: int) -> str:
    return f"{label} is too long: at most {limit:,} characters, and yours has %(show_value)s."


class CommenterFieldsMixin(forms.Form):
    """Name, email and website with WordPress's limits and plain-spoken messages."""

    author = forms.CharField(
        label="Name", max_length=NAME_MAX_LENGTH, required=False,
        error_messages={"max_length": _too_long("Your name", NAME_MAX_LENGTH)},
    )  # fmt: skip
    email = forms.EmailField(
        label="Email", max_length=EMAIL_MAX_LENGTH, required=False,
        error_messages={
            "max_length": _too_long("Your email address", EMAIL_MAX_LENGTH),
            "invalid": "Please enter a valid email address.",
        },
    )  # fmt: skip
    url = forms.URLField(
        label="Website", max_length=URL_MAX_LENGTH, required=False, assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"], message="Your website must be an http or https address.")],
        error_messages={
            "max_length": _too_long("Your website address", URL_MAX_LENGTH),
            "invalid": "Please enter a valid website address.",
        },
    )  # fmt: skip

    def clean_email(self):
        email = self.cleaned_data.get("email", "")
        return BaseUserManager.normalize_email(email) if email else ""

    def clean_url(self):
        url = self.cleaned_data.get("url", "")
        if len(url) > URL_MAX_LENGTH:  # "example.com" gained "https://"
            raise forms.ValidationError(
                f"Your website address is too long: at most {URL_MAX_LENGTH} characters with its https://."
            )
        return url


class CommentForm(CommenterFieldsMixin):
    """The public form. Signed-in users' name, email and website come from their account."""

    comment = forms.CharField(
        label="Comment", max_length=TEXT_MAX_LENGTH,
        error_messages={
            "required": "Please type your comment text.",
            "max_length": _too_long("Your comment", TEXT_MAX_LENGTH),
        },
    )  # fmt: skip
    comment_parent = forms.IntegerField(min_value=0, max_value=2**62, required=False)

    def __init__(self, *args, identity_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.identity_required = identity_required
        self.fields[CONSENT_FIELD] = forms.BooleanField(required=False)
        self.fields[HONEYPOT_FIELD] = forms.CharField(required=False, strip=False)
        self.fields[STAMP_FIELD] = forms.CharField(required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if self.identity_required:
            if "author" in data and not data["author"]:
                self.add_error("author", "Please give your name.")
            if "email" in data and not data["email"] and "email" not in self.errors:
                self.add_error("email", "Please give your email address (it is never shown).")
        return data


class CommentEditForm(CommenterFieldsMixin):
    """A moderator's edit of a comment: text, name, email and website."""

    body = forms.CharField(
        label="Comment", max_length=TEXT_MAX_LENGTH, widget=forms.Textarea,
        error_messages={"max_length": _too_long("The comment", TEXT_MAX_LENGTH)},
    )  # fmt: skip

    def clean_author(self):
        author = self.cleaned_data.get("author", "")
        if not author:
            raise forms.ValidationError("A comment needs a name.")
        return author


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply", max_length=TEXT_MAX_LENGTH, widget=forms.Textarea,
        error_messages={"required": "Please type your reply.", "max_length": _too_long("Your reply", TEXT_MAX_LENGTH)},
    )  # fmt: skip
