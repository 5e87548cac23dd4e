"""Each user's own profile (/desk/profile/): public details, email, password, two-factor sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.accounts import two_factor
from broadsheet.accounts.authors import ensure_author, update_author
from broadsheet.accounts.capabilities import Capability, require
from broadsheet.accounts.forms.profile import CurrentPasswordForm, PasswordChangeForm, ProfileForm, TwoFactorSetupForm

_SETUP_SECRET = "accounts_totp_setup_secret"  # the secret being set up, kept in the session until confirmed


@login_required
@sensitive_post_parameters("current_password")
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    require(request.user, Capability.READ_DESK)
    author = ensure_author(request.user)
    if request.method == "POST":
        form = ProfileForm(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = request.user
            if data["email"] != user.email:
                user.email = data["email"]
                user.save(update_fields=["email"])
            changed = update_author(
                author,
                display_name=data["display_name"],
                bio=data["bio"],
                website=data["website"],
                email=data["email"],
            )
            messages.success(request, "Profile saved." if changed else "Nothing changed.")
            return redirect("accounts:profile")
        return _render_profile(request, profile_form=form, status=400)
    return _render_profile(request)


@login_required
@sensitive_post_parameters()
@require_POST
def change_password(request):
    require(request.user, Capability.READ_DESK)
    form = PasswordChangeForm(request, request.POST)
    if not form.is_valid():
        return _render_profile(request, password_form=form, status=400)
    form.save()
    update_session_auth_hash(request, form.user)  # stay signed in here; other sessions end
    messages.success(request, "Password changed. Other browsers signed in as you have been signed out.")
    return redirect("accounts:profile")


@login_required
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_settings(request):
    """Set up, renew the recovery codes of, or turn off two-factor sign-in."""
    require(request.user, Capability.READ_DESK)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if two_factor.has_two_factor(user):
        password_form = CurrentPasswordForm(request, request.POST if action in ("disable", "recovery") else None)
        if password_form.is_bound and password_form.is_valid():
            if action == "disable":
                two_factor.disable(user)
                messages.success(request, "Two-factor sign-in is off. Your password alone signs you in.")
                return redirect("accounts:profile")
            return _show_recovery_codes(request, two_factor.new_recovery_codes(user), first_time=False)
        context = {
            "enabled": True,
            "codes_left": two_factor.recovery_codes_left(user),
            "password_form": password_form,
            "action": action,
        }
        return TemplateResponse(request, "accounts/two_factor.html", context, status=400 if action else 200)
    secret = request.session.get(_SETUP_SECRET)
    if not secret:  # kept until confirmed, so reloading the page does not change the QR code
        secret = request.session[_SETUP_SECRET] = two_factor.new_secret()
    form = TwoFactorSetupForm(secret, request.POST if action == "enable" else None)
    if form.is_bound and form.is_valid():
        codes = two_factor.enable(user, secret, form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(_SETUP_SECRET, None)
            return _show_recovery_codes(request, codes, first_time=True)
        form.add_error("code", "That code has just been used; wait for the next one.")
    from broadsheet.content.models import SiteSettings

    uri = two_factor.provisioning_uri(secret, account=user.get_username(), issuer=SiteSettings.current().title)
    context = {
        "enabled": False,
        "form": form,
        "qr_code": mark_safe(two_factor.qr_code_svg(uri)),  # segno's own SVG: modules and a fixed title, no text
        "secret": two_factor.format_secret(secret),
    }
    return TemplateResponse(request, "accounts/two_factor.html", context, status=400 if form.is_bound else 200)


def _show_recovery_codes(request, codes: list[str], *, first_time: bool) -> TemplateResponse:
    context = {"codes": codes, "first_time": first_time}
    return TemplateResponse(request, "accounts/recovery_codes.html", context)


def _render_profile(request, *, profile_form=None, password_form=None, status=200) -> TemplateResponse:
    user = request.user
    author = ensure_author(user)
    if profile_form is None:
        initial = {
            "display_name": author.display_name,
            "email": user.email,
            "website": author.website,
            "bio": author.bio,
        }
        profile_form = ProfileForm(request, initial=initial)
    context = {
        "form": profile_form,
        "password_form": password_form or PasswordChangeForm(request),
        "author": author,
        "two_factor_on": two_factor.has_two_factor(user),
        "codes_left": two_factor.recovery_codes_left(user),
    }
    return TemplateResponse(request, "accounts/profile.html", context, status=status)
