"""Sign-in throttling: per account name and per address, kept in the database, with the same answers
for accounts that exist and names that do not."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client

from broadsheet.accounts import throttling
from broadsheet.accounts.models import LoginAttempt
from tests.accounts.conftest import PASSWORD, make_user, sign_in, without_csrf_token

NOON = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)  # 13:00 in London (BST)


@pytest.fixture
def ann(site):
    return make_user("author", "ann", email="ann@example.org")


@pytest.fixture
def clock():
    """Freeze the throttle's clock; ``clock.now = …`` moves it."""

    class Clock:
        now = NOON

    moving = Clock()
    with mock.patch.object(throttling, "_now", lambda: moving.now):
        yield moving


def _fail(client, name, times, **extra):
    responses = [sign_in(client, name, "wrong password", **extra) for _ in range(times)]
    return responses[-1]


def test_five_wrong_passwords_pause_the_account_name(ann, client, clock):
    assert _fail(client, "ann", 4).status_code == 400
    fifth = _fail(client, "ann", 1)
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "signing in is paused until 13:15 (BST), in 15 minutes" in page
    assert fifth["Retry-After"] == "901"
    right = sign_in(client, "ann")  # even the right password is not checked while paused
    assert right.status_code == 429
    assert client.session.get(SESSION_KEY) is None


def test_the_pause_ends_after_fifteen_minutes(ann, client, clock):
    _fail(client, "ann", 5)
    clock.now = NOON + datetime.timedelta(minutes=14, seconds=59)
    assert sign_in(client, "ann").status_code == 429
    clock.now = NOON + datetime.timedelta(minutes=15, seconds=1)
    assert sign_in(client, "ann").status_code == 302


def test_attempts_while_paused_do_not_extend_the_pause(ann, client, clock):
    _fail(client, "ann", 5)
    clock.now = NOON + datetime.timedelta(minutes=10)
    _fail(client, "ann", 3)
    assert LoginAttempt.objects.filter(account="ann").count() == 5
    clock.now = NOON + datetime.timedelta(minutes=16)
    assert sign_in(client, "ann").status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_pause(ann, client, clock):
    for minute in range(0, 80, 16):  # five failures, sixteen minutes apart
        clock.now = NOON + datetime.timedelta(minutes=minute)
        assert _fail(client, "ann", 1).status_code == 400
    assert sign_in(client, "ann").status_code == 302


def test_success_clears_the_account_count(ann, clock):
    client = Client()
    _fail(client, "ann", 4)
    assert sign_in(client, "ann").status_code == 302
    client.post("/accounts/logout/")
    assert _fail(client, "ann", 4).status_code == 400  # four more: not five in a row
    assert sign_in(client, "ann").status_code == 302


def test_success_does_not_clear_the_address_count(site, clock):
    make_user("author", "mallory")
    client = Client()
    for number in range(19):
        sign_in(client, f"guess{number}", "wrong")
    assert sign_in(client, "mallory").status_code == 302
    client.post("/accounts/logout/")
    assert _fail(client, "someone-else", 1).status_code == 429  # the twentieth from this address


def test_a_pause_on_one_name_leaves_others_free(ann, client, clock):
    make_user("author", "bea")
    _fail(client, "ann", 5)
    assert sign_in(client, "bea").status_code == 302


def test_twenty_failures_from_one_address_pause_every_name_from_it(ann, clock):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(19):
        assert sign_in(attacker, f"name{number}", "wrong").status_code == 400  # each name fails once
    last = sign_in(attacker, "name19", "wrong")
    assert last.status_code == 429
    assert sign_in(attacker, "ann").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="203.0.113.8"), "ann").status_code == 302  # others are not paused


def test_forged_forwarded_for_does_not_escape_the_address_pause(ann, clock, settings):
    settings.TRUSTED_PROXIES = 0
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(20):
        sign_in(attacker, f"name{number}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert sign_in(attacker, "ann", HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(ann, clock, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for number in range(20):
        sign_in(proxy, f"name{number}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert sign_in(proxy, "ann", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert sign_in(proxy, "ann", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def test_an_ipv6_network_counts_as_one_address(ann, clock):
    for number in range(20):
        sign_in(Client(REMOTE_ADDR=f"2001:db8:1:2::{number + 1:x}"), f"name{number}", "wrong")
    assert sign_in(Client(REMOTE_ADDR="2001:db8:1:2:ffff::9"), "ann").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="2001:db8:1:3::1"), "ann").status_code == 302


def test_the_count_lives_in_the_database_not_a_process_cache(ann, clock):
    """Several server processes share the database, not a per-process cache."""
    _fail(Client(), "ann", 5)
    cache.clear()
    assert LoginAttempt.objects.filter(step="password", account="ann").count() == 5
    assert sign_in(Client(), "ann").status_code == 429


def test_names_are_counted_case_insensitively(ann, client, clock):
    for name in ("ann", "ANN", "Ann", "aNN", "anN"):
        sign_in(client, name, "wrong")
    assert sign_in(client, "ann").status_code == 429


def test_old_attempts_are_forgotten(ann, client, clock):
    _fail(client, "ann", 3)
    clock.now = NOON + datetime.timedelta(hours=3)
    _fail(client, "bob", 1)
    assert list(LoginAttempt.objects.values_list("account", flat=True)) == ["bob"]


def test_a_sign_in_attempt_costs_a_bounded_number_of_queries(ann, client, clock, django_assert_max_num_queries):
    LoginAttempt.objects.bulk_create(
        LoginAttempt(step="password", account=f"x{number}", address="127.0.0.1", created_at=NOON - datetime.timedelta(days=1))
        for number in range(500)
    )
    with django_assert_max_num_queries(8):  # site settings, 2 counts, the user, the insert, pruning, 2 counts
        assert sign_in(client, "ann", "wrong").status_code == 400


# -- the same answers whether or not the account exists ---------------------------------------


def _answer(client, name, password="wrong password"):
    response = sign_in(client, name, password)
    body = without_csrf_token(response.content.decode()).replace(f'value="{name}"', 'value="NAME"')
    return response.status_code, response.get("Retry-After"), body


@pytest.mark.parametrize("known,unknown", [("ann", "nobody"), ("ann@example.org", "nobody@example.org")])
def test_wrong_password_answer_is_identical_for_known_and_unknown_accounts(ann, clock, known, unknown):
    """Every attempt, up to and after the pause, answers byte for byte the same (no user enumeration)."""
    for attempt in range(7):
        assert _answer(Client(REMOTE_ADDR="192.0.2.1"), known) == _answer(Client(REMOTE_ADDR="192.0.2.2"), unknown), (
            attempt
        )


def test_pause_message_is_identical_for_known_and_unknown_accounts(ann, clock):
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="192.0.2.1"), "ann", "wrong")
        sign_in(Client(REMOTE_ADDR="192.0.2.2"), "nobody", "wrong")
    known = _answer(Client(REMOTE_ADDR="192.0.2.1"), "ann", PASSWORD)  # the right password, while paused
    unknown = _answer(Client(REMOTE_ADDR="192.0.2.2"), "nobody", PASSWORD)
    assert known[0] == 429
    assert known == unknown
