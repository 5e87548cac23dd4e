"""BROADSHEET_EMAIL_URL becomes Django's mail settings."""

from __future__ import annotations

import pytest

from broadsheet.conf.mail import parse_email_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_empty_prints_on_the_console():
    assert parse_email_url("") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_smtp_uses_starttls_on_the_submission_port():
    assert parse_email_url("smtp://robot:s3cret@mail.example.org") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "robot",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_smtps_uses_tls_from_the_start():
    config = parse_email_url("smtps://robot:pw@mail.example.org")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (465, True, False)


def test_a_local_relay_without_tls():
    config = parse_email_url("smtp://localhost:25?tls=off")
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == ("localhost", 25, False)
    assert config["EMAIL_HOST_USER"] == config["EMAIL_HOST_PASSWORD"] == ""


def test_percent_encoded_credentials():
    config = parse_email_url("smtp://me%40example.org:p%40ss%3Aw%2Frd@mail.example.org:2525")
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("me@example.org", "p@ss:w/rd")
    assert config["EMAIL_PORT"] == 2525


def test_file_and_memory_backends():
    assert parse_email_url("file:///var/mail/blog")["EMAIL_FILE_PATH"] == "/var/mail/blog"
    assert parse_email_url("memory:")["EMAIL_BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize(
    "url,reason",
    [
        ("imap://mail.example.org", "unknown scheme 'imap'"),
        ("smtp://", "needs a host"),
        ("smtp://mail.example.org:99999", "not a valid URL"),
        ("file://", "needs a folder"),
    ],
)
def test_unusable_urls_are_refused_with_the_reason(url, reason):
    with pytest.raises(ValueError, match=reason):
        parse_email_url(url)


def test_the_password_is_not_in_the_error():
    with pytest.raises(ValueError) as error:
        parse_email_url("smtp://user:hunter2@mail.example.org:notaport")
    assert "hunter2" not in str(error.value)
