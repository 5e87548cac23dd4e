"""WordPress's roles, as Django groups: administrator, editor, author, contributor.

What each role may do is ``capabilities.py``; this module gives users their role. Administrators
are also Django superusers (the admin site is theirs), and editors staff. A site always keeps
one active administrator: ``set_role`` and ``set_active`` refuse to remove the last.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

ROLES = ("administrator", "editor", "author", "contributor")


class LastAdministratorError(ValueError):
    """The change would leave the site with no active administrator."""


@transaction.atomic
def create_user(
    username: str,
    *,
    email: str,
    role: str,
    password: str | None,
    display_name: str | None = None,
):
    """Create a user with ``role``; administrators are Django superusers.

    ``password`` None gives an unusable password (send a reset link to set one). With a
    ``display_name``, the user's public author profile is made at once (else at first use).
    Raise ``ValueError`` (unknown role, login or email address taken) or ``ValidationError``
    (a login Django refuses, a weak password).
    """
    from django.contrib.auth.password_validation import validate_password

    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    User = get_user_model()
    validate_username(username)
    if User._default_manager.filter(username__iexact=username).exists():
        raise ValueError(f"A user named {username!r} already exists.")
    if email and User._default_manager.filter(email__iexact=email).exists():
        raise ValueError(f"Another user already has the email address {email!r}.")
    user = User(username=username, email=email)
    _apply_role_flags(user, role)
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    user.groups.add(_group(role))
    if display_name:
        from broadsheet.accounts.authors import ensure_author

        ensure_author(user, display_name)
    return user


def validate_username(username: str) -> None:
    """Raise ``ValidationError`` unless Django accepts ``username`` as a login."""
    field = get_user_model()._meta.get_field("username")
    if not username:
        raise ValidationError("A login is required.")
    if len(username) > field.max_length:
        raise ValidationError(f"A login has at most {field.max_length} characters.")
    field.run_validators(username)


def is_administrator(user) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name="administrator").exists())


def active_administrators():
    """Return the queryset of active administrators (superusers or members of the group)."""
    return (
        get_user_model()
        ._default_manager.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name="administrator"))
        .distinct()
    )


def role_from_groups(user) -> str | None:
    """Return ``user``'s role using its prefetched groups (for lists: no query per user)."""
    if user.is_superuser:
        return "administrator"
    names = {group.name for group in user.groups.all()}
    return next((role for role in ROLES if role in names), None)


@transaction.atomic
def set_role(user, role: str) -> None:
    """Give ``user`` the role ``role`` (and only it)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role != "administrator":
        _keep_an_administrator(user, "change the role of")
    _apply_role_flags(user, role)
    user.save(update_fields=["is_superuser", "is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=ROLES))
    user.groups.add(_group(role))
    user.__dict__.pop("_broadsheet_role", None)  # the role cached for the request


@transaction.atomic
def set_active(user, active: bool) -> None:
    """Let ``user`` sign in again, or stop them (their content stays, with their name)."""
    if not active:
        _keep_an_administrator(user, "deactivate")
    user.is_active = active
    user.save(update_fields=["is_active"])


def _keep_an_administrator(user, action: str) -> None:
    # Lock the administrators' rows so two administrators demoting each other at once
    # cannot both succeed (PostgreSQL; SQLite serialises writers anyway).
    User = get_user_model()
    candidates = User._default_manager.filter(pk__in=active_administrators().values("pk"))
    administrators = list(candidates.select_for_update().values_list("pk", flat=True))
    if user.pk in administrators and len(administrators) == 1:
        raise LastAdministratorError(
            f"You cannot {action} the last administrator: make another user an administrator first."
        )


def _apply_role_flags(user, role: str) -> None:
    user.is_superuser = role == "administrator"
    user.is_staff = role in ("administrator", "editor")


def _group(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=role)
    return group
