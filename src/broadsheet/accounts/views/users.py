"""User management (/desk/users/): administrators only (``manage_users``), on every method.

Users are never deleted (their posts keep their name): they are deactivated, which signs
them out everywhere and stops them signing in. The last active administrator can be neither
demoted nor deactivated.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.accounts.authors import ensure_author, update_author
from broadsheet.accounts.capabilities import Capability, require
from broadsheet.accounts.forms.users import UserCreateForm, UserEditForm
from broadsheet.accounts.models import TOTPDevice
from broadsheet.accounts.password_reset import send_password_link
from broadsheet.accounts.roles import LastAdministratorError, create_user, role_from_groups, set_active, set_role

USERS_PER_PAGE = 100


def _administrators_only(view):
    """Sign-in required, then ``manage_users`` (403), before anything else, whatever the method."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        require(request.user, Capability.MANAGE_USERS)
        return view(request, *args, **kwargs)

    return wrapped


@_administrators_only
@require_http_methods(["GET", "HEAD"])
def user_list(request):
    users = (
        get_user_model()
        ._default_manager.select_related("author")
        .prefetch_related("groups")
        .annotate(has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"))))
        .order_by("username")
    )
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(user, role_from_groups(user), _display_name(user)) for user in page.object_list]
    return TemplateResponse(request, "accounts/user_list.html", {"page_obj": page, "rows": rows})


def _display_name(user) -> str:
    author = getattr(user, "author", None)  # the reverse one-to-one raises AttributeError when absent
    return author.display_name if author is not None else ""


@_administrators_only
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
def user_new(request):
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        user = create_user(
            data["username"],
            email=data["email"],
            role=data["role"],
            password=data["password1"],
            display_name=data["display_name"],
        )
        if data["password_choice"] == "link":
            if send_password_link(user, welcome=True):
                messages.success(request, f"Created {user.username}; a link to choose a password went to {user.email}.")
            else:
                messages.warning(request, f"Created {user.username}, but the email could not be sent: try again below.")
        else:
            messages.success(request, f"Created {user.username} with the password you set.")
        return redirect("accounts:user_edit", pk=user.pk)
    return TemplateResponse(request, "accounts/user_new.html", {"form": form}, status=400 if form.is_bound else 200)


@_administrators_only
@require_http_methods(["GET", "HEAD", "POST"])
def user_edit(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    author = ensure_author(user)
    role = role_from_groups(user)
    if request.method == "POST":
        form = UserEditForm(user, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["role"] != role:
                    set_role(user, data["role"])
            except LastAdministratorError as error:
                form.add_error("role", str(error))
            else:
                if data["email"] != user.email:
                    user.email = data["email"]
                    user.save(update_fields=["email"])
                update_author(
                    author, display_name=data["display_name"], bio=author.bio, website=author.website, email=user.email
                )
                messages.success(request, f"Saved {user.username}.")
                return redirect("accounts:user_edit", pk=user.pk)
    else:
        form = UserEditForm(user, initial={"email": user.email, "display_name": author.display_name, "role": role})
    context = {"subject": user, "author": author, "form": form, "role": role}
    return TemplateResponse(request, "accounts/user_edit.html", context, status=400 if form.is_bound else 200)


@_administrators_only
@require_POST
def user_active(request, pk):
    """Deactivate (``active=0``) or reactivate (``active=1``) an account."""
    user = get_object_or_404(get_user_model(), pk=pk)
    active = request.POST.get("active") == "1"
    if not active and user.pk == request.user.pk:
        messages.error(request, "You cannot deactivate your own account.")
        return redirect("accounts:user_edit", pk=user.pk)
    try:
        set_active(user, active)
    except LastAdministratorError as error:
        messages.error(request, str(error))
    else:
        if active:
            messages.success(request, f"{user.username} can sign in again.")
        else:
            messages.success(request, f"{user.username} is deactivated: signed out, and cannot sign in. Their posts stay.")
    return redirect("accounts:user_edit", pk=user.pk)


@_administrators_only
@require_POST
def user_password_link(request, pk):
    """Mail the user a link to choose a new password."""
    user = get_object_or_404(get_user_model(), pk=pk)
    if not user.email:
        messages.error(request, f"{user.username} has no email address.")
    elif send_password_link(user):
        messages.success(request, f"A link to choose a new password went to {user.email}.")
    else:
        messages.error(request, "The email could not be sent; check the mail settings (BROADSHEET_EMAIL_URL).")
    return redirect("accounts:user_edit", pk=user.pk)
