from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from broadsheet.accounts.roles import ROLES, create_user


class Command(BaseCommand):
    help = "Create a user with a WordPress-style role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--role", choices=ROLES, default="author")
        parser.add_argument("--password", required=True)

    def handle(self, username, email, role, password, **options):
        try:
            user = create_user(username, email=email, role=role, password=password)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from error
        except IntegrityError as error:
            raise CommandError(f"A user named {username!r} already exists.") from error
        self.stdout.write(f"Created {role} {user.username}.")
