"""Create a user with a role: ``broadsheet createuser`` (this command behind the CLI)."""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from broadsheet.accounts.roles import ROLES, create_user

_ATTEMPTS = 3


class Command(BaseCommand):
    help = (
        "Create a user with a WordPress-style role. At a terminal it asks for the password twice "
        "(hidden); with --password-stdin, or when standard input is not a terminal, it reads one line from it."
    )
    stealth_options = ("stdin",)  # call_command(..., stdin=StringIO("…")) in tests

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--role", choices=ROLES, default="author")
        parser.add_argument("--display-name", default="", help="The name shown on the site (never the login).")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input (for scripts)."
        )

    def handle(self, username, email, role, display_name, password_stdin, **options):
        self.stdin = options.get("stdin") or sys.stdin
        from django.contrib.auth import get_user_model

        if get_user_model()._default_manager.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if password_stdin or not _is_terminal(self.stdin):
            password = self._password_from_stdin()
            candidate = get_user_model()(username=username, email=email)
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError("Password refused: " + " ".join(error.messages)) from error
        else:
            password = self._password_from_terminal(username, email)
        try:
            user = create_user(username, email=email, role=role, password=password, display_name=display_name or None)
        except ValidationError as error:
            raise CommandError("Refused: " + " ".join(error.messages)) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created {role} {user.username}.")
        if not display_name:
            self.stdout.write("Their name on the site is “Author” until they set one at /desk/profile/.")

    def _password_from_stdin(self) -> str:
        password = self.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("No password on standard input (give it as the first line).")
        return password

    def _password_from_terminal(self, username: str, email: str) -> str:
        from django.contrib.auth import get_user_model

        candidate = get_user_model()(username=username, email=email)
        for _attempt in range(_ATTEMPTS):
            password = getpass.getpass("Password: ")
            if not password:
                self.stderr.write("The password cannot be empty.")
                continue
            if getpass.getpass("Password (again): ") != password:
                self.stderr.write("The two passwords are not the same. Try again.")
                continue
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.stderr.write("Password refused: " + " ".join(error.messages))
                continue
            return password
        raise CommandError("No acceptable password given.")


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
