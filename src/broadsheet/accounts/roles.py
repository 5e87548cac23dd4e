"""WordPress's roles, as Django groups: administrator, editor, author, contributor."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

ROLES = ("administrator", "editor", "author", "contributor")


@transaction.atomic
def create_user(username: str, *, email: str, role: str, password: str):
    """Create a user with ``role``; administrators are Django superusers."""
    from django.contrib.auth.password_validation import validate_password

    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    User = get_user_model()
    user = User(username=username, email=email, is_staff=role in ("administrator", "editor"))
    user.is_superuser = role == "administrator"
    validate_password(password, user)
    user.set_password(password)
    user.save()
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user
