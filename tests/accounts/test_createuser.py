"""``broadsheet createuser``: the password from standard input (scripts) or asked twice at a terminal."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from broadsheet.accounts.capabilities import role_of

GOOD = "a long enough passphrase 42"


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _create(*args, stdin="", **options):
    out = io.StringIO()
    call_command("create_user", *args, stdin=stdin if not isinstance(stdin, str) else io.StringIO(stdin),
                 stdout=out, stderr=io.StringIO(), **options)  # fmt: skip
    return out.getvalue()


@pytest.mark.django_db
class TestFromStandardInput:
    def test_creates_the_user_with_role_and_hashed_password(self, site):
        output = _create("ann", "--email", "ann@example.org", "--role", "editor", stdin=GOOD + "\n")
        assert "Created editor ann." in output
        user = get_user_model().objects.get(username="ann")
        assert role_of(user) == "editor" and user.is_staff and not user.is_superuser
        assert user.check_password(GOOD) and user.password.startswith("argon2$")

    def test_administrators_are_superusers(self, site):
        _create("root", "--role", "administrator", "--password-stdin", stdin=GOOD + "\n")
        assert get_user_model().objects.get(username="root").is_superuser

    def test_display_name_makes_the_author_with_a_slug_from_it(self, site):
        _create("jdoe", "--display-name", "Jane Doe", stdin=GOOD + "\n")
        author = get_user_model().objects.get(username="jdoe").author
        assert (author.display_name, author.slug) == ("Jane Doe", "jane-doe")

    def test_weak_password_is_refused(self, site):
        with pytest.raises(CommandError, match="Password refused: This password is too short"):
            _create("ann", stdin="short\n")
        with pytest.raises(CommandError, match="too common"):
            _create("ann", stdin="password123\n")
        assert not get_user_model().objects.filter(username="ann").exists()

    def test_empty_input_is_refused(self, site):
        with pytest.raises(CommandError, match="No password on standard input"):
            _create("ann", stdin="")

    def test_duplicate_login_is_refused_in_any_case(self, site):
        _create("ann", stdin=GOOD + "\n")
        with pytest.raises(CommandError, match="A user named 'Ann' already exists"):
            _create("Ann", stdin=GOOD + "\n")

    def test_duplicate_email_is_refused(self, site):
        _create("ann", "--email", "ann@example.org", stdin=GOOD + "\n")
        with pytest.raises(CommandError, match="already has the email address"):
            _create("bob", "--email", "ANN@example.org", stdin=GOOD + "\n")

    def test_unknown_role_is_refused(self, site):
        with pytest.raises(CommandError, match="invalid choice: 'boss'"):
            _create("ann", "--role", "boss", stdin=GOOD + "\n")

    def test_invalid_login_is_refused(self, site):
        with pytest.raises(CommandError, match="Refused: Enter a valid username"):
            _create("ann smith", stdin=GOOD + "\n")


@pytest.mark.django_db
class TestAtATerminal:
    def test_asks_twice_and_retries_on_mismatch_and_weak_passwords(self, site, monkeypatch):
        answers = iter(["one passphrase here 1", "another one here 2", "short", "short", GOOD, GOOD])
        prompts = []
        monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(answers))
        err = io.StringIO()
        call_command("create_user", "ann", stdin=_Terminal(), stdout=io.StringIO(), stderr=err)
        assert prompts == ["Password: ", "Password (again): "] * 3
        assert "not the same" in err.getvalue() and "too short" in err.getvalue()
        assert get_user_model().objects.get(username="ann").check_password(GOOD)

    def test_gives_up_after_three_tries(self, site, monkeypatch):
        monkeypatch.setattr("getpass.getpass", lambda prompt: "short")
        with pytest.raises(CommandError, match="No acceptable password"):
            call_command("create_user", "ann", stdin=_Terminal(), stdout=io.StringIO(), stderr=io.StringIO())


# -- the real command, in a fresh installation ------------------------------------------------


def _environment(home) -> dict:
    environment = {**os.environ, "BROADSHEET_HOME": str(home)}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
        environment.pop(name, None)
    return environment


def test_cli_reads_the_password_from_a_pipe(tmp_path):
    command = [sys.executable, "-m", "broadsheet", "createuser", "ann", "--email", "ann@example.org", "--role", "editor"]
    result = subprocess.run(command, input=GOOD + "\n", env=_environment(tmp_path), capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created editor ann." in result.stdout
    weak = subprocess.run([*command[:4], "bob", "--password-stdin"], input="short\n", env=_environment(tmp_path),
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert weak.returncode == 1
    assert "Password refused" in weak.stderr
    role = subprocess.run([*command[:4], "cy", "--role", "boss"], input=GOOD, env=_environment(tmp_path),
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert role.returncode == 2 and "'boss' is not one of" in role.stderr


def _read_until(fd, text: str, timeout: float = 90) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {text!r} in {seen!r}")
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


def test_cli_at_a_terminal_asks_twice_without_echo(tmp_path):
    """A real pseudo-terminal: the prompts appear, the password is not echoed, the user is made."""
    subprocess.run([sys.executable, "-m", "broadsheet", "manage", "migrate", "-v", "0"], env=_environment(tmp_path),
                   check=True, timeout=120)  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as its standard input and output
        os.execve(sys.executable, [sys.executable, "-m", "broadsheet", "createuser", "ann", "--role", "author"],
                  _environment(tmp_path))  # fmt: skip
    try:
        _read_until(fd, "Password: ")
        os.write(fd, (GOOD + "\n").encode())
        shown = _read_until(fd, "Password (again): ")
        os.write(fd, (GOOD + "\n").encode())
        shown += _read_until(fd, "Created author ann.")
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert GOOD not in shown  # hidden input
    check = subprocess.run(
        [sys.executable, "-m", "broadsheet", "manage", "shell", "-c",
         f"from django.contrib.auth.models import User; print(User.objects.get(username='ann').check_password({GOOD!r}))"],
        env=_environment(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.stdout.strip().endswith("True"), check.stderr
