"""Two-factor sign-in: set-up from the profile, the code step, recovery codes, turning it off."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from broadsheet.accounts import two_factor, two_step
from broadsheet.accounts.models import RecoveryCode, TOTPDevice
from tests.accounts.conftest import PASSWORD, make_user, sign_in


@pytest.fixture
def ann(site):
    return make_user("author", "ann", email="ann@example.org")


def _code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def _setup_secret(client) -> str:
    page = client.get("/desk/profile/two-factor/").content.decode()
    shown = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    return shown.replace(" ", "")


def _enable(ann) -> tuple[str, list[str]]:
    """Turn two-factor on for ``ann`` directly; return the secret and the recovery codes."""
    secret = two_factor.new_secret()
    codes = two_factor.enable(ann, secret, _code(secret))
    TOTPDevice.objects.filter(user=ann).update(last_used_step=0)  # as if enabled a while ago
    return secret, codes


class TestSetUp:
    def test_page_shows_a_qr_code_as_inline_svg_without_script(self, ann):
        client = Client()
        client.force_login(ann)
        response = client.get("/desk/profile/two-factor/")
        page = response.content.decode()
        assert response.status_code == 200
        assert '<svg width="245" height="245" class="qr-code">' in page
        assert "<script" not in page and " style=" not in page  # nothing the CSP would block
        assert "no-cache" in response["Cache-Control"]

    def test_the_secret_stays_the_same_across_reloads_until_confirmed(self, ann):
        client = Client()
        client.force_login(ann)
        assert _setup_secret(client) == _setup_secret(client)

    def test_a_wrong_code_does_not_turn_it_on(self, ann):
        client = Client()
        client.force_login(ann)
        secret = _setup_secret(client)
        wrong = f"{(int(_code(secret)) + 1) % 1_000_000:06d}"
        response = client.post("/desk/profile/two-factor/", {"action": "enable", "code": wrong})
        assert response.status_code == 400
        assert "not the code the app shows" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=ann).exists()

    def test_the_current_code_turns_it_on_and_shows_recovery_codes_once(self, ann):
        client = Client()
        client.force_login(ann)
        secret = _setup_secret(client)
        response = client.post("/desk/profile/two-factor/", {"action": "enable", "code": _code(secret)})
        assert response.status_code == 200
        codes = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", response.content.decode())
        assert len(codes) == 10 and len(set(codes)) == 10
        assert TOTPDevice.objects.get(user=ann).secret == secret
        stored = set(RecoveryCode.objects.filter(user=ann).values_list("code_hash", flat=True))
        assert len(stored) == 10 and not any(code in hash_ for code in codes for hash_ in stored)  # hashed
        assert codes[0] not in client.get("/desk/profile/two-factor/").content.decode()
        assert "Two-factor sign-in is <strong>on</strong>" in client.get("/desk/profile/two-factor/").content.decode()


class TestSignIn:
    def test_password_step_alone_does_not_sign_in(self, ann):
        secret, _codes = _enable(ann)
        client = Client()
        response = sign_in(client, "ann")
        assert response["Location"] == "/accounts/login/code/"
        assert client.session.get(SESSION_KEY) is None
        assert client.get("/desk/").status_code == 302  # still to the sign-in page
        response = client.post("/accounts/login/code/", {"code": _code(secret)})
        assert response.status_code == 302 and response["Location"] == "/desk/"
        assert client.session.get(SESSION_KEY) == str(ann.pk)

    def test_a_wrong_password_never_reaches_the_code_step(self, ann):
        _enable(ann)
        client = Client()
        assert sign_in(client, "ann", "wrong").status_code == 400
        assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"

    def test_next_survives_the_code_step(self, ann):
        secret, _codes = _enable(ann)
        client = Client()
        sign_in(client, "ann", next="/desk/posts/")
        assert client.post("/accounts/login/code/", {"code": _code(secret)})["Location"] == "/desk/posts/"

    def test_session_key_changes_at_both_steps(self, ann):
        secret, _codes = _enable(ann)
        client = Client()
        client.get("/accounts/login/")
        session = client.session
        session["planted"] = 1
        session.save()
        first = session.session_key
        sign_in(client, "ann")
        second = client.cookies["sessionid"].value
        client.post("/accounts/login/code/", {"code": _code(secret)})
        third = client.cookies["sessionid"].value
        assert len({first, second, third}) == 3

    def test_a_code_works_only_once(self, ann):
        secret, _codes = _enable(ann)
        code = _code(secret)
        first = Client()
        sign_in(first, "ann")
        assert first.post("/accounts/login/code/", {"code": code}).status_code == 302
        second = Client()
        sign_in(second, "ann")
        response = second.post("/accounts/login/code/", {"code": code})
        assert response.status_code == 400
        assert "has been used already" in response.content.decode()

    def test_the_previous_step_code_is_accepted_for_clock_drift(self, ann):
        secret, _codes = _enable(ann)
        client = Client()
        sign_in(client, "ann")
        assert client.post("/accounts/login/code/", {"code": _code(secret, -1)}).status_code == 302

    def test_a_code_two_steps_old_is_refused(self, ann):
        secret, _codes = _enable(ann)
        client = Client()
        sign_in(client, "ann")
        old = _code(secret, -3)
        if old in {_code(secret, offset) for offset in (-1, 0, 1)}:
            pytest.skip("the old code happens to equal a current one")
        assert client.post("/accounts/login/code/", {"code": old}).status_code == 400

    def test_the_code_step_expires(self, ann, monkeypatch):
        secret, _codes = _enable(ann)
        client = Client()
        sign_in(client, "ann")
        real_time = time.time
        monkeypatch.setattr(two_step.time, "time", lambda: real_time() + two_step.PENDING_SECONDS + 1)
        response = client.post("/accounts/login/code/", {"code": _code(secret)})
        assert response["Location"] == "/accounts/login/"
        assert client.session.get(SESSION_KEY) is None

    def test_wrong_codes_are_throttled_per_account(self, ann):
        secret, _codes = _enable(ann)
        client = Client()
        sign_in(client, "ann")
        for _ in range(4):
            assert client.post("/accounts/login/code/", {"code": "000000"}).status_code == 400
        assert client.post("/accounts/login/code/", {"code": "000000"}).status_code == 429
        right = client.post("/accounts/login/code/", {"code": _code(secret)})
        assert right.status_code == 429  # paused: not even the right code is checked
        assert "signing in is paused until" in right.content.decode()
        other = Client(REMOTE_ADDR="192.0.2.9")  # a new password step does not reset the count
        sign_in(other, "ann")
        assert other.post("/accounts/login/code/", {"code": _code(secret)}).status_code == 429


class TestRecoveryCodes:
    def test_a_recovery_code_signs_in_once(self, ann):
        _secret, codes = _enable(ann)
        client = Client()
        sign_in(client, "ann")
        response = client.post("/accounts/login/code/", {"code": codes[3].upper().replace("-", " ")}, follow=True)
        assert client.session.get(SESSION_KEY) == str(ann.pk)
        assert "9 left" in response.content.decode()
        again = Client()
        sign_in(again, "ann")
        assert again.post("/accounts/login/code/", {"code": codes[3]}).status_code == 400
        assert again.post("/accounts/login/code/", {"code": codes[4]}).status_code == 302

    def test_new_recovery_codes_need_the_password_and_replace_the_old(self, ann):
        _secret, codes = _enable(ann)
        client = Client()
        client.force_login(ann)
        refused = client.post("/desk/profile/two-factor/", {"action": "recovery", "password": "wrong"})
        assert refused.status_code == 400
        response = client.post("/desk/profile/two-factor/", {"action": "recovery", "password": PASSWORD})
        new_codes = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", response.content.decode())
        assert len(new_codes) == 10
        assert two_factor.verify(ann, codes[0]) is None
        assert two_factor.verify(ann, new_codes[0]) == "recovery"


class TestTurningOff:
    def test_turning_off_needs_the_password(self, ann):
        _enable(ann)
        client = Client()
        client.force_login(ann)
        response = client.post("/desk/profile/two-factor/", {"action": "disable", "password": "wrong"})
        assert response.status_code == 400
        assert "not your current password" in response.content.decode()
        assert TOTPDevice.objects.filter(user=ann).exists()
        response = client.post("/desk/profile/two-factor/", {"action": "disable", "password": PASSWORD})
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=ann).exists()
        assert not RecoveryCode.objects.filter(user=ann).exists()
        assert sign_in(Client(), "ann")["Location"] == "/desk/"  # the password alone again

    def test_wrong_passwords_there_count_towards_the_throttle(self, ann):
        _enable(ann)
        client = Client()
        client.force_login(ann)
        for _ in range(5):
            client.post("/desk/profile/two-factor/", {"action": "disable", "password": "wrong"})
        response = client.post("/desk/profile/two-factor/", {"action": "disable", "password": PASSWORD})
        assert response.status_code == 400
        assert "signing in is paused" in response.content.decode()
        assert TOTPDevice.objects.filter(user=ann).exists()
