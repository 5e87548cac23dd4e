"""Password reset by email: the same answer for any address, a link that works once and expires."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client

from broadsheet.accounts.password_reset import reset_link
from tests.accounts.conftest import PASSWORD, make_user, sign_in, without_csrf_token

NEW_PASSWORD = "a completely different passphrase 7"


@pytest.fixture
def ann(site):
    return make_user("author", "ann", email="ann@example.org")


def _ask(client, email):
    return client.post("/accounts/password-reset/", {"email": email})


def _link_in(message) -> str:
    return re.search(r"http://\S+/accounts/password-reset/\S+/", message.body).group(0)


def _set_password(client, link, password=NEW_PASSWORD):
    """Follow a reset link as a browser does; return the final response."""
    path = link.removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    if response.status_code != 302:  # an invalid link answers at once
        return response
    return client.post(response["Location"], {"new_password1": password, "new_password2": password})


class ShiftedTokenGenerator(PasswordResetTokenGenerator):
    """Django's generator with its clock moved: tokens made "in the past"."""

    def __init__(self, shift: datetime.timedelta):
        super().__init__()
        self.shift = shift

    def _now(self):
        return super()._now() + self.shift


def test_a_reset_link_is_mailed_to_the_account(ann, client, settings):
    settings.SITE_URL = "https://blog.example"
    response = _ask(client, "ANN@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "https://blog.example/accounts/password-reset/" in message.body  # the site's address, not Host
    assert "works once, for 24 hours" in message.body


def test_the_answer_is_identical_for_unknown_addresses(ann, client):
    known = _ask(Client(), "ann@example.org")
    unknown = _ask(Client(), "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    sent_page = without_csrf_token(client.get(known["Location"]).content.decode())
    assert "If an account uses the address you gave" in sent_page


def test_the_link_sets_a_new_password_and_works_once(ann):
    _ask(Client(), "ann@example.org")
    link = _link_in(mail.outbox[0])
    browser = Client()
    response = _set_password(browser, link)
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/done/"
    assert sign_in(Client(), "ann", NEW_PASSWORD).status_code == 302
    assert sign_in(Client(), "ann", PASSWORD).status_code == 400
    again = _set_password(Client(), link, "yet another passphrase 99")
    assert again.status_code == 200
    assert "This link no longer works" in again.content.decode()
    assert sign_in(Client(), "ann", NEW_PASSWORD).status_code == 302


def test_the_token_leaves_the_address_bar_before_the_form(ann):
    """Django's view swaps the token for a session value, so no Referer can leak it."""
    link = reset_link(ann)
    token = link.rstrip("/").rsplit("/", 1)[1]
    response = Client().get(link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 302
    assert token not in response["Location"] and response["Location"].endswith("/set-password/")


def test_a_link_older_than_a_day_is_refused(ann, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 24 * 3600
    old = reset_link(ann, ShiftedTokenGenerator(-datetime.timedelta(hours=24, minutes=1)))
    response = _set_password(Client(), old)
    assert "This link no longer works" in response.content.decode()
    fresh = reset_link(ann, ShiftedTokenGenerator(-datetime.timedelta(hours=23, minutes=59)))
    assert _set_password(Client(), fresh).status_code == 302


def test_a_tampered_link_is_refused(ann):
    link = reset_link(ann)
    response = _set_password(Client(), link[:-3] + ("x" if link[-3] != "x" else "y") + "/")
    assert "This link no longer works" in response.content.decode()


def test_signing_in_meanwhile_spends_the_link(ann):
    link = reset_link(ann)
    assert sign_in(Client(), "ann").status_code == 302  # last_login changes
    assert "This link no longer works" in _set_password(Client(), link).content.decode()


def test_the_new_password_is_checked_by_the_validators(ann):
    response = _set_password(Client(), reset_link(ann), "short")
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_a_reset_ends_the_pause_on_the_account(ann):
    for _ in range(5):
        sign_in(Client(), "ann", "wrong")
    assert sign_in(Client(), "ann").status_code == 429
    _set_password(Client(), reset_link(ann))
    assert sign_in(Client(), "ann", NEW_PASSWORD).status_code == 302


def test_a_reset_ends_other_sessions(ann):
    elsewhere = Client()
    elsewhere.force_login(ann)
    _set_password(Client(), reset_link(ann))
    assert elsewhere.get("/desk/").status_code == 302
    assert elsewhere.session.get(SESSION_KEY) is None


def test_deactivated_accounts_get_no_mail(ann):
    make_user("administrator", "root")
    ann.is_active = False
    ann.save()
    _ask(Client(), "ann@example.org")
    assert mail.outbox == []


def test_mail_to_one_address_is_limited(ann):
    for _ in range(5):
        assert _ask(Client(), "ann@example.org").status_code == 302
    assert len(mail.outbox) == 3  # at most three an hour to one address; the answer never changes


def test_requests_from_one_address_are_limited(site):
    for number in range(12):
        make_user("author", f"user{number}")
        _ask(Client(REMOTE_ADDR="192.0.2.50"), f"user{number}@example.org")
    assert len(mail.outbox) == 10


def test_over_long_address_is_refused_with_a_message(site, client):
    response = _ask(client, "a" * 200 + "@example.org")
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
